import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { LOCAL_REGION } from '../../../runtime/aws.ts';
import type { ExecutionObserver, StateEvent, TaskAttempt } from '../runner/runner.ts';
import type { ExecutionRecord } from './executions.ts';

/**
 * The execution history of one local execution, in the shape of Step
 * Functions' GetExecutionHistory: events numbered from 1, each pointing at
 * the one before (`previousEventId`; journeys run one state at a time), with
 * timestamps in journey time (epoch seconds), and the event types and detail
 * fields AWS uses — `TaskStateEntered`, `LambdaFunctionScheduled` for a
 * function ARN, `TaskScheduled`/`TaskSubmitted` for an integration,
 * `WaitStateEntered`, `ChoiceStateExited`, `ExecutionAborted`…
 */

/** One history event as the API sends it (AWS JSON: dates are epoch seconds). */
export type HistoryEvent = {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
} & Record<string, unknown>;

/**
 * AWS fails an execution whose history reaches this many events; the recorder
 * keeps no more than this (then only the execution's end), so a looping
 * execution cannot grow without bound.
 */
const MAX_HISTORY_EVENTS = 25_000;

type AnyState = StateMachineDefinition['States'][string];
const NOT_TRUNCATED = { truncated: false } as const;

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → `lambda` / `invoke.waitForTaskToken`. */
function integration(resource: string): { resourceType: string; resource: string } {
  const rest = resource.replace(/^arn:aws:states:::/, '');
  const at = rest.lastIndexOf(':');
  return { resourceType: rest.slice(0, at), resource: rest.slice(at + 1) };
}

/** A recorder's state as JSON: the history of a parked execution, kept on disk while it waits. */
export type HistorySnapshot = {
  events: HistoryEvent[];
  open?: { name: string; type: string };
  /** Attempts of the open Task under way. */
  attempts: TaskAttempt[];
};

export class HistoryRecorder implements ExecutionObserver {
  private readonly list: HistoryEvent[] = [];
  private readonly attempts = new Map<string, TaskAttempt[]>();
  private open: { name: string; type: string } | undefined;
  private ended = false;

  constructor(
    private readonly states: Readonly<Record<string, AnyState>>,
    record?: ExecutionRecord,
    roleArn = '',
  ) {
    if (record === undefined) return;
    this.add(record.startDate * 1000, 'ExecutionStarted', {
      executionStartedEventDetails: {
        input: record.input,
        inputDetails: NOT_TRUNCATED,
        roleArn,
        ...(record.stateMachineAliasArn === undefined
          ? {}
          : { stateMachineAliasArn: record.stateMachineAliasArn }),
        ...(record.stateMachineVersionArn === undefined
          ? {}
          : { stateMachineVersionArn: record.stateMachineVersionArn }),
      },
    });
  }

  /** The events so far; a Task attempt under way shows as scheduled and started. */
  events(): HistoryEvent[] {
    const open = this.open;
    if (this.ended || open?.type !== 'Task') return [...this.list];
    const events = [...this.list];
    const sink: Sink = (at, type, details) => push(events, at, type, details);
    for (const attempt of this.attempts.get(open.name) ?? []) this.attemptEvents(sink, open.name, attempt);
    return events;
  }

  snapshot(): HistorySnapshot {
    const open = this.open;
    const attempts = open === undefined ? [] : (this.attempts.get(open.name) ?? []);
    return { events: [...this.list], ...(open === undefined ? {} : { open }), attempts: [...attempts] };
  }

  /**
   * The recorder of a parked execution, from its snapshot. Without
   * `attempts`, the open Task's attempt is left out: the resumed run tells it again.
   */
  static restore(
    states: Readonly<Record<string, AnyState>>,
    snapshot: HistorySnapshot,
    options: { attempts: boolean },
  ): HistoryRecorder {
    const recorder = new HistoryRecorder(states);
    recorder.list.push(...snapshot.events);
    recorder.open = snapshot.open;
    if (snapshot.open !== undefined && options.attempts)
      recorder.attempts.set(snapshot.open.name, [...snapshot.attempts]);
    return recorder;
  }

  get size(): number {
    return this.list.length;
  }

  attempt(stateName: string, attempt: TaskAttempt): void {
    const queue = this.attempts.get(stateName) ?? [];
    queue.push(attempt);
    this.attempts.set(stateName, queue);
  }

  state(event: StateEvent, at: number): void {
    if (this.ended) return;
    const type = this.states[event.state]?.Type ?? 'Task';
    if (event.type === 'StateEntered') {
      this.open = { name: event.state, type };
      this.add(at, `${type}StateEntered`, {
        stateEnteredEventDetails: {
          name: event.state,
          input: json(event.input),
          inputDetails: NOT_TRUNCATED,
        },
      });
    } else if (event.type === 'StateFailed' && type === 'Task') {
      const attempt = this.attempts.get(event.state)?.shift();
      if (attempt !== undefined) this.attemptEvents(this.sink, event.state, attempt, event);
    } else if (event.type === 'StateExited') {
      if (type === 'Task') {
        for (const attempt of this.attempts.get(event.state)?.splice(0) ?? [])
          this.attemptEvents(this.sink, event.state, attempt, undefined, at);
      }
      this.open = undefined;
      this.add(at, `${type}StateExited`, {
        stateExitedEventDetails: {
          name: event.state,
          output: json(event.output),
          outputDetails: NOT_TRUNCATED,
        },
      });
    }
  }

