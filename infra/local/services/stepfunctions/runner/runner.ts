import './runner-polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { HISTORY_FULL, MAX_HISTORY_EVENTS, stateHistoryEvents } from '#shared/journey/checks/loops.ts';
import { matchingRule } from './error-match.ts';
import {
  LOCAL_WAIT_RESOURCE,
  type LocalDefinition,
  localDefinition,
  type TaskInfo,
} from './runner-definition.ts';
import { type EntryListener, EntryStamps, entryOption, tellEntries } from './runner-entries.ts';
import {
  type Continuation,
  nextTurn,
  type ParkedWait,
  type ParkHandler,
  type Resumption,
} from './runner-park.ts';
import { RetryPlan } from './runner-retry.ts';
import { type RunnerTime, StatesTimeoutError, scaledTime } from './runner-time.ts';
import { TaskFailureError, TaskTokenRegistry } from './runner-tokens.ts';
import { buildStateMachine } from './runner-validate.ts';

/**
 * Runs Amazon States Language definitions offline, on aws-local-stepfunctions,
 * with every Task bound to a local async function by its Resource ARN.
 *
 * - `.waitForTaskToken` Tasks get a generated token (`$$.Task.Token`); the
 *   Task waits until `sendTaskSuccess`/`sendTaskFailure` on the token registry,
 *   or fails with `States.Timeout` when its `TimeoutSeconds` expire.
 * - Every Wait, Task timeout and Retry interval runs on the runner's time:
 *   a journey clock (`time`), or real time multiplied by `timeScale`
 *   (1 = real time, 0.001 = a day in 86 s, 0 = no waiting at all).
 * - Each execution reports the state names it entered, in order: exact paths
 *   for tests, and transition counts (Step Functions bills per transition).
 *
 * Build one LocalStateMachine per definition and reuse it: constructing one
 * validates the definition (100–500 ms).
 */

export type { StateMachineDefinition } from 'aws-local-stepfunctions';

export type { Continuation, ParkedWait, ParkHandler, Resumption } from './runner-park.ts';

export type { RunnerTime } from './runner-time.ts';
export { TaskFailureError, TaskTokenNotFoundError, TaskTokenRegistry } from './runner-tokens.ts';

type JsonValue = Parameters<StateMachine['run']>[0];

/** What a local task function learns about the call besides its input. */
type TaskCall = {
  stateName: string;
  resource: string;
  executionName: string;
  /** The task token, for `.waitForTaskToken` resources. */
  token?: string;
  /** Aborted when this attempt of the Task ends: its result, its timeout, or the execution's stop. */
  ended?: AbortSignal;
  /**
   * For a handler that waits on time or on the outside world (a stand-in
   * that takes a while to answer): the execution's hold on time is lifted
   * until `wait` settles or the attempt ends, whichever comes first
   * (undefined then), so the Task's timeout can fire meanwhile. One wait at
   * a time: each lifts the one hold the execution has.
   */
  parked?: <T>(wait: Promise<T>) => Promise<T | undefined>;
};

/**
 * A local stand-in for a Task resource. It receives the Task's effective input
 * (after InputPath and Parameters). For `lambda:invoke*` integrations bound by
 * function name it receives the `Payload`. Throw an Error whose `name` is the
 * error Retry/Catch should see.
 */
export type LocalTaskHandler = (input: unknown, call: TaskCall) => unknown;

