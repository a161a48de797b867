import { matchingRule } from '#infra/local/services/stepfunctions/runner/error-match.ts';
import { enteredTime } from '#infra/local/services/stepfunctions/runner/runner-entries.ts';
import { RetryPlan } from '#infra/local/services/stepfunctions/runner/runner-retry.ts';
import { HISTORY_FULL, MAX_HISTORY_EVENTS, stateHistoryEvents } from '#shared/journey/checks/loops.ts';
import type { Asl, Catcher, Json, State, TaskState } from '#shared/journey/compile/asl.ts';
import { MAX_EXECUTION_SECONDS } from '#shared/time.ts';
import { matches } from './choice.ts';
import { parameters, place, read, StatesError } from './paths.ts';
import { withoutStack } from './stackless.ts';
import type { Timers } from './timers.ts';

/**
 * Standard executions of compiled journeys, interpreted in process on the
 * simulation's timers: Task, Pass, Wait, Choice and Succeed with
 * Parameters/ResultPath, Retry and Catch, task timeouts and
 * `.waitForTaskToken`. An execution holds only its current state and data
 * while it waits, so 100,000 waiting customers stay small. As on AWS, an
 * execution still running a year after it started ends TIMED_OUT: a journey
 * that loops for good (a daily reminder until a purchase that never comes)
 * ends there, and so does the forecast. An execution whose history would
 * reach 25,000 events (counted per state as the validator's loop warning
 * counts them) ends FAILED, as on AWS, with that reason.
 */

export type EndStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** How long a Standard execution may run. */
const MAX_EXECUTION_MS = MAX_EXECUTION_SECONDS * 1000;
export type Ended = {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: EndStatus;
  startDate: number;
  stopDate: number;
  input: string;
  /** A SUCCEEDED execution's output: a failed step's exit is read from it. */
  output?: string;
  error?: string;
  cause?: string;
};

/** Calls a Task's resource: a Lambda ARN, or a service integration. */
export type Invoke = (
  resource: string,
  input: Json,
  call: { execution: string; state: string },
) => Promise<Json>;

type Execution = {
  arn: string;
  name: string;
  machineArn: string;
  machine: Asl;
  input: string;
  startDate: number;
  state: string;
  data: Json;
  /** History events so far, as AWS would have recorded them (ExecutionStarted is the first). */
  history: number;
  /** Bumped whenever the execution moves on: a stale timer or token sees a different value and does nothing. */
  step: number;
  /** Each state entry's `$$.State.EnteredTime`: a retry of the entry reads the same. */
  stamps: Entries;
  token?: string;
  tokenResult?: { output: Json } | { error: string; cause: string };
  retry?: RetryPlan;
  done: boolean;
};

const WAIT_FOR_TOKEN = '.waitForTaskToken';

/**
 * The entries of an execution's states, as the local runtime stamps them
 * (`enteredTime`: a state entered again at the same instant gets a sequence
 * after the millisecond), kept as numbers: the text is made only when a state
 * reads `$$.State.EnteredTime`, which most states never do.
 */
class Entries {
  private at = Number.NEGATIVE_INFINITY;
  /** How often each state was entered at `at` (only states entered then: bounded by the machine). */
  private readonly counts = new Map<string, number>();
  /** The current state's entry: its instant and which entry at that instant it is. */
  current: { at: number; entry: number } | undefined;

  enter(state: string, now: number): void {
    if (now !== this.at) {
      this.at = now;
      this.counts.clear();
    }
    const entry = this.counts.get(state) ?? 0;
    this.counts.set(state, entry + 1);
    this.current = { at: now, entry };
  }
}

