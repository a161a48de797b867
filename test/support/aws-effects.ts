import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { CrashPlan } from './crash-points.ts';

/**
 * Step Functions and SQS as their callers see them, for handlers whose
 * integration with them has no local server to put a fault proxy in front
 * of: each call lands (or not) under the current CrashPlan, and what landed
 * is kept, so that a test counts effects, not calls. Step Functions answers
 * as AWS does: a repeated StartExecution (same name and input) of a running
 * execution is the first one's answer, with other input
 * ExecutionAlreadyExists; SendTaskSuccess resumes a waiting task once, and a
 * closed token is TaskTimedOut.
 */
export type AwsEffects = {
  /** The plan calls land under; replace it for each invocation. */
  crash: CrashPlan;
  /** Executions started, by name. */
  started: Map<string, { arn: string; input: string; starts: number }>;
  /** Tokens of tasks waiting to be resumed. */
  waiting: Set<string>;
  /** Outputs each token's task was resumed with (at most one lands per token). */
  resumed: Map<string, string[]>;
  /** Executions stopped, by ARN, with their causes. */
  stopped: Map<string, string[]>;
  /** Bodies of the messages SQS took. */
  messages: string[];
  /** Details of the events EventBridge took, with their detail types. */
  events: { detailType: string; detail: string }[];
  restore: () => void;
};

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

export function awsEffects(): AwsEffects {
  const sfn = mockClient(SFNClient);
  const sqs = mockClient(SQSClient);
  const bus = mockClient(EventBridgeClient);
  const effects: AwsEffects = {
    crash: CrashPlan.never(),
    started: new Map(),
    waiting: new Set(),
    resumed: new Map(),
    stopped: new Map(),
    messages: [],
    events: [],
    restore: () => {
      sfn.restore();
      sqs.restore();
      bus.restore();
    },
  };
  sfn
    .on(StartExecutionCommand)
    .callsFake((input: { stateMachineArn?: string; name?: string; input?: string }) =>
      effects.crash.call('StartExecution', () => {
        const name = input.name ?? '';
        const arn = `${(input.stateMachineArn ?? '').replace(':stateMachine:', ':execution:')}:${name}`;
        const earlier = effects.started.get(name);
        if (earlier !== undefined && earlier.input !== input.input)
          throw named('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
        effects.started.set(name, { arn, input: input.input ?? '', starts: (earlier?.starts ?? 0) + 1 });
        return { executionArn: earlier?.arn ?? arn, startDate: new Date(0) };
      }),
    );
  sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken?: string; output?: string }) =>
    effects.crash.call('SendTaskSuccess', () => {
      const token = input.taskToken ?? '';
      if (!effects.waiting.delete(token)) throw named('TaskTimedOut', 'Task Timed Out: token closed');
      effects.resumed.set(token, [...(effects.resumed.get(token) ?? []), input.output ?? '']);
      return {};
    }),
  );
  sfn.on(StopExecutionCommand).callsFake((input: { executionArn?: string; cause?: string }) =>
    effects.crash.call('StopExecution', () => {
      const arn = input.executionArn ?? '';
      effects.stopped.set(arn, [...(effects.stopped.get(arn) ?? []), input.cause ?? '']);
      return { stopDate: new Date(0) };
    }),
  );
  sqs.on(SendMessageCommand).callsFake((input: { MessageBody?: string }) =>
    effects.crash.call('SendMessage', () => {
      effects.messages.push(input.MessageBody ?? '');
      return { MessageId: `m-${effects.messages.length}` };
    }),
  );
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries?: { Id?: string; MessageBody?: string }[] }) =>
    effects.crash.call('SendMessageBatch', () => {
      const entries = input.Entries ?? [];
      for (const entry of entries) effects.messages.push(entry.MessageBody ?? '');
      return {
        Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${effects.messages.length}` })),
        Failed: [],
      };
    }),
  );
  bus.on(PutEventsCommand).callsFake((input: { Entries?: { DetailType?: string; Detail?: string }[] }) =>
    effects.crash.call('PutEvents', () => {
      const entries = input.Entries ?? [];
      for (const e of entries)
        effects.events.push({ detailType: e.DetailType ?? '', detail: e.Detail ?? '' });
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `ev-${i}` })) };
    }),
  );
  return effects;
}