export type RunnerOptions = {
  /**
   * Handlers by Resource: a Lambda function ARN (`Resource` = the ARN), an
   * integration ARN (`arn:aws:states:::dynamodb:updateItem`,
   * `arn:aws:states:::events:putEvents`, `arn:aws:states:::lambda:invoke.waitForTaskToken`…),
   * or for `lambda:invoke*` the `FunctionName` given in Parameters.
   */
  handlers: Readonly<Record<string, LocalTaskHandler>>;
  /** Multiplies Waits, Task timeouts and Retry intervals when no `time` is given. Default 1 (real time). */
  timeScale?: number;
  /**
   * The clock executions run on (the local runtime's journey clock): now,
   * timers, and the hold that keeps time still while an execution works.
   * Overrides `timeScale` and `clock`.
   */
  time?: RunnerTime;
  /**
   * The execution's notion of now, epoch ms: `$$.State.EnteredTime` and Wait
   * `Timestamp`/`TimestampPath` targets are read against it. Default the real
   * clock; with a time scale, pass the matching scaled clock so that a wait
   * until a timestamp takes (timestamp − now) × timeScale real time.
   */
  clock?: () => number;
  /** Share one registry between machines so one SendTaskSuccess API reaches them all. */
  tokens?: TaskTokenRegistry;
  /** Used in `$$.StateMachine` and `$$.Execution.Id`. */
  stateMachineName?: string;
};

export type StartOptions = {
  /** The execution name (`$$.Execution.Name`); a random one when absent. */
  name?: string;
  /** Told each state event and Task attempt, at the runner's time (the execution history is built from it). */
  observer?: ExecutionObserver;
  /**
   * Lets the execution park while it waits (a Wait with time to go, a token
   * out with no retry counted): its run is aborted and dropped, and `park`
   * gets the continuation to `resume` it from. `done` then never settles; `finished` does.
   */
  park?: ParkHandler;
};

/** A state event of the interpreter, top level only (Map iterations and Parallel branches are left out). */
export type StateEvent = {
  type: 'StateEntered' | 'StateExited' | 'StateFailed' | 'StateRetried' | 'StateCaught';
  state: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
};

/**
 * One call of a Task's local function, filled in as it goes: the effective
 * input at start, when a `.waitForTaskToken` call handed its token over, and
 * how it ended. Observers keep the reference.
 */
export type TaskAttempt = {
  input: unknown;
  startedAt: number;
  submittedAt?: number;
  submitted?: unknown;
  endedAt?: number;
  output?: unknown;
  /** The error of a failed attempt, as Retry and Catch see it. */
  error?: { name: string; cause: string };
};

/** Watches one execution. Times are epoch ms of the runner's clock. */
export type ExecutionObserver = {
  state(event: StateEvent, at: number): void;
  attempt(stateName: string, attempt: TaskAttempt): void;
};

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** How an execution ended, with the states it entered in order. */
export type ExecutionOutcome = {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
  /** State names entered, in order (a state entered twice appears twice). */
  visited: string[];
  /** Billed state transitions: states entered plus retries. */
  transitions: number;
};

/** One running execution. */
export type LocalExecution = {
  readonly name: string;
  readonly startedAt: Date;
  status(): ExecutionStatus;
  /** The state names entered so far (a live copy). */
  visited(): string[];
  /** Settles when the execution ends; never rejects. */
  readonly done: Promise<ExecutionOutcome>;
  /** Settles when the execution ends or parks. */
  readonly finished: Promise<void>;
  /** Stops the execution (StopExecution); `done` settles as ABORTED. */
  abort(): void;
};

export class LocalStateMachine {
  readonly tokens: TaskTokenRegistry;
  readonly #local: LocalDefinition;
  readonly #machine: StateMachine;
  /** Interpreters that start at a given state, to resume parked executions; built on first use. */
  readonly #resumers = new Map<string, StateMachine>();
  readonly #options: RunnerOptions;
  #counter = 0;

  constructor(definition: StateMachineDefinition, options: RunnerOptions) {
    this.#options = options;
    this.tokens = options.tokens ?? new TaskTokenRegistry();
    this.#local = localDefinition(definition);
    for (const [stateName, info] of this.#local.tasks)
      assertBound(stateName, info.resource, definition, options);
    this.#machine = interpreterFor(this.#local.definition);
  }

  /** The type of each state of the original definition, by name. */
  stateType(name: string): string | undefined {
    return this.#local.stateTypes.get(name);
  }

  /** Starts an execution (StartExecution). */
  start(input: unknown, options: StartOptions = {}): LocalExecution {
    this.#counter += 1;
    const name = options.name ?? `local-${Date.now().toString(36)}-${this.#counter}`;
    return startExecution(this.#machine, this.#local, {
      name,
      input: toJson(input),
      runner: this.#options,
      tokens: this.tokens,
      machineName: this.#options.stateMachineName ?? 'local',
      observer: options.observer,
      park: options.park,
    });
  }

