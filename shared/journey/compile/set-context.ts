import { LAMBDA_CRASH_ERRORS } from '../../errors.ts';
import type { UnsetRule } from '../context-set.ts';
import { DEFAULT_MAX_LENGTH } from '../journey-context.ts';
import type { Journey } from '../schema.ts';
import type { Json, JsonObject, TaskState } from './asl.ts';
import { type RenderContext, taskBase } from './context.ts';
import { RETRY, retryCatch } from './retry.ts';

/** A variable a step sets: a literal, or a Reference Path Step Functions has checked is there with its type. */
export type SetValue = { name: string; literal?: Json; path?: string; copied: boolean };

/** The maxLength the evaluate function holds a copied string to (none for other types: the Choice checked them). */
function declaredMaxLength(journey: Journey, name: string): number | undefined {
  const variable = journey.context?.[name];
  return variable?.type === 'string' ? (variable.maxLength ?? DEFAULT_MAX_LENGTH) : undefined;
}

/** True when a copied value is a string, whose length only a function can check. */
export function copiesString(journey: Journey, values: readonly SetValue[]): boolean {
  return values.some((v) => v.copied && declaredMaxLength(journey, v.name) !== undefined);
}

/**
 * The Task that sets the context from copied strings: the evaluate function
 * returns the whole context with each copied string within its declared
 * maxLength, else not set under `rule` (shared/journey/context-set.ts). One
 * transition and one Lambda invocation, only in steps that copy a string
 * from data. It reads no table, writes nothing and fails on no data, so
 * Lambda's transient errors and a crashed invocation are both retried with
 * backoff; an error past them fails the execution, which is alarmed.
 */
export function setContextTask(
  ctx: RenderContext,
  stepId: string,
  values: readonly SetValue[],
  rule: UnsetRule,
  next: string,
): TaskState {
  const set: Json[] = values.map((v) => {
    const entry: JsonObject = { name: v.name };
    if (v.path !== undefined) entry['value.$'] = v.path;
    else entry.value = v.literal ?? null;
    const maxLength = v.copied ? declaredMaxLength(ctx.journey, v.name) : undefined;
    if (v.copied) entry.copied = true;
    if (maxLength !== undefined) entry.maxLength = maxLength;
    return entry;
  });
  return {
    Type: 'Task',
    Resource: ctx.bindings.evaluateFunctionArn,
    Parameters: { ...taskBase(ctx, stepId), op: 'setContext', 'context.$': '$.context', set, rule },
    ResultPath: '$.context',
    ...retryCatch([...RETRY.lambda, ...LAMBDA_CRASH_ERRORS]),
    Next: next,
  };
}
