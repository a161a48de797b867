import { AwsApiError } from '../../../runtime/http.ts';
import {
  type Continuation,
  type ExecutionOutcome,
  type LocalExecution,
  LocalStateMachine,
  type LocalTaskHandler,
  type Resumption,
  type RunnerTime,
  type StateMachineDefinition,
  TaskTokenNotFoundError,
  TaskTokenRegistry,
} from '../runner/runner.ts';
import { executionArn, machineArn, parseExecutionArn, parseMachineArn } from './arns.ts';
import {
  type ExecutionLog,
  type ExecutionRecord,
  executionRecord,
  type ParkedExecution,
} from './executions.ts';
import { type HistoryEvent, HistoryRecorder, historyFromRecord } from './history.ts';

/** A history that starts over from the execution's start (its parked history was lost). */
function historyFromStart(
  states: StateMachineDefinition['States'],
  record: ExecutionRecord,
  roleArn: string,
) {
  return new HistoryRecorder(states, record, roleArn);
}

import { MAX_STATE_BYTES } from '#shared/journey/state-budget.ts';
import type { HistoryStore } from './history-store.ts';
import type { MachineStore } from './machines.ts';

export type StepFunctionsOptions = {
  machines: MachineStore;
  executions: ExecutionLog;
  /** Local functions by Task resource (function ARNs and integration ARNs). */
  handlers: Readonly<Record<string, LocalTaskHandler>>;
  /** Journey time: executions wait, time out and retry on it, and hold it while they work. */
  time: RunnerTime;
  onExecutionEnd?: (record: ExecutionRecord) => void;
  /**
   * Executions the previous run left at work, read back as aborted: their
   * ends are announced by `announceAbandoned`, once what handles them is ready.
   */
  abandoned?: readonly ExecutionRecord[];
  /** Execution histories (GetExecutionHistory); without it, histories are not recorded. */
  histories?: HistoryStore;
  /**
   * Versions kept per state machine besides those an alias routes to: the
   * newest this many others (the rule of shared/journey/version-retention.ts).
   * Without it, every version is kept until deleted through the API.
   */
  keepVersions?: number;
};

/**
 * An execution at work; `finished` settles once it has ended (its final
 * record written) or parked. `run` is absent while a resumed one loads.
 */
type Running = {
  run?: LocalExecution;
  history?: HistoryRecorder;
  finished: Promise<void>;
  stop?: { error?: string; cause?: string };
};

/** A parked execution's hold on its timers and token; `ready` settles once its parking is written. */
type Parked = { cancel: () => void; ready: Promise<void> };

type States = StateMachineDefinition['States'];

/**
 * The Step Functions service behind the local API: state machines with
 * versions and aliases, executions run by the local runner, task tokens.
 */
export class LocalStepFunctions {
  readonly tokens = new TaskTokenRegistry();
  private readonly compiled = new Map<string, { local: LocalStateMachine; states: States }>();
  private readonly running = new Map<string, Running>();
  /** Waiting executions: no interpreter run, only a timer or a token listener each. */
  private readonly parked = new Map<string, Parked>();
  private abandonedAnnounced = false;

  constructor(private readonly options: StepFunctionsOptions) {}

  get machines(): MachineStore {
    return this.options.machines;
  }

  /** Every execution record, running or ended (the read API lists them). */
  executionRecords(): Iterable<ExecutionRecord> {
    return this.options.executions.records.values();
  }