  /**
   * Resumes a parked execution: it re-enters its waiting state (told to
   * observers only once), which ends as `resumption` says, and goes on.
   */
  resume(
    name: string,
    continuation: Continuation,
    resumption: Resumption,
    options: Omit<StartOptions, 'name'> = {},
  ): LocalExecution {
    return startExecution(
      this.#resumer(continuation.state),
      this.#local,
      {
        name,
        input: JSON.parse(continuation.input),
        runner: this.#options,
        tokens: this.tokens,
        machineName: this.#options.stateMachineName ?? 'local',
        observer: options.observer,
        park: options.park,
      },
      { continuation, resumption },
    );
  }

  #resumer(state: string): StateMachine {
    const known = this.#resumers.get(state);
    if (known !== undefined) return known;
    if (this.#local.stateTypes.get(state) === undefined) throw new Error(`No state ${state} to resume at`);
    // The definition was validated whole when this machine was built; only StartAt differs.
    const machine = new StateMachine(
      { ...this.#local.definition, StartAt: state },
      { validationOptions: { noValidate: true } },
    );
    this.#resumers.set(state, machine);
    return machine;
  }
}

/**
 * Building the interpreter's StateMachine validates the definition (100–500
 * ms); the same definition deployed again (a restarted runtime, the next
 * scenario of `journeys test`) reuses it. It holds no execution state.
 * Bounded: the least recently used is dropped.
 */
const INTERPRETERS = new Map<string, StateMachine>();
const MAX_INTERPRETERS = 64;

function interpreterFor(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition);
  const cached = INTERPRETERS.get(key);
  INTERPRETERS.delete(key);
  const machine = cached ?? buildStateMachine(definition);
  INTERPRETERS.set(key, machine);
  const oldest = INTERPRETERS.keys().next().value;
  if (INTERPRETERS.size > MAX_INTERPRETERS && oldest !== undefined) INTERPRETERS.delete(oldest);
  return machine;
}

type ExecutionSetup = {
  name: string;
  input: JsonValue;
  runner: RunnerOptions;
  tokens: TaskTokenRegistry;
  machineName: string;
  observer?: ExecutionObserver;
  park?: ParkHandler;
};

/** A parked execution going on: the continuation it parked with and how its wait ended. */
type Resume = { continuation: Continuation; resumption: Resumption };

/**
 * What an execution's handlers and its event collector share: the states
 * entered, the state being run with its raw input, and whether it parked.
 */
type Progress = {
  visited: string[];
  retries: number;
  /** History events so far, counted per state entered as Step Functions records them (ExecutionStarted first). */
  history: number;
  /** The next state would have taken the history to its limit: the execution fails, as on AWS. */
  historyFull: boolean;
  current?: { state: string; input: unknown };
  /** Set once the resumed state has been re-entered (that entry is not told again). */
  resume?: Resume;
  reentered: boolean;
  /** The resumed state's handler has taken its outcome. */
  resumedTaken: boolean;
  parked?: Continuation;
  /** Each state entry's `$$.State.EnteredTime`. */
  stamps: EntryStamps;
  abortRun: () => void;
};

