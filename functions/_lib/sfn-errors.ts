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
