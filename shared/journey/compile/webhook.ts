import { StatesError } from '../../errors.ts';
import type { ContextType } from '../journey-context.ts';
import type { Journey, StepOf } from '../schema.ts';
import { RETRYABLE_STATUSES } from '../webhook.ts';
import type { ChoiceState, JsonObject, PassState, Retrier, State, TaskState } from './asl.ts';
import { connectionArn } from './bindings.ts';
import type { RenderContext, StepRenderer } from './context.ts';
import { failureRoute } from './failure.ts';
import { referencePath } from './reference-path.ts';
import { copiesString, type SetValue, setContextTask } from './set-context.ts';
import { fitsType } from './update-context.ts';
import { valueParameters } from './values.ts';

/** The Step Functions HTTP Task: the call leaves from Step Functions itself, no Lambda in the path. */
export const HTTP_INVOKE_RESOURCE = 'arn:aws:states:::http:invoke';
/** Where a webhook keeps its response until the next webhook overwrites it: one slot per execution. */
const RESPONSE_PATH = '$.webhook';
/** The error an HTTP Task fails with on a response status outside 2xx. */
export const httpStatusError = (status: number) => `States.Http.StatusCode.${status}`;

/**
 * Retried with backoff: the statuses that say the endpoint did not take the
 * call (RETRYABLE_STATUSES). A server error, a gateway's, a timeout or a
 * broken connection is not retried: the endpoint may have acted on the call,
 * and a webhook is not assumed to be idempotent.
 */
const HTTP_RETRY: Retrier = {
  ErrorEquals: RETRYABLE_STATUSES.map(httpStatusError),
  IntervalSeconds: 2,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

/** `body.a.b` → `$.webhook.body.a.b`. */
const responseVariable = (path: string) => referencePath(RESPONSE_PATH, path.split('.'));

type Mapped = { name: string; variable: string; type: ContextType };

function mappedFields(journey: Journey, response: Readonly<Record<string, string>>): Mapped[] {
  return Object.entries(response).flatMap(([name, path]) => {
    const type = journey.context?.[name]?.type;
    return type === undefined ? [] : [{ name, variable: responseVariable(path), type }];
  });
}

/** Helper state names of a webhook step (ids have no '.', so they never clash with a step). */
const names = {
  check: (id: string) => `${id}.response`,
  all: (id: string) => `${id}.mapped`,
  field: (id: string, name: string) => `${id}.field.${name}`,
  set: (id: string, name: string) => `${id}.set.${name}`,
  unset: (id: string, name: string) => `${id}.null.${name}`,
};

/** The whole context with the mapped variables taken from the response, the others carried over. */
function contextFromResponse(journey: Journey, fields: readonly Mapped[]): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(journey.context ?? {})) {
    const mapped = fields.find((f) => f.name === name);
    out[`${name}.$`] = mapped?.variable ?? referencePath('$.context', [name]);
  }
  return out;
}

/** The whole context with one variable copied from `variable` (or null), the others carried over. */
function contextWith(journey: Journey, name: string, variable: string | null): JsonObject {
  const out: JsonObject = {};
  for (const other of Object.keys(journey.context ?? {})) {
    if (other !== name) out[`${other}.$`] = referencePath('$.context', [other]);
    else if (variable === null) out[other] = null;
    else out[`${other}.$`] = variable;
  }
  return out;
}

const copies = (fields: readonly Mapped[]): SetValue[] =>
  fields.map((f) => ({ name: f.name, path: f.variable, copied: true }));

/**
 * The states that copy response fields into the context. When every field
 * is there with its type (the usual case) one Choice and one Pass set them
 * all: two transitions. Otherwise each field is checked on its own and set,
 * or set to null: two transitions per field. A string field may also be
 * longer than its variable's maxLength, which no Choice can test: its
 * setting state is then the evaluate function's setContext Task, which sets
 * a string too long to null as it does a missing field.
 */