  /** StartExecution: on a machine, a version or an alias; a name is unique per state machine. */
  async startExecution(arn: string, name: string, input: string): Promise<ExecutionRecord> {
    withinPayloadLimit('input', input);
    const resolved = this.machines.resolve(parseMachineArn(arn));
    const machine = resolved.machine.name;
    const execArn = executionArn(machine, name);
    const existing = this.options.executions.records.get(execArn);
    if (existing !== undefined) {
      // AWS accepts a repeat of a running execution with the same input, and nothing else.
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${execArn}'`);
    }
    const revision = resolved.version?.revision ?? resolved.machine.revision;
    const { local, states } = this.compile(machine, revision, resolved.definition);
    const record: ExecutionRecord = {
      executionArn: execArn,
      stateMachineArn: machineArn(machine),
      machine,
      name,
      status: 'RUNNING',
      input,
      startDate: this.nowSeconds(),
      version: resolved.version?.version,
      alias: resolved.alias?.name,
      stateMachineVersionArn: resolved.version && `${machineArn(machine)}:${resolved.version.version}`,
      stateMachineAliasArn: resolved.alias && `${machineArn(machine)}:${resolved.alias.name}`,
      visited: [],
      transitions: 0,
    };
    await this.options.executions.write(record);
    const history = this.recordHistory(record, states, resolved.machine.roleArn);
    this.launch(record, revision, history, (park) =>
      local.start(JSON.parse(input), { name, observer: history, park }),
    );
    return record;
  }

  /**
   * Runs an execution (started or resumed) until it ends or parks. Its own
   * hold on time ends with its last state, a few microtasks before its final
   * record is written (no idle check in between): time waits again until that
   * record is written and its status event put.
   */
  private launch(
    record: ExecutionRecord,
    revision: number,
    history: HistoryRecorder | undefined,
    begin: (park: (continuation: Continuation) => void) => LocalExecution,
    entry: Running = { finished: Promise.resolve() },
  ): void {
    let settle: () => void = () => undefined;
    entry.history = history;
    entry.finished = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.running.set(record.executionArn, entry);
    const run = begin((continuation) => {
      const release = this.options.time.hold();
      this.park(record, entry, { ...continuation, revision })
        .catch((error: unknown) => this.fail(record, entry, error))
        .finally(() => {
          release();
          settle();
        });
    });
    entry.run = run;
    if (entry.stop !== undefined) run.abort();
    run.done.then((outcome) => {
      const release = this.options.time.hold();
      return this.finish(record, entry, outcome).finally(() => {
        release();
        settle();
      });
    });
  }

  /**
   * Announces the end of each execution the previous run left at work (call once the
   * bus routes the status changes): as on AWS, an aborted execution is reported, so
   * its enrollment ends, its waiting steps go and its outcome is counted.
   */
  announceAbandoned(): void {
    if (this.abandonedAnnounced) return;
    this.abandonedAnnounced = true;
    for (const record of this.options.abandoned ?? []) this.options.onExecutionEnd?.(record);
  }

  /** Arms the executions a previous run left parked (call once the task handlers are bound). */
  resumeParked(): void {
    for (const record of this.options.executions.records.values())
      if (record.status === 'RUNNING' && record.parked !== undefined) this.arm(record, Promise.resolve());
  }

  /** An execution parks: its history and continuation go to disk, a timer or token listener waits for it. */
  private async park(record: ExecutionRecord, entry: Running, parked: ParkedExecution): Promise<void> {
    const waiting = executionRecord({
      ...record,
      visited: parked.visited,
      transitions: parked.visited.length + parked.retries,
      parked,
    });
    this.running.delete(record.executionArn);
    if (entry.stop !== undefined) {
      // Stopped while it was parking: it ends here.
      await this.finish(waiting, entry, this.abortedOutcome(parked));
      return;
    }
    const ready = (async () => {
      await this.options.histories?.park(record.executionArn);
      await this.options.executions.write(waiting);
    })();
    this.arm(waiting, ready);
    await ready;
  }