function stateError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class Executions {
  private readonly running = new Map<string, Execution>();
  private readonly byToken = new Map<string, Execution>();
  /** State transitions, as Step Functions bills them. */
  transitions = 0;
  started = 0;

  constructor(
    private readonly timers: Timers,
    private readonly machines: (arn: string) => Asl | undefined,
    private readonly invoke: Invoke,
    private readonly onEnd: (ended: Ended) => Promise<void>,
  ) {}

  /** StartExecution: runs from the next timer turn at the current time. */
  start(machineArn: string, name: string, input: string): string {
    const machine = this.machines(machineArn);
    if (machine === undefined)
      throw stateError('StateMachineDoesNotExist', `State machine ${machineArn} does not exist`);
    const base = machineArn.replace(/:(live|\d+)$/, '');
    const arn = `${base.replace(':stateMachine:', ':execution:')}:${name}`;
    if (this.running.has(arn)) throw stateError('ExecutionAlreadyExists', `Execution ${arn} already exists`);
    const ex: Execution = {
      arn,
      name,
      machineArn: base,
      machine,
      input,
      startDate: this.timers.now,
      state: machine.StartAt,
      data: JSON.parse(input),
      history: 1,
      step: 0,
      stamps: new Entries(),
      done: false,
    };
    this.running.set(arn, ex);
    this.started += 1;
    this.schedule(ex, this.timers.now);
    return arn;
  }

  /** SendTaskSuccess: the waiting Task continues with `output` (or, while its function still runs, right after). */
  sendTaskSuccess(token: string, output: string): void {
    const ex = this.byToken.get(token);
    if (ex === undefined || ex.done || ex.token !== token) throw stateError('TaskTimedOut', 'Task Timed Out');
    this.byToken.delete(token);
    ex.token = undefined;
    ex.tokenResult = { output: JSON.parse(output) };
    this.schedule(ex, this.timers.now);
  }

  /** StopExecution: the execution ends ABORTED at once. */
  stop(arn: string): void {
    const ex = this.running.get(arn);
    if (ex === undefined) throw stateError('ExecutionDoesNotExist', `Execution ${arn} does not exist`);
    this.end(ex, 'ABORTED');
  }

  get open(): number {
    return this.running.size;
  }

  private schedule(ex: Execution, at: number): void {
    const step = ++ex.step;
    if (at > ex.startDate + MAX_EXECUTION_MS) {
      this.timeOut(ex, step);
      return;
    }
    this.timers.at(at, () => (ex.step === step && !ex.done ? this.advance(ex) : undefined));
  }

  /** The execution would go on past its year: it ends TIMED_OUT then, unless it moved on (`step`) before. */
  private timeOut(ex: Execution, step: number): void {
    this.timers.at(ex.startDate + MAX_EXECUTION_MS, () => {
      if (ex.step === step && !ex.done)
        this.end(ex, 'TIMED_OUT', 'States.Timeout', 'The execution ran for its longest, a year');
    });
  }

  /** Runs states until the execution waits or ends. */
  private async advance(ex: Execution): Promise<void> {
    while (!ex.done) {
      const state = ex.machine.States[ex.state];
      if (state === undefined) return this.fail(ex, 'States.Runtime', `No state ${ex.state}`);
      if (ex.tokenResult === undefined) {
        // A pending retry plan means the Task is retried: the same entry.
        if (ex.retry === undefined) ex.stamps.enter(ex.state, this.timers.now);
        this.transitions += 1;
        // AWS records the 25,000th event only if it ends the execution well: a state past that fails it.
        ex.history += stateHistoryEvents(state);
        if (ex.history >= MAX_HISTORY_EVENTS) return this.fail(ex, HISTORY_FULL.error, HISTORY_FULL.cause);
      }
      try {
        const next = await this.run(ex, state);
        if (next === 'wait') return;
        if (next === 'end') return this.end(ex, 'SUCCEEDED');
        ex.retry = undefined;
        ex.state = next;
      } catch (error) {
        const name = error instanceof Error ? error.name : 'States.Runtime';
        const cause =
          error instanceof StatesError
            ? error.detail
            : error instanceof Error
              ? error.message
              : String(error);
        if (state.Type !== 'Task') return this.fail(ex, name, cause);
        if (this.retryLater(ex, state, name)) return;
        const catcher = state.Catch?.[matchingRule(state.Catch, name)];
        if (catcher === undefined) return this.fail(ex, name, cause);
        this.caught(ex, catcher, name, cause);
      }
    }
  }

  private caught(ex: Execution, catcher: Catcher, name: string, cause: string): void {
    ex.data = place(ex.data, catcher.ResultPath, { Error: name, Cause: cause });
    ex.state = catcher.Next;
    ex.retry = undefined;
  }

  private retryLater(ex: Execution, state: TaskState, name: string): boolean {
    if (state.Retry === undefined) return false;
    ex.retry ??= new RetryPlan(state.Retry, `${ex.arn}:${ex.state}`);
    const delay = ex.retry.onFailure(name);
    if (delay === undefined) return false;
    this.schedule(ex, this.timers.now + delay);
    return true;
  }

  private async run(ex: Execution, state: State): Promise<string | 'wait' | 'end'> {
    const after = (s: { Next: string } | { End: true }) => ('Next' in s ? s.Next : 'end');
    switch (state.Type) {
      case 'Succeed':
        return 'end';
      case 'Pass': {
        const value =
          'Result' in state ? state.Result : parameters(state.Parameters, ex.data, this.context(ex));
        ex.data = place(ex.data, state.ResultPath, value);
        return after(state);
      }
      case 'Choice': {
        const chosen = state.Choices.find((c) => matches(c, ex.data));
        return chosen?.Next ?? state.Default;
      }
      case 'Wait': {
        let due: number;
        if ('Seconds' in state) due = this.timers.now + state.Seconds * 1000;
        else {
          const at = 'Timestamp' in state ? state.Timestamp : read(ex.data, state.TimestampPath);
          due = typeof at === 'string' ? Date.parse(at) : Number.NaN;
          if (Number.isNaN(due))
            throw new StatesError('States.Runtime', `Invalid timestamp for Wait ${ex.state}`);
        }
        ex.state = state.Next;
        this.schedule(ex, due);
        return 'wait';
      }
      case 'Task':
        return this.task(ex, state);
    }
  }

  private async task(ex: Execution, state: TaskState): Promise<string | 'wait' | 'end'> {
    const resumed = ex.tokenResult;
    if (resumed !== undefined) {
      ex.tokenResult = undefined;
      if ('error' in resumed) throw withoutStack(() => new StatesError(resumed.error, resumed.cause));
      ex.data = place(ex.data, state.ResultPath, resumed.output);
      return 'Next' in state ? state.Next : 'end';
    }
    const waits = state.Resource.endsWith(WAIT_FOR_TOKEN);
    const token = waits ? `${ex.arn}#${ex.state}#${ex.step}` : undefined;
    if (token !== undefined) {
      ex.token = token;
      this.byToken.set(token, ex);
    }
    const input = parameters(state.Parameters, ex.data, this.context(ex, token));
    const stepBefore = ex.step;
    let output: Json;
    try {
      output = await this.invoke(state.Resource, input, { execution: ex.name, state: ex.state });
    } catch (error) {
      if (token !== undefined) this.forgetToken(ex, token);
      throw error;
    }
    if (ex.done) return 'wait';
    if (token === undefined) {
      ex.data = place(ex.data, state.ResultPath, output);
      return 'Next' in state ? state.Next : 'end';
    }
    // The token came back while the function ran: the timer set then continues the Task.
    if (ex.step !== stepBefore) return 'wait';
    if (state.TimeoutSeconds !== undefined) {
      const step = ex.step;
      const due = this.timers.now + state.TimeoutSeconds * 1000;
      if (due > ex.startDate + MAX_EXECUTION_MS) {
        this.timeOut(ex, step);
        return 'wait';
      }
      this.timers.at(due, () => {
        if (ex.step !== step || ex.done || ex.token !== token) return;
        this.forgetToken(ex, token);
        ex.tokenResult = { error: 'States.Timeout', cause: 'Task timed out' };
        this.schedule(ex, this.timers.now);
      });
    }
    return 'wait';
  }

  private forgetToken(ex: Execution, token: string): void {
    this.byToken.delete(token);
    if (ex.token === token) ex.token = undefined;
  }

  /** The context object of the state entered now, made when first read (most states read none of it). */
  private context(ex: Execution, token?: string): () => Json {
    const name = ex.state;
    const entry = ex.stamps.current;
    const now = this.timers.now;
    let made: Json | undefined;
    return () => {
      made ??= {
        Execution: { Id: ex.arn, Name: ex.name, StartTime: new Date(ex.startDate).toISOString() },
        StateMachine: { Id: ex.machineArn },
        State: {
          Name: name,
          EnteredTime: entry === undefined ? new Date(now).toISOString() : enteredTime(entry.at, entry.entry),
        },
        ...(token === undefined ? {} : { Task: { Token: token } }),
      };
      return made;
    };
  }

  private fail(ex: Execution, error: string, cause: string): void {
    this.end(ex, 'FAILED', error, cause);
  }

  private end(ex: Execution, status: EndStatus, error?: string, cause?: string): void {
    ex.done = true;
    ex.step += 1;
    this.running.delete(ex.arn);
    if (ex.token !== undefined) this.byToken.delete(ex.token);
    const ended: Ended = {
      executionArn: ex.arn,
      stateMachineArn: ex.machineArn,
      name: ex.name,
      status,
      startDate: ex.startDate,
      stopDate: this.timers.now,
      input: ex.input,
      ...(status === 'SUCCEEDED' ? { output: JSON.stringify(ex.data) } : {}),
      ...(error === undefined ? {} : { error, cause }),
    };
    // Status changes reach execution-status through the bus: after the current work, at the same time.
    this.timers.at(this.timers.now, () => this.onEnd(ended));
  }
}
