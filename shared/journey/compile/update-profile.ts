import { PROFILES_TABLE, profileTraitAttribute } from '../../tables.ts';
import type { StepOf } from '../schema.ts';
import type { Json, JsonObject, TaskState } from './asl.ts';
import { executionPath, type StepRenderer } from './context.ts';
import { dynamoRetry } from './retry.ts';
import type { StepValue } from './values.ts';

/** The DynamoDB integration that updates one item, straight from the state machine. */
export const UPDATE_ITEM_RESOURCE = 'arn:aws:states:::dynamodb:updateItem';

/**
 * A DynamoDB attribute value. A copied value's type is unknown when the
 * journey compiles, so it is stored as its text (States.Format).
 */
function attributeValue(value: StepValue): JsonObject {
  if (typeof value === 'object') return { 'S.$': `States.Format('{}', ${executionPath(value.from)})` };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  return { S: value };
}

type Update = {
  clauses: { SET: string[]; ADD: string[]; REMOVE: string[] };
  names: JsonObject;
  values: JsonObject;
};

function buildUpdate(step: StepOf<'updateProfile'>): Update {
  const update: Update = {
    clauses: { SET: [], ADD: [], REMOVE: [] },
    names: {},
    values: {},
  };
  Object.entries(step.set ?? {}).forEach(([trait, value], i) => {
    update.names[`#s${i}`] = profileTraitAttribute(trait);
    update.values[`:s${i}`] = attributeValue(value);
    update.clauses.SET.push(`#s${i} = :s${i}`);
  });
  Object.entries(step.increment ?? {}).forEach(([trait, by], i) => {
    update.names[`#i${i}`] = profileTraitAttribute(trait);
    update.values[`:i${i}`] = { N: String(by) };
    update.clauses.ADD.push(`#i${i} :i${i}`);
  });
  (step.unset ?? []).forEach((trait, i) => {
    update.names[`#u${i}`] = profileTraitAttribute(trait);
    update.clauses.REMOVE.push(`#u${i}`);
  });
  return update;
}

/**
 * updateProfile: one `dynamodb:updateItem` on the profile (key `userId`),
 * setting its `t:<trait>` attributes (see shared/tables.ts) — no Lambda, one transition.
 */
export const renderUpdateProfile: StepRenderer<StepOf<'updateProfile'>> = (id, step, ctx) => {
  const { clauses, names, values } = buildUpdate(step);
  const expression = (['SET', 'ADD', 'REMOVE'] as const)
    .filter((k) => clauses[k].length > 0)
    .map((k) => `${k} ${clauses[k].join(', ')}`)
    .join(' ');
  const parameters: { [key: string]: Json } = {
    TableName: ctx.bindings.profilesTableName,
    Key: { [PROFILES_TABLE.partitionKey.name]: { 'S.$': '$.userId' } },
    UpdateExpression: expression,
    ExpressionAttributeNames: names,
  };
  if (Object.keys(values).length > 0) parameters.ExpressionAttributeValues = values;
  const task: TaskState = {
    Type: 'Task',
    ...(step.label === undefined ? {} : { Comment: step.label }),
    Resource: UPDATE_ITEM_RESOURCE,
    Parameters: parameters,
    ResultPath: null,
    Retry: dynamoRetry(),
    Next: step.next,
  };
  return [[id, task]];
};