  /** The execution's last event, from its final record; a state still open is aborted first. */
  end(record: ExecutionRecord): void {
    if (this.ended) return;
    const at = (record.stopDate ?? record.startDate) * 1000;
    const open = this.open;
    if (record.status === 'ABORTED' && open !== undefined) {
      for (const attempt of this.attempts.get(open.name)?.splice(0) ?? [])
        this.attemptEvents(this.sink, open.name, attempt);
      if (['Task', 'Wait', 'Map', 'Parallel'].includes(open.type))
        this.add(at, `${open.type}StateAborted`, {});
    }
    const failure = {
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
    };
    if (record.status === 'SUCCEEDED') {
      this.add(at, 'ExecutionSucceeded', {
        executionSucceededEventDetails: { output: record.output ?? 'null', outputDetails: NOT_TRUNCATED },
      });
    } else if (record.status === 'FAILED') {
      this.add(at, 'ExecutionFailed', { executionFailedEventDetails: failure });
    } else if (record.status === 'TIMED_OUT') {
      this.add(at, 'ExecutionTimedOut', { executionTimedOutEventDetails: failure });
    } else if (record.status === 'ABORTED') {
      this.add(at, 'ExecutionAborted', { executionAbortedEventDetails: failure });
    }
    this.ended = true;
    this.attempts.clear();
  }

  /** Scheduled, started, (submitted,) and how one attempt of a Task ended, if it has. */
  private attemptEvents(
    add: Sink,
    stateName: string,
    attempt: TaskAttempt,
    failed?: StateEvent,
    exitedAt?: number,
  ): void {
    const state = this.states[stateName];
    const resource = state !== undefined && 'Resource' in state ? state.Resource : '';
    const timeout = state !== undefined && 'TimeoutSeconds' in state ? state.TimeoutSeconds : undefined;
    const timeouts = timeout === undefined ? {} : { timeoutInSeconds: timeout };
    const lambda = resource.startsWith('arn:aws:lambda:');
    const names = integration(resource);
    const ended = attempt.endedAt ?? exitedAt;
    if (lambda) {
      add(attempt.startedAt, 'LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: {
          resource,
          input: json(attempt.input),
          inputDetails: NOT_TRUNCATED,
          ...timeouts,
        },
      });
      add(attempt.startedAt, 'LambdaFunctionStarted', {});
    } else {
      add(attempt.startedAt, 'TaskScheduled', {
        taskScheduledEventDetails: {
          ...names,
          region: LOCAL_REGION,
          parameters: json(attempt.input),
          ...timeouts,
        },
      });
      add(attempt.startedAt, 'TaskStarted', { taskStartedEventDetails: names });
      if (attempt.submittedAt !== undefined) {
        add(attempt.submittedAt, 'TaskSubmitted', {
          taskSubmittedEventDetails: {
            ...names,
            output: json(attempt.submitted),
            outputDetails: NOT_TRUNCATED,
          },
        });
      }
    }
    if (ended === undefined) return;
    const prefix = lambda ? 'LambdaFunction' : 'Task';
    const detailsOf = (kind: string) => `${lambda ? 'lambdaFunction' : 'task'}${kind}EventDetails`;
    const who = lambda ? {} : names;
    const error = failed?.error ?? attempt.error?.name;
    if (error !== undefined) {
      const kind = error === 'States.Timeout' ? 'TimedOut' : 'Failed';
      add(ended, `${prefix}${kind}`, {
        [detailsOf(kind)]: { ...who, error, cause: failed?.cause ?? attempt.error?.cause ?? '' },
      });
    } else if (exitedAt !== undefined) {
      add(ended, `${prefix}Succeeded`, {
        [detailsOf('Succeeded')]: { ...who, output: json(attempt.output), outputDetails: NOT_TRUNCATED },
      });
    }
  }

  private readonly sink: Sink = (at, type, details) => this.add(at, type, details);

  private add(atMs: number, type: string, details: Record<string, unknown>): void {
    push(this.list, atMs, type, details);
  }
}

type Sink = (atMs: number, type: string, details: Record<string, unknown>) => void;

function push(list: HistoryEvent[], atMs: number, type: string, details: Record<string, unknown>): void {
  // The execution's end is always told, even past the limit.
  if (list.length >= MAX_HISTORY_EVENTS && !type.startsWith('Execution')) return;
  const id = list.length + 1;
  list.push({ timestamp: atMs / 1000, type, id, previousEventId: id - 1, ...details });
}

/** The history AWS would still show of an execution whose events were lost: its start and its end. */
export function historyFromRecord(record: ExecutionRecord, roleArn: string): HistoryEvent[] {
  const recorder = new HistoryRecorder({}, record, roleArn);
  if (record.status !== 'RUNNING') recorder.end(record);
  return recorder.events();
}