  /** Waits for a parked execution's timer or token, then resumes it. */
  private arm(record: ExecutionRecord, ready: Promise<void>): void {
    const parked = record.parked;
    if (parked === undefined) return;
    const arn = record.executionArn;
    const stop = new AbortController();
    const { wait } = parked;
    const cancel = () => {
      stop.abort();
      if (wait.kind === 'token') this.tokens.forget(wait.token);
    };
    const go = (resumption: Resumption) => {
      if (this.parked.get(arn)?.cancel !== cancel) return;
      cancel();
      this.parked.delete(arn);
      this.resume(record, parked, resumption, ready);
    };
    this.parked.set(arn, { cancel, ready });
    // The key a live wait would have: timers due at one instant fire in the same order.
    const key = `${record.name}/${parked.state}`;
    if (wait.kind === 'wait') this.at(wait.until, stop.signal, key, () => go({ kind: 'elapsed' }));
    else {
      const owner = { executionName: record.name, stateName: parked.state };
      this.tokens.listen(wait.token, owner, (settlement) => go({ kind: 'settled', settlement }));
      if (wait.timeoutAt !== undefined)
        this.at(wait.timeoutAt, stop.signal, key, () => go({ kind: 'timeout' }));
    }
  }

  private at(atMs: number, signal: AbortSignal, key: string, fire: () => void): void {
    const { time } = this.options;
    time.sleep(Math.max(0, atMs - time.now()), signal, key).then(() => {
      if (!signal.aborted) fire();
    });
  }

  /**
   * Re-enters a parked execution's waiting state in a fresh run, its history
   * read back from disk. The loading holds time until the run starts; from
   * then on the run holds it itself, and lifts that hold while it waits
   * without parking (a Wait already over, a Retry interval, a call's delay):
   * a hold kept to the run's end would stop time under those waits for good.
   */
  private resume(
    record: ExecutionRecord,
    parked: ParkedExecution,
    resumption: Resumption,
    ready: Promise<void>,
  ): void {
    this.load(record, async (entry) => {
      await ready;
      const { local, states } = this.compile(
        record.machine,
        parked.revision,
        this.definitionOf(record, parked.revision),
      );
      const history = await this.options.histories?.unpark(record.executionArn, states, () =>
        historyFromStart(states, record, this.roleOf(record)),
      );
      this.launch(
        record,
        parked.revision,
        history,
        (park) => local.resume(record.name, parked, resumption, { observer: history, park }),
        entry,
      );
    });
  }

  /** StopExecution of a parked execution: it ends ABORTED in the state it waits in, without a run. */
  private stopParked(
    record: ExecutionRecord,
    stop: { error?: string; cause?: string },
    ready: Promise<void>,
  ): void {
    const parked = record.parked;
    if (parked === undefined) return;
    this.load(record, async (entry) => {
      entry.stop = stop;
      await ready;
      const states = this.statesOf(record);
      const history = await this.options.histories?.unpark(record.executionArn, states, () =>
        historyFromStart(states, record, this.roleOf(record)),
      );
      if (history !== undefined && parked.wait.kind === 'token')
        history.attempt(parked.state, { ...parked.wait.attempt });
      entry.history = history;
      await this.finish(record, entry, this.abortedOutcome(parked));
    });
  }

  /**
   * Work on a parked execution counts as running from this instant: time
   * holds and `idle` waits until it is done; a failure ends the execution.
   */
  private load(record: ExecutionRecord, work: (entry: Running) => Promise<void>): void {
    const release = this.options.time.hold();
    const entry: Running = { finished: Promise.resolve() };
    this.running.set(record.executionArn, entry);
    const finished = work(entry)
      .catch((error: unknown) => this.fail(record, entry, error))
      .finally(release);
    entry.finished = finished;
  }

  /** Ends an execution the runtime could not go on with (its definition is gone, its files unreadable). */
  private async fail(record: ExecutionRecord, entry: Running, error: unknown): Promise<void> {
    const visited = record.parked?.visited ?? record.visited;
    await this.finish(record, entry, {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: error instanceof Error ? error.message : String(error),
      visited,
      transitions: visited.length + (record.parked?.retries ?? 0),
    });
  }

  private abortedOutcome(parked: ParkedExecution): ExecutionOutcome {
    return {
      status: 'ABORTED',
      visited: parked.visited,
      transitions: parked.visited.length + parked.retries,
    };
  }

  /** The definition a parked execution runs: its version's, or the machine's if unchanged since. */
  private definitionOf(record: ExecutionRecord, revision: number): string {
    const machine = this.machines.get(record.machine);
    if (record.version !== undefined) return this.machines.definitionOfVersion(machine, record.version);
    if (machine.revision === revision) return machine.definition;
    throw new Error(`${record.machine} changed while the execution waited; revision ${revision} is not kept`);
  }

