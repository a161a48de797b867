import { StatesError } from '#shared/errors.ts';

/**
 * Which Retry or Catch rule takes an error, as Step Functions decides it
 * (developer guide, "Error names"), shared by the local runner, the tests'
 * interpreter wrapper and the simulation:
 *
 * - `States.Runtime` (a path not found in the input, a bad timestamp) is never
 *   retried and never caught: the execution fails, whatever the rules say.
 * - `States.DataLimitExceeded` is terminal for the wildcards: only a rule
 *   naming it takes it.
 * - `States.ALL` takes every other error; `States.TaskFailed` every other
 *   error but `States.Timeout`.
 */
export function errorMatches(pattern: string, errorName: string): boolean {
  if (errorName === StatesError.Runtime) return false;
  if (pattern === errorName) return true;
  if (errorName === StatesError.DataLimitExceeded) return false;
  if (pattern === StatesError.All) return true;
  return pattern === StatesError.TaskFailed && errorName !== StatesError.Timeout;
}

/** The first rule (retrier or catcher) that takes the error, by index; -1 when none does. */
export function matchingRule(
  rules: readonly { ErrorEquals: readonly string[] }[],
  errorName: string,
): number {
  return rules.findIndex((rule) => rule.ErrorEquals.some((pattern) => errorMatches(pattern, errorName)));
}