function startExecution(
  machine: StateMachine,
  local: LocalDefinition,
  setup: ExecutionSetup,
  resume?: Resume,
): LocalExecution {
  const stopped = new AbortController();
  const visited = [...(resume?.continuation.visited ?? [])];
  const progress: Progress = {
    visited,
    retries: resume?.continuation.retries ?? 0,
    history: visited.reduce((n, state) => n + historyEventsOf(local, state), 1),
    historyFull: false,
    resume,
    reentered: false,
    resumedTaken: false,
    stamps: new EntryStamps(resume?.continuation.entries),
    abortRun: () => undefined,
  };
  let status: ExecutionStatus = 'RUNNING';
  const tokenSlot: { token?: string } = {};
  // The execution holds the clock from start to end, except while it waits.
  const release = timeOf(setup.runner).hold();
  const handlers = localHandlers(local, setup, stopped.signal, tokenSlot, progress);
  tellEntries(StateMachine);
  const run = machine.run(setup.input, {
    noThrowOnAbort: true,
    context: executionContext(setup, tokenSlot, progress.stamps),
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryOverrides(local) },
    ...entryOption(enteredAt(setup, progress)),
  });
  progress.abortRun = () => {
    stopped.abort();
    run.abort();
  };
  const observe = observerOf(setup);
  const collected = collect(run, progress, stopped.signal, observe, (state) =>
    historyEventsOf(local, state),
  ).then((outcome) => {
    stopped.abort();
    release();
    if (outcome !== undefined) status = outcome.status;
    return outcome;
  });
  // A parked execution does not end here: it goes on in the run that resumes it.
  const done = collected.then((outcome) => outcome ?? new Promise<ExecutionOutcome>(() => undefined));
  return {
    name: setup.name,
    startedAt: new Date(timeOf(setup.runner).now()),
    status: () => status,
    visited: () => [...progress.visited],
    done,
    finished: collected.then(() => undefined),
    abort: () => {
      stopped.abort();
      run.abort();
    },
  };
}

/**
 * Stamps each state entry with the runner's now (runner-entries.ts), in Map iterations and Parallel branches too.
 * The entry that resumes a parked execution is the entry it parked in: it
 * keeps that entry's EnteredTime.
 */
function enteredAt(setup: ExecutionSetup, progress: Progress): EntryListener {
  const now = timeOf(setup.runner).now;
  let resuming = progress.resume?.continuation;
  return (state, nested) => {
    if (nested) return progress.stamps.nested(state, now());
    const parkedIn = resuming;
    resuming = undefined;
    if (parkedIn?.state === state && parkedIn.entries?.current !== undefined) return undefined;
    return progress.stamps.enter(state, now());
  };
}

/**
 * The Context Object: `$$.Task.Token` is a fresh token per Task attempt,
 * `$$.State.EnteredTime` when the current state was entered (a retry of the
 * entry reads the same).
 */