  private statesOf(record: ExecutionRecord): States {
    if (record.parked === undefined) return {};
    try {
      const parsed: StateMachineDefinition = JSON.parse(this.definitionOf(record, record.parked.revision));
      return parsed.States;
    } catch {
      return {};
    }
  }

  private roleOf(record: ExecutionRecord): string {
    return this.machines.has(record.machine) ? this.machines.get(record.machine).roleArn : '';
  }

  /** Resolves when every execution at work has ended or parked (tests and the demo). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((e) => e.finished));
  }

  runningCount(): number {
    return this.running.size;
  }

  /**
   * Saves the state machines after a change, first dropping the versions no
   * one needs any more (see `keepVersions`) and the runners built for them.
   */
  async saveMachines(): Promise<void> {
    const keep = this.options.keepVersions;
    // Without a count, only deleted versions whose executions have all ended are forgotten.
    this.pruneVersions(keep ?? Number.POSITIVE_INFINITY);
    await this.machines.save();
  }

  /** DeleteStateMachineVersion; the executions running on the version finish on it. */
  async deleteVersion(machineName: string, version: number): Promise<void> {
    const running = this.runningVersions().get(machineName) ?? new Set();
    this.machines.deleteVersion(this.machines.get(machineName), version, running);
    await this.saveMachines();
  }

  /** The versions running executions are on, by machine. */
  private runningVersions(): Map<string, Set<number>> {
    const byMachine = new Map<string, Set<number>>();
    for (const record of this.options.executions.records.values()) {
      if (record.status !== 'RUNNING' || record.version === undefined) continue;
      const versions = byMachine.get(record.machine) ?? new Set<number>();
      byMachine.set(record.machine, versions.add(record.version));
    }
    return byMachine;
  }

  private pruneVersions(keep: number): void {
    const running = this.runningVersions();
    const needed = new Set<string>();
    for (const machine of this.machines.list()) {
      this.machines.pruneVersions(machine, keep, running.get(machine.name) ?? new Set());
      needed.add(`${machine.name}:${machine.revision}`);
      for (const v of machine.versions) needed.add(`${machine.name}:${v.revision}`);
    }
    // A runner is a cache: one for a revision no version keeps is built again if ever needed.
    for (const key of this.compiled.keys()) if (!needed.has(key)) this.compiled.delete(key);
  }

  /** Executions waiting parked (a Wait, a task token). */
  parkedCount(): number {
    return this.parked.size;
  }

  /** StopExecution: aborts a running execution with the given error and cause. */
  stopExecution(arn: string, error?: string, cause?: string): void {
    const record = this.describeExecution(arn);
    const parked = this.parked.get(record.executionArn);
    if (parked !== undefined) {
      parked.cancel();
      this.parked.delete(record.executionArn);
      const stored = this.options.executions.records.get(record.executionArn);
      if (stored !== undefined) this.stopParked(stored, { error, cause }, parked.ready);
      return;
    }
    const entry = this.running.get(record.executionArn);
    if (entry === undefined) return;
    entry.stop = { error, cause };
    entry.run?.abort();
  }

  describeExecution(arn: string): ExecutionRecord {
    const { machine, name } = parseExecutionArn(arn);
    const record = this.options.executions.records.get(executionArn(machine, name));
    if (record === undefined)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const entry = this.running.get(record.executionArn);
    const visited = entry?.run?.visited() ?? record.parked?.visited ?? record.visited;
    const { parked: _parked, ...described } = record;
    return { ...described, visited };
  }

  /** GetExecutionHistory: the events of a running or ended execution, oldest first. */
  async history(arn: string): Promise<HistoryEvent[]> {
    const record = this.describeExecution(arn);
    const stored = this.options.executions.records.get(record.executionArn);
    const states = stored === undefined ? {} : this.statesOf(stored);
    const kept = await this.options.histories?.events(record.executionArn, states);
    const roleArn = this.machines.has(record.machine) ? this.machines.get(record.machine).roleArn : '';
    return kept ?? historyFromRecord(record, roleArn);
  }

