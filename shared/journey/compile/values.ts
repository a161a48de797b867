import type { JsonObject } from './asl.ts';
import { executionPath } from './context.ts';

/** A literal, or `{ from: path }`: a value copied from the execution data when the step runs. */
export type StepValue = string | number | boolean | { from: string };

/** `{ key: value }` or `{ "key.$": path }` for each value, in the given order. */
export function valueParameters(values: Readonly<Record<string, StepValue>>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'object') out[`${key}.$`] = executionPath(value.from);
    else out[key] = value;
  }
  return out;
}
