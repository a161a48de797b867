import { utf8Length } from '#shared/utf8.ts';
import type { ExecutionRecord } from './executions.ts';

/** Past this much input and output together, AWS leaves both out of the event (DescribeExecution still has them). */
export const EVENT_DATA_BYTES = 248 * 1024;

/**
 * The "Step Functions Execution Status Change" event AWS puts on the default
 * bus when a Standard execution ends, built from a local execution record in
 * the documented shape (dates in epoch milliseconds, input and output as JSON
 * strings), so the same rule and handler see it locally as on AWS.
 */
export function executionStatusEntry(record: ExecutionRecord) {
  const ms = (seconds: number | undefined) => (seconds === undefined ? null : Math.round(seconds * 1000));
  const included = utf8Length(record.input) + utf8Length(record.output ?? '') <= EVENT_DATA_BYTES;
  const detail = {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    ...(record.stateMachineVersionArn === undefined
      ? {}
      : { stateMachineVersionArn: record.stateMachineVersionArn }),
    ...(record.stateMachineAliasArn === undefined
      ? {}
      : { stateMachineAliasArn: record.stateMachineAliasArn }),
    name: record.name,
    status: record.status,
    startDate: ms(record.startDate),
    stopDate: ms(record.stopDate),
    input: included ? record.input : null,
    inputDetails: { included },
    output: included ? (record.output ?? null) : null,
    outputDetails: record.output === undefined ? null : { included },
    error: record.error ?? null,
    cause: record.cause ?? null,
  };
  return {
    Source: 'aws.states',
    DetailType: 'Step Functions Execution Status Change',
    EventBusName: 'default',
    Resources: [record.executionArn],
    Detail: JSON.stringify(detail),
    ...(record.stopDate === undefined ? {} : { Time: record.stopDate }),
  };
}