  private recordHistory(record: ExecutionRecord, states: States, roleArn: string) {
    const store = this.options.histories;
    if (store === undefined) return undefined;
    const recorder = new HistoryRecorder(states, record, roleArn);
    store.track(record.executionArn, recorder);
    return recorder;
  }

  sendTaskSuccess(token: string, output: string): void {
    withinPayloadLimit('output', output);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new AwsApiError('InvalidOutput', 'Invalid output: not JSON');
    }
    this.withToken(() => this.tokens.sendTaskSuccess(token, parsed));
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    this.withToken(() => this.tokens.sendTaskFailure(token, error, cause));
  }

  /**
   * Shutdown: aborts every execution at work; parked ones stay parked in the
   * execution log and resume when the runtime starts again.
   */
  async stopAll(): Promise<void> {
    for (const parked of this.parked.values()) parked.cancel();
    this.parked.clear();
    for (const entry of this.running.values()) {
      entry.stop ??= {};
      entry.run?.abort();
    }
    await this.idle();
  }

  private withToken(action: () => void): void {
    try {
      action();
    } catch (error) {
      if (error instanceof TaskTokenNotFoundError) throw new AwsApiError('TaskDoesNotExist', error.message);
      throw error;
    }
  }

  /** Rejects a definition the interpreter cannot run (or with a Task no local function serves). */
  validate(machine: string, definition: string): void {
    try {
      this.build(machine, definition);
    } catch (error) {
      throw new AwsApiError('InvalidDefinition', error instanceof Error ? error.message : String(error));
    }
  }

  /** Epoch seconds in journey time, as the API reports dates. */
  nowSeconds(): number {
    return this.options.time.now() / 1000;
  }

  private build(machine: string, definition: string): LocalStateMachine {
    const parsed: StateMachineDefinition = JSON.parse(definition);
    return new LocalStateMachine(parsed, {
      handlers: this.options.handlers,
      time: this.options.time,
      tokens: this.tokens,
      stateMachineName: machine,
    });
  }

  /** One runner per machine revision, and its states parsed once (histories name Tasks from them). */
  private compile(
    machine: string,
    revision: number,
    definition: string,
  ): { local: LocalStateMachine; states: States } {
    const key = `${machine}:${revision}`;
    let compiled = this.compiled.get(key);
    if (compiled === undefined) {
      const parsed: StateMachineDefinition = JSON.parse(definition);
      compiled = { local: this.build(machine, definition), states: parsed.States };
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  private async finish(record: ExecutionRecord, entry: Running, outcome: ExecutionOutcome): Promise<void> {
    const ended = executionRecord({
      ...record,
      parked: undefined,
      status: outcome.status,
      stopDate: this.nowSeconds(),
      output: outcome.output === undefined ? undefined : JSON.stringify(outcome.output),
      error: entry.stop?.error ?? outcome.error,
      cause: entry.stop?.cause ?? outcome.cause,
      visited: outcome.visited,
      transitions: outcome.transitions,
    });
    try {
      entry.history?.end(ended);
      await this.options.executions.write(ended);
      await this.options.histories?.close(ended.executionArn, (ended.stopDate ?? 0) * 1000);
      // An execution that failed while it came out of parking may have left its parked history.
      if (record.parked !== undefined) await this.options.histories?.discard(ended.executionArn);
    } finally {
      this.running.delete(record.executionArn);
    }
    this.options.onExecutionEnd?.(ended);
  }
}

/** Step Functions' length constraint on an execution input and a task's output: 256 KiB of UTF-8, refused as AWS refuses it. */
function withinPayloadLimit(member: 'input' | 'output', text: string): void {
  if (Buffer.byteLength(text) <= MAX_STATE_BYTES) return;
  throw new AwsApiError(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_STATE_BYTES}`,
  );
}
