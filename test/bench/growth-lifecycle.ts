import {
  SendTaskSuccessCommand,
  type SendTaskSuccessCommandInput,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
  StopExecutionCommand,
  type StopExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { type AwaitDeps, awaitEvent } from '#functions/await-event/await.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { BENCH_JOURNEYS } from './growth-journeys.ts';

/**
 * A stand-in for Step Functions in the growth bench: it records started
 * executions, registers their waiting step through the real await-event
 * handler, resumes them on SendTaskSuccess, and ends them when their time is
 * up (or on StopExecution), reporting each end to `onEnd`.
 */

export type EndedExecution = {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'SUCCEEDED' | 'ABORTED';
  startDate: Date;
  stopDate: Date;
};

type Running = {
  executionArn: string;
  stateMachineArn: string;
  input: EnrollmentInput;
  raw: string;
  startDate: Date;
  endsAt: number;
  waitsFor?: string;
  token?: string;
  registered: boolean;
};

export function simulatedStepFunctions(
  awaitDeps: () => AwaitDeps,
  onEnd: (execution: EndedExecution) => Promise<void>,
) {
  const running = new Map<string, Running>();
  const byToken = new Map<string, string>();
  let now = new Date(0);
  const mock = mockClient(SFNClient);
  mock.on(StartExecutionCommand).callsFake((command: StartExecutionCommandInput) => {
    const input = EnrollmentInput.parse(JSON.parse(command.input ?? '{}'));
    const machine = (command.stateMachineArn ?? '').replace(/:(live|\d+)$/, '');
    const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${command.name}`;
    if (running.has(executionArn))
      throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
    const bench = BENCH_JOURNEYS.find((b) => b.journey.id === input.journeyId);
    running.set(executionArn, {
      executionArn,
      stateMachineArn: machine,
      input,
      raw: command.input ?? '{}',
      startDate: now,
      endsAt: now.getTime() + (bench?.runsSeconds ?? 60) * 1000,
      waitsFor: bench?.waitsFor,
      registered: false,
    });
    return { executionArn, startDate: now };
  });
  mock.on(SendTaskSuccessCommand).callsFake((command: SendTaskSuccessCommandInput) => {
    const arn = byToken.get(command.taskToken ?? '');
    const execution = arn === undefined ? undefined : running.get(arn);
    if (execution === undefined) throw Object.assign(new Error('gone'), { name: 'TaskDoesNotExist' });
    execution.endsAt = now.getTime();
    return {};
  });
  const ended: EndedExecution[] = [];
  const end = (e: Running, status: EndedExecution['status']) => {
    running.delete(e.executionArn);
    if (e.token !== undefined) byToken.delete(e.token);
    ended.push({
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.input.enrollmentId,
      input: e.raw,
      status,
      startDate: e.startDate,
      stopDate: now,
    });
  };
  mock.on(StopExecutionCommand).callsFake((command: StopExecutionCommandInput) => {
    const execution = running.get(command.executionArn ?? '');
    if (execution === undefined) throw Object.assign(new Error('gone'), { name: 'ExecutionDoesNotExist' });
    end(execution, 'ABORTED');
    return { stopDate: now };
  });

  return {
    restore: () => mock.restore(),
    /** The enrollment ids of executions still running. */
    runningIds: () => new Set([...running.values()].map((e) => e.input.enrollmentId)),
    /** Advances to `at`: registers new waiting steps, ends what is due. */
    async advance(at: Date) {
      now = at;
      for (const e of running.values()) {
        if (e.waitsFor === undefined || e.registered) continue;
        e.registered = true;
        e.token = `token-${e.input.enrollmentId}`;
        byToken.set(e.token, e.executionArn);
        await awaitEvent(awaitDeps(), {
          v: CONTRACT_VERSION,
          journeyId: e.input.journeyId,
          journeyVersion: e.input.journeyVersion,
          enrollmentId: e.input.enrollmentId,
          userId: e.input.userId,
          stepId: 'wait',
          token: e.token,
          event: e.waitsFor,
          match: [],
          timeoutSeconds: 1800,
          startedAt: e.startDate.toISOString(),
          trigger: e.input.trigger,
        });
      }
      for (const e of [...running.values()]) if (e.endsAt <= at.getTime()) end(e, 'SUCCEEDED');
      const due = ended.splice(0);
      for (const e of due) await onEnd(e);
    },
  };
}
