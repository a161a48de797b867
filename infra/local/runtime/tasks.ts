import * as z from 'zod';
import type { LocalTaskHandler } from '../services/stepfunctions/runner/runner.ts';
import type { ActivityLog } from './activity.ts';

/**
 * Wraps a Task's local function so each call lands in the activity log with
 * its input and its result or error; the error still reaches Retry/Catch.
 */
const TaskBase = z.object({ journeyId: z.string() });

export function recorded(
  log: ActivityLog,
  fn: LocalTaskHandler,
  clock: () => Date = () => new Date(),
  explain: (input: unknown, error: unknown) => Promise<string | undefined> = async () => undefined,
): LocalTaskHandler {
  return async (input, call) => {
    const base = {
      journeyId: TaskBase.safeParse(input).data?.journeyId,
      execution: call.executionName,
      state: call.stateName,
      resource: call.resource,
      input,
    };
    try {
      const output = await fn(input, call);
      log.record({ at: clock().toISOString(), ...base, output });
      return output;
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const at = clock().toISOString();
      const detail = await explain(input, error);
      log.record({ at, ...base, error: message, ...(detail === undefined ? {} : { detail }) });
      throw error;
    }
  };
}
