import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Step Functions errors that mean "already done" for an idempotent caller. */
const ALREADY_DONE = new Set([
  'ExecutionAlreadyExists',
  'ExecutionDoesNotExist',
  'TaskDoesNotExist',
  'TaskTimedOut',
  'InvalidToken',
]);

/** True when a Step Functions call failed only because its effect already happened (or no longer can). */
export function isAlreadyDone(error: unknown): boolean {
  return error instanceof Error && ALREADY_DONE.has(error.name);
}

/** The ARN of an execution started with `name` on a state machine (or one of its aliases). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * Resumes a task waiting on `token` with `output`: true when this call resumed
 * it, false when no task waits on the token any more. Step Functions answers
 * such a token with TaskTimedOut (its wait timed out, its execution ended, or
 * it was resumed already), TaskDoesNotExist or InvalidToken, depending on how
 * it ended and on the implementation: none of them resumed anything.
 */
export async function resumeTask(sfn: SFNClient, token: string, output: string): Promise<boolean> {
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output }));
    return true;
  } catch (error) {
    if (!isAlreadyDone(error)) throw error;
    return false;
  }
}