function executionContext(setup: ExecutionSetup, tokenSlot: { token?: string }, stamps: EntryStamps) {
  const machineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:${setup.machineName}`;
  return {
    Execution: {
      Id: `arn:aws:states:us-east-1:000000000000:execution:${setup.machineName}:${setup.name}`,
      Name: setup.name,
    },
    StateMachine: { Id: machineArn, Name: setup.machineName },
    State: {
      get EnteredTime() {
        return stamps.current ?? new Date(timeOf(setup.runner).now()).toISOString();
      },
    },
    Task: {
      // Read while Parameters are evaluated, just before the Task's handler runs:
      // the same token until that handler takes it.
      get Token() {
        tokenSlot.token ??= setup.tokens.newToken();
        return tokenSlot.token;
      },
    },
  };
}

/** Passes the interpreter's top-level state events to the observer, stamped with the runner's now. */
function observerOf(setup: ExecutionSetup) {
  const { observer } = setup;
  if (observer === undefined) return (_event: EventLog) => undefined;
  const now = timeOf(setup.runner).now;
  return (event: EventLog) => {
    if (!('state' in event) || event.index !== undefined) return;
    const base = { type: event.type, state: event.state.name, input: event.state.input };
    if (event.type === 'StateExited') observer.state({ ...base, output: event.state.output }, now());
    else if (event.type === 'StateFailed')
      observer.state({ ...base, error: event.Error, cause: causeText(event.Cause) }, now());
    else observer.state(base, now());
  };
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause ?? '');
}

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** Follows the interpreter's events to the execution's end; undefined when it parked instead. */
async function collect(
  run: ReturnType<StateMachine['run']>,
  progress: Progress,
  stopped: AbortSignal,
  observe: (event: EventLog) => void,
  historyEvents: (state: string) => number,
): Promise<ExecutionOutcome | undefined> {
  let failure: { error: string; cause: string } | undefined;
  const logs = (async () => {
    for await (const event of run.eventLogs) {
      if (event.type === 'StateEntered' && isReentry(progress, event)) continue;
      if (progress.historyFull) continue;
      if (event.type === 'StateEntered' && event.index === undefined) {
        progress.history += historyEvents(event.state.name);
        // AWS records a 25,000th event only if it ends the execution well: this state fails it instead.
        if (progress.history >= MAX_HISTORY_EVENTS) {
          progress.historyFull = true;
          progress.abortRun();
          continue;
        }
      }
      observe(event);
      if (event.type === 'StateEntered') {
        progress.visited.push(event.state.name);
        if (event.index === undefined)
          progress.current = { state: event.state.name, input: event.state.input };
      } else if (event.type === 'StateRetried') progress.retries += 1;
      else if (event.type === 'ExecutionFailed') failure = { error: event.Error, cause: String(event.Cause) };
    }
  })();
  const result = await run.result.then(
    (output) => ({ ok: true as const, output }),
    () => ({ ok: false as const }),
  );
  await logs;
  if (progress.parked !== undefined) return undefined;
  const visited = [...progress.visited];
  const base = { visited, transitions: visited.length + progress.retries };
  if (progress.historyFull) return { status: 'FAILED', ...HISTORY_FULL, ...base };
  if (stopped.aborted) return { status: 'ABORTED', ...base };
  if (result.ok) return { status: 'SUCCEEDED', output: result.output, ...base };
  return {
    status: 'FAILED',
    error: failure?.error ?? 'States.Runtime',
    cause: failure?.cause ?? '',
    ...base,
  };
}

/** The first entry of the state a parked execution resumes at was told before it parked. */
function isReentry(progress: Progress, event: EventLog & { type: 'StateEntered' }): boolean {
  if (progress.reentered || progress.resume === undefined || event.index !== undefined) return false;
  if (event.state.name !== progress.resume.continuation.state) return false;
  progress.reentered = true;
  progress.current = { state: event.state.name, input: event.state.input };
  return true;
}

/** Task retries are timed by the runner (RetryPlan); the interpreter retries at once. */
function retryOverrides(local: LocalDefinition): Record<string, number[]> {
  // Keyed by state names (step ids users choose): no prototype to collide with.
  const overrides: Record<string, number[]> = Object.create(null);
  for (const [name, retriers] of local.retriers)
    if (local.tasks.has(name)) overrides[name] = retriers.map(() => 0);
  return overrides;
}

type Handlers = Record<string, (input: JsonValue) => Promise<JsonValue>>;

type HandlerContext = {
  setup: ExecutionSetup;
  stopped: AbortSignal;
  tokenSlot: { token?: string };
  progress: Progress;
};

function localHandlers(
  local: LocalDefinition,
  setup: ExecutionSetup,
  stopped: AbortSignal,
  tokenSlot: { token?: string },
  progress: Progress,
): Handlers {
  const context: HandlerContext = { setup, stopped, tokenSlot, progress };
  const handlers: Handlers = Object.create(null);
  for (const name of local.waits) handlers[name] = waitHandler(context, name);
  for (const [stateName, info] of local.tasks)
    handlers[stateName] = taskHandler(context, local, stateName, info);
  return handlers;
}

function waitHandler(context: HandlerContext, name: string): (input: JsonValue) => Promise<JsonValue> {
  const { setup, stopped } = context;
  const time = timeOf(setup.runner);
  return async (input) => {
    if (resumedOutcome(context.progress, name) !== undefined) return null;
    const ms = waitMs(input, time.now);
    // Parked: the run is aborted; returning lets the interpreter clear its own timer for the state.
    if (ms > 0 && (await parkHere(context, name, { kind: 'wait', until: time.now() + ms }))) return null;
    await time.parked(time.sleep(ms, stopped, `${setup.name}/${name}`));
    return null;
  };
}

function taskHandler(
  context: HandlerContext,
  local: LocalDefinition,
  stateName: string,
  info: TaskInfo,
): (input: JsonValue) => Promise<JsonValue> {
  const { setup, stopped, tokenSlot } = context;
  const time = timeOf(setup.runner);
  const retries = new RetryPlan(local.retriers.get(stateName) ?? [], `${setup.name}:${stateName}`);
  const attempt = async (input: JsonValue, seen: TaskAttempt) => {
    const ended = new AbortController();
    const call: TaskCall = {
      stateName,
      resource: info.resource,
      executionName: setup.name,
      ended: ended.signal,
      parked: (wait) => time.parked(untilAborted(wait, ended.signal)),
    };
    const timeoutMs = info.timeoutSeconds === undefined ? undefined : info.timeoutSeconds * 1000;
    try {
      if (!info.waitsForToken)
        return toJson(await withTimeout(time, invoke(setup.runner, call, input), timeoutMs, call, stopped));
      const token = tokenSlot.token ?? setup.tokens.newToken();
      tokenSlot.token = undefined;
      const parkable = retries.fresh ? context : undefined;
      return toJson(await awaitToken(setup, { ...call, token }, input, timeoutMs, stopped, seen, parkable));
    } finally {
      // A handler's parked wait ends with the attempt: the hold is back before the execution goes on.
      ended.abort();
    }
  };
  return async (input) => {
    // A stopped execution calls nothing more (the interpreter would still retry a failed attempt).
    if (stopped.aborted || (await historyFull(context.progress))) return null;
    const resumed = resumedOutcome(context.progress, stateName);
    const seen: TaskAttempt =
      resumed?.attempt === undefined ? { input, startedAt: time.now() } : { ...resumed.attempt };
    setup.observer?.attempt(stateName, seen);
    try {
      const output =
        resumed === undefined ? await attempt(input, seen) : resumedOutput(resumed.resumption, stateName);
      if (context.progress.parked !== undefined) return null;
      Object.assign(seen, { endedAt: time.now(), output });
      retries.reset();
      return output;
    } catch (error) {
      seen.endedAt = time.now();
      seen.error = error instanceof Error ? { name: error.name, cause: error.message } : undefined;
      const name = error instanceof Error ? error.name : 'Error';
      const delay = retries.onFailure(name);
      if (delay !== undefined) await time.parked(time.sleep(delay, stopped, `${setup.name}/${stateName}`));
      const catchers = local.catchers.get(stateName) ?? [];
      if (error instanceof Error)
        handledAsOnAws(error, delay !== undefined, matchingRule(catchers, name) >= 0);
      throw error;
    }
  };
}

/**
 * Tells the interpreter whether a Task's error is retried and caught, as
 * Step Functions decides (error-match.ts): left to itself, it lets
 * `States.ALL` take any error a handler throws, `States.Runtime` and
 * `States.DataLimitExceeded` among them. It reads these two flags before
 * matching its rules (its own `States.Runtime` errors carry them already).
 */
function handledAsOnAws(error: Error, retried: boolean, caught: boolean): void {
  Object.defineProperty(error, 'isRetryable', { value: retried, configurable: true });
  Object.defineProperty(error, 'isCatchable', { value: caught, configurable: true });
}

/** History events one entry of `state` adds, as the validator's loop warning counts them. */
function historyEventsOf(local: LocalDefinition, state: string): number {
  return stateHistoryEvents({
    Type: local.stateTypes.get(state) ?? 'Task',
    Resource: local.tasks.get(state)?.resource,
  });
}

/** More history events than the few states whose entries the interpreter may not have told yet. */
const NEAR_HISTORY_LIMIT = 64;

/**
 * Whether entering this Task filled the execution's history. The
 * interpreter's events lag behind its calls: near the limit, a Task's call
 * waits for them to catch up, so that it never runs past the limit.
 */
async function historyFull(progress: Progress): Promise<boolean> {
  if (progress.history + NEAR_HISTORY_LIMIT < MAX_HISTORY_EVENTS) return false;
  await nextTurn();
  return progress.historyFull;
}

/** The first call of the state a parked execution resumes at ends as its resumption says, once. */
function resumedOutcome(
  progress: Progress,
  state: string,
): { resumption: Resumption; attempt?: TaskAttempt } | undefined {
  const resume = progress.resume;
  if (resume === undefined || progress.resumedTaken || resume.continuation.state !== state) return undefined;
  progress.resumedTaken = true;
  const wait = resume.continuation.wait;
  return { resumption: resume.resumption, attempt: wait.kind === 'token' ? { ...wait.attempt } : undefined };
}

function resumedOutput(resumption: Resumption, stateName: string): JsonValue {
  if (resumption.kind === 'timeout') throw new StatesTimeoutError(stateName);
  if (resumption.kind === 'elapsed') return null;
  const { settlement } = resumption;
  if (!settlement.ok) throw new TaskFailureError(settlement.error, settlement.cause);
  return toJson(settlement.output);
}

/**
 * Parks the execution in `state` if it may: parking was asked for, the
 * interpreter's events have caught up with the state (its raw input is
 * known) and nothing ended the wait meanwhile. Hands the continuation over
 * and drops the run; false to wait live instead.
 */
async function parkHere(
  context: HandlerContext,
  state: string,
  wait: ParkedWait,
  ended: () => boolean = () => false,
): Promise<boolean> {
  const { setup, progress, stopped } = context;
  if (setup.park === undefined) return false;
  await nextTurn();
  const entered = progress.current;
  if (stopped.aborted || ended() || entered?.state !== state) return false;
  const continuation: Continuation = {
    state,
    input: JSON.stringify(entered.input ?? null),
    visited: [...progress.visited],
    retries: progress.retries,
    entries: progress.stamps.save(),
    wait,
  };
  progress.parked = continuation;
  setup.park(continuation);
  progress.abortRun();
  return true;
}

async function awaitToken(
  setup: ExecutionSetup,
  call: TaskCall & { token: string },
  input: JsonValue,
  timeoutMs: number | undefined,
  stopped: AbortSignal,
  seen: TaskAttempt,
  parkable?: HandlerContext,
): Promise<unknown> {
  const owner = { executionName: setup.name, stateName: call.stateName };
  const settlement = setup.tokens.wait(call.token, owner);
  let arrived = false;
  settlement.then(() => {
    arrived = true;
  });
  const time = timeOf(setup.runner);
  let parked = false;
  try {
    const submitted = await invoke(setup.runner, call, input);
    Object.assign(seen, { submittedAt: time.now(), submitted: toJson(submitted) });
    if (parkable !== undefined) {
      const timeoutAt = timeoutMs === undefined ? undefined : time.now() + timeoutMs;
      const attempt = {
        input: seen.input,
        startedAt: seen.startedAt,
        submittedAt: seen.submittedAt,
        submitted: seen.submitted,
      };
      const wait: ParkedWait = {
        kind: 'token',
        token: call.token,
        attempt,
        ...(timeoutAt === undefined ? {} : { timeoutAt }),
      };
      parked = await parkHere(parkable, call.stateName, wait, () => arrived);
      // The token now belongs to whoever resumes the execution; the aborted run ends here.
      if (parked) return null;
    }
    // Waiting for the token is waiting on the outside world: time may move meanwhile.
    const settled = await time.parked(withTimeout(time, settlement, timeoutMs, call, stopped));
    if (settled === undefined) return null;
    if (!settled.ok) throw new TaskFailureError(settled.error, settled.cause);
    return settled.output;
  } finally {
    if (!parked) setup.tokens.forget(call.token);
  }
}

/** `wait`, or undefined as soon as `signal` aborts. */
function untilAborted<T>(wait: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return Promise.race([
    wait,
    new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined))),
  ]);
}

/** Races `work` against the Task timeout (States.Timeout) and the execution's stop (undefined). */
async function withTimeout<T>(
  time: RunnerTime,
  work: Promise<T>,
  timeoutMs: number | undefined,
  call: TaskCall,
  stopped: AbortSignal,
): Promise<T | undefined> {
  const finished = new AbortController();
  const signal = AbortSignal.any([finished.signal, stopped]);
  const timer =
    timeoutMs === undefined
      ? new Promise<never>(() => undefined)
      : time.sleep(timeoutMs, signal, `${call.executionName}/${call.stateName}`).then(() => {
          if (!signal.aborted) throw new StatesTimeoutError(call.stateName);
          return undefined;
        });
  const stop = new Promise<undefined>((resolve) =>
    stopped.addEventListener('abort', () => resolve(undefined)),
  );
  try {
    return await Promise.race([work, timer, stop]);
  } finally {
    finished.abort();
  }
}

/** The handler bound to a resource or function name: a name such as `constructor` is data, never inherited. */
function handlerOf(runner: RunnerOptions, name: string): LocalTaskHandler | undefined {
  return Object.hasOwn(runner.handlers, name) ? runner.handlers[name] : undefined;
}

async function invoke(runner: RunnerOptions, call: TaskCall, input: JsonValue): Promise<unknown> {
  const byFunction = invokedFunction(call.resource, input);
  if (byFunction !== undefined) {
    const handler = handlerOf(runner, byFunction.name);
    if (handler !== undefined) return asLambda(() => handler(byFunction.payload, call));
  }
  const handler = handlerOf(runner, call.resource);
  if (handler === undefined)
    throw new Error(`No local handler for ${call.resource} (state ${call.stateName})`);
  if (call.resource.startsWith('arn:aws:lambda:')) return asLambda(() => handler(input, call));
  return handler(input, call);
}

/**
 * Runs a local Lambda handler the way Step Functions sees a Lambda function:
 * an error keeps its name (what Retry and Catch match) and its Cause is the
 * JSON the Node.js runtime reports, `{"errorType","errorMessage","trace"}`.
 */
async function asLambda(run: () => unknown): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const cause = JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] });
    throw new TaskFailureError(error.name, cause);
  }
}

function invokedFunction(resource: string, input: JsonValue): { name: string; payload: unknown } | undefined {
  if (!resource.startsWith('arn:aws:states:::lambda:invoke')) return undefined;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const name = input.FunctionName;
  return typeof name === 'string' ? { name, payload: input.Payload ?? null } : undefined;
}

function assertBound(
  stateName: string,
  resource: string,
  definition: StateMachineDefinition,
  options: RunnerOptions,
) {
  if (resource === LOCAL_WAIT_RESOURCE || handlerOf(options, resource) !== undefined) return;
  const state = definition.States[stateName];
  const parameters = state !== undefined && 'Parameters' in state ? state.Parameters : undefined;
  const fn =
    parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters)
      ? parameters?.FunctionName
      : undefined;
  if (typeof fn === 'string' && handlerOf(options, fn) !== undefined) return;
  throw new Error(`State ${stateName}: no local handler for resource ${resource}`);
}

function timeOf(runner: RunnerOptions): RunnerTime {
  return runner.time ?? scaledTime(runner.timeScale ?? 1, runner.clock ?? Date.now);
}

/** The wait in the execution's time: a timestamp counts from the runner's clock, not the real one. */
function waitMs(input: JsonValue, now: () => number): number {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return 0;
  if (typeof input.seconds === 'number') return input.seconds * 1000;
  if (typeof input.timestamp === 'string') {
    const at = Date.parse(input.timestamp);
    if (Number.isNaN(at))
      throw new TaskFailureError('States.Runtime', `Invalid timestamp ${input.timestamp}`);
    return at - now();
  }
  return 0;
}

/** Task results travel as JSON, as they do between Lambda and Step Functions. */
function toJson(value: unknown): JsonValue {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
