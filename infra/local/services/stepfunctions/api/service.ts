import { AwsApiError } from '../../../runtime/http.ts';
import {
  type LocalExecution,
  LocalStateMachine,
  type LocalTaskHandler,
  type RunnerTime,
  type StateMachineDefinition,
  TaskTokenNotFoundError,
  TaskTokenRegistry,
} from '../runner/runner.ts';
import { executionArn, machineArn, parseExecutionArn, parseMachineArn } from './arns.ts';
import type { ExecutionLog, ExecutionRecord } from './executions.ts';
import { type HistoryEvent, HistoryRecorder, historyFromRecord } from './history.ts';
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
  /** Execution histories (GetExecutionHistory); without it, histories are not recorded. */
  histories?: HistoryStore;
};

/** A running execution; `finished` settles once its final record is written. */
type Running = {
  run: LocalExecution;
  history?: HistoryRecorder;
  finished?: Promise<void>;
  stop?: { error?: string; cause?: string };
};

/**
 * The Step Functions service behind the local API: state machines with
 * versions and aliases, executions run by the local runner, task tokens.
 */
export class LocalStepFunctions {
  readonly tokens = new TaskTokenRegistry();
  private readonly compiled = new Map<string, LocalStateMachine>();
  private readonly running = new Map<string, Running>();

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
    const local = this.compile(machine, revision, resolved.definition);
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
    const history = this.recordHistory(record, resolved.definition, resolved.machine.roleArn);
    const run = local.start(JSON.parse(input), { name, observer: history });
    const entry: Running = { run, history };
    this.running.set(execArn, entry);
    entry.finished = run.done.then((outcome) => {
      // The execution's own hold ended with its last state, a few microtasks ago (no idle check in
      // between): time waits again until the final record is written and its status event put.
      const release = this.options.time.hold();
      return this.finish(record, entry, outcome).finally(release);
    });
    return record;
  }

  /** Resolves when every running execution has ended (tests and the demo). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((e) => e.finished));
  }

  runningCount(): number {
    return this.running.size;
  }

  /** StopExecution: aborts a running execution with the given error and cause. */
  stopExecution(arn: string, error?: string, cause?: string): void {
    const record = this.describeExecution(arn);
    const entry = this.running.get(record.executionArn);
    if (entry === undefined) return;
    entry.stop = { error, cause };
    entry.run.abort();
  }

  describeExecution(arn: string): ExecutionRecord {
    const { machine, name } = parseExecutionArn(arn);
    const record = this.options.executions.records.get(executionArn(machine, name));
    if (record === undefined)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const entry = this.running.get(record.executionArn);
    return entry === undefined ? record : { ...record, visited: entry.run.visited() };
  }

  /** GetExecutionHistory: the events of a running or ended execution, oldest first. */
  async history(arn: string): Promise<HistoryEvent[]> {
    const record = this.describeExecution(arn);
    const kept = await this.options.histories?.events(record.executionArn);
    const roleArn = this.machines.has(record.machine) ? this.machines.get(record.machine).roleArn : '';
    return kept ?? historyFromRecord(record, roleArn);
  }

  private recordHistory(record: ExecutionRecord, definition: string, roleArn: string) {
    const store = this.options.histories;
    if (store === undefined) return undefined;
    const parsed: StateMachineDefinition = JSON.parse(definition);
    const recorder = new HistoryRecorder(parsed.States, record, roleArn);
    store.track(record.executionArn, recorder);
    return recorder;
  }

  sendTaskSuccess(token: string, output: string): void {
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

  /** Aborts every running execution (shutdown). */
  async stopAll(): Promise<void> {
    for (const entry of this.running.values()) entry.run.abort();
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

  private compile(machine: string, revision: number, definition: string): LocalStateMachine {
    const key = `${machine}:${revision}`;
    let local = this.compiled.get(key);
    if (local === undefined) {
      local = this.build(machine, definition);
      this.compiled.set(key, local);
    }
    return local;
  }

  private async finish(
    record: ExecutionRecord,
    entry: Running,
    outcome: Awaited<LocalExecution['done']>,
  ): Promise<void> {
    const ended: ExecutionRecord = {
      ...record,
      status: outcome.status,
      stopDate: this.nowSeconds(),
      output: outcome.output === undefined ? undefined : JSON.stringify(outcome.output),
      error: entry.stop?.error ?? outcome.error,
      cause: entry.stop?.cause ?? outcome.cause,
      visited: outcome.visited,
      transitions: outcome.transitions,
    };
    try {
      entry.history?.end(ended);
      await this.options.executions.write(ended);
      await this.options.histories?.close(ended.executionArn, (ended.stopDate ?? 0) * 1000);
    } finally {
      this.running.delete(record.executionArn);
    }
    this.options.onExecutionEnd?.(ended);
  }
}