function mappingStates(id: string, step: StepOf<'webhook'>, ctx: RenderContext): [string, State][] {
  const { journey } = ctx;
  const fields = mappedFields(journey, step.response ?? {});
  const first = fields[0];
  if (first === undefined) return [];
  const rules = fields.map((f) => fitsType(f.variable, f.type));
  const check: ChoiceState = {
    Type: 'Choice',
    Choices: [
      { ...(rules.length === 1 && rules[0] !== undefined ? rules[0] : { And: rules }), Next: names.all(id) },
    ],
    Default: names.field(id, first.name),
  };
  const all: PassState | TaskState = copiesString(journey, copies(fields))
    ? setContextTask(ctx, id, copies(fields), 'each', step.next)
    : {
        Type: 'Pass',
        Parameters: contextFromResponse(journey, fields),
        ResultPath: '$.context',
        Next: step.next,
      };
  const states: [string, State][] = [
    [names.check(id), check],
    [names.all(id), all],
  ];
  fields.forEach((field, i) => {
    const after = fields[i + 1];
    const next = after === undefined ? step.next : names.field(id, after.name);
    const pass = (value: string | null): PassState => ({
      Type: 'Pass',
      Parameters: contextWith(journey, field.name, value),
      ResultPath: '$.context',
      Next: next,
    });
    states.push(
      [
        names.field(id, field.name),
        {
          Type: 'Choice',
          Choices: [{ ...fitsType(field.variable, field.type), Next: names.set(id, field.name) }],
          Default: names.unset(id, field.name),
        },
      ],
      [
        names.set(id, field.name),
        copiesString(journey, copies([field]))
          ? setContextTask(ctx, id, copies([field]), 'each', next)
          : pass(field.variable),
      ],
      [names.unset(id, field.name), pass(null)],
    );
  });
  return states;
}

/**
 * webhook: one HTTP Task through the step's connection (credentials stay in
 * the connection's secret). A 2xx response goes on to the mapping states or
 * `next`; any other status, once 429/5xx retries ran out, and a timeout go to
 * `onError`, else through the failure policy. The request and the status are
 * in the execution history, never the credentials.
 */
export const renderWebhook: StepRenderer<StepOf<'webhook'>> = (id, step, ctx) => {
  const mapping = mappingStates(id, step, ctx);
  const catchAll = step.onError !== undefined;
  const failure = failureRoute(id, step.onFailure, step.next, ctx, 'webhook failed');
  // An answer too large for the execution state fails the call with States.DataLimitExceeded, which
  // no wildcard catches in AWS: named, it takes the error route like any failed call instead of
  // failing the execution.
  const catchers = catchAll
    ? [
        {
          ErrorEquals: [StatesError.DataLimitExceeded],
          ResultPath: '$.failure',
          Next: step.onError ?? step.next,
        },
        { ErrorEquals: [StatesError.All], ResultPath: '$.failure', Next: step.onError ?? step.next },
      ]
    : [
        {
          ErrorEquals: [...failure.rule.errors, StatesError.Timeout, StatesError.DataLimitExceeded],
          ResultPath: failure.rule.resultPath,
          Next: failure.rule.next,
        },
      ];
  const parameters: JsonObject = {
    ApiEndpoint: step.url,
    Method: step.method,
    Authentication: { ConnectionArn: connectionArn(ctx.bindings, step.connection) },
  };
  if (step.headers !== undefined) parameters.Headers = { ...step.headers };
  if (step.query !== undefined) parameters.QueryParameters = valueParameters(step.query);
  if (step.body !== undefined) parameters.RequestBody = valueParameters(step.body);
  const task: TaskState = {
    Type: 'Task',
    ...(step.label === undefined ? {} : { Comment: step.label }),
    Resource: HTTP_INVOKE_RESOURCE,
    Parameters: parameters,
    ...(mapping.length === 0
      ? { ResultPath: null }
      : {
          // Headers are dropped: only the status and the body are kept, in one slot.
          ResultSelector: { 'status.$': '$.StatusCode', 'body.$': '$.ResponseBody' },
          ResultPath: RESPONSE_PATH,
        }),
    TimeoutSeconds: step.timeoutSeconds,
    Retry: [HTTP_RETRY],
    Catch: catchers,
    Next: mapping[0]?.[0] ?? step.next,
  };
  return [[id, task], ...mapping, ...(catchAll ? [] : failure.states)];
};
