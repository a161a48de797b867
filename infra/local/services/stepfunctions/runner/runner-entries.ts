import type { StateMachine } from 'aws-local-stepfunctions';

/**
 * `$$.State.EnteredTime` offline. On AWS it is fixed when a state is
 * entered (a Retry of that entry reads the same value) and, real time
 * passing between two entries of a state (a loop back to a step runs at
 * least one Lambda call), never the same for two entries of one state.
 * Offline, journey time stands still while an execution moves from state to
 * state, so a state entered again at the same instant gets the same
 * millisecond with a sequence after it: `…00.000Z` for its first entry at
 * that instant, `…00.000000001Z` for the second. Every reader that parses it
 * (Date.parse) still reads the journey time of the entry, so history stamps,
 * handler clocks, traces and windows keep one order; a visit key built from
 * it is a visit of its own.
 */
export function enteredTime(at: number, entry: number): string {
  const iso = new Date(at).toISOString();
  return entry === 0 ? iso : `${iso.slice(0, -1)}${String(entry).padStart(6, '0')}Z`;
}

/** The order of two EnteredTime values: by instant, then by entry at that instant. */
export function compareEnteredTimes(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b) || entryOf(a) - entryOf(b) || a.localeCompare(b);
}

/** Which entry at its instant an EnteredTime is (0 for the first, and for any time AWS stamps). */
function entryOf(time: string): number {
  const sequence = /\.\d{3}(\d+)Z$/.exec(time)?.[1];
  return sequence === undefined ? 0 : Number(sequence);
}

/** Plain JSON of `EntryStamps`, for a parked execution's continuation. */
export type SavedEntries = {
  /** The current state's EnteredTime. */
  current?: string;
  /** The instant of the last entry, epoch ms. */
  at: number;
  /** How often each state was entered at that instant (only states entered then: bounded by the machine). */
  counts: [state: string, entries: number][];
};

/**
 * The EnteredTime of each state entry of one execution (see `enteredTime`):
 * only the entries at the current instant are remembered, and a state's
 * name is data (a Map, never object keys).
 */
export class EntryStamps {
  #current: string | undefined;
  #at = Number.NEGATIVE_INFINITY;
  readonly #counts = new Map<string, number>();

  constructor(saved?: SavedEntries) {
    if (saved === undefined) return;
    this.#current = saved.current;
    this.#at = saved.at;
    for (const [state, entries] of saved.counts) this.#counts.set(state, entries);
  }

  /** `state` is entered at `now` (epoch ms) at the top level: its EnteredTime, now the current one. */
  enter(state: string, now: number): string {
    this.#current = this.nested(state, now);
    return this.#current;
  }

  /**
   * `state` is entered at `now` in a Map iteration or a Parallel branch: its
   * EnteredTime, which that iteration or branch reads; the top-level state
   * keeps its own. State names are unique across a machine, nested ones too.
   */
  nested(state: string, now: number): string {
    if (now !== this.#at) {
      this.#at = now;
      this.#counts.clear();
    }
    const entry = this.#counts.get(state) ?? 0;
    this.#counts.set(state, entry + 1);
    return enteredTime(now, entry);
  }

  /** The current state's EnteredTime; undefined before the first entry. */
  get current(): string | undefined {
    return this.#current;
  }

  save(): SavedEntries {
    return {
      ...(this.#current === undefined ? {} : { current: this.#current }),
      at: this.#at,
      counts: [...this.#counts],
    };
  }
}

/** The run option through which an execution is told of each state entry as it happens. */
const ON_ENTERED = 'onStateEntered';
/** The run option that marks a Map iteration's or a Parallel branch's run. */
const NESTED = 'journeysNestedRun';

/**
 * Told each state entry; `nested` for an entry in a Map iteration or a
 * Parallel branch. Returns the entry's EnteredTime, undefined when the entry
 * keeps the one it had (a parked execution's resumed state).
 */
export type EntryListener = (state: string, nested: boolean) => string | undefined;

type EventLogger = { dispatchStateEnteredEvent(state: string, type: string, input: unknown): void };
type ExecuteOptions = { eventLogger: EventLogger; runOptions?: Record<string, unknown> };
type Execute = (input: unknown, options: ExecuteOptions, cleanup: () => void) => Promise<unknown>;

/**
 * Marks the interpreter's class once its runs tell of their entries. On the
 * class, not in this module: a second copy of this module (a module registry
 * reset, a bundle beside the sources) meets the same class, already
 * prepared, and must not wrap it again (each entry would be told twice and
 * counted as two).
 */
const PREPARED = Symbol.for('journeys.local.stepfunctions.tellEntries');

/**
 * Has every run that passes `entryOption(...)` tell of each state it enters,
 * synchronously, before the state reads its input (a Retry is not an entry);
 * the interpreter's own event log is read asynchronously and lags behind.
 * Map iterations and Parallel branches run on machines of their own, made
 * by the interpreter with the run options of the run they belong to: each
 * is told too, and reads `$$.State.EnteredTime` of the state it is in, as on
 * AWS, rather than the Map or Parallel state's.
 */
export function tellEntries(machineClass: typeof StateMachine): void {
  const target = machineClass.prototype as unknown as { execute?: Execute; [PREPARED]?: true };
  if (target[PREPARED] === true) return;
  const execute = target.execute;
  if (typeof execute !== 'function')
    throw new Error('aws-local-stepfunctions changed: StateMachine.execute is gone (state entry times)');
  target.execute = function (this: unknown, input, options, cleanup) {
    const runOptions = options.runOptions;
    const onEntered = runOptions?.[ON_ENTERED];
    if (typeof onEntered !== 'function') return execute.call(this, input, options, cleanup);
    return execute.call(this, input, toldOptions(options, onEntered as EntryListener), cleanup);
  };
  target[PREPARED] = true;
}

/**
 * The options of a run told of its entries. A nested run's context reads
 * its own current entry; the runs it starts in turn are nested.
 */
function toldOptions(options: ExecuteOptions, onEntered: EntryListener): ExecuteOptions {
  const runOptions = options.runOptions ?? {};
  const nested = runOptions[NESTED] === true;
  const context = (runOptions.context ?? {}) as Record<string, unknown>;
  const outer = context.State as { EnteredTime?: string } | undefined;
  let current: string | undefined;
  const state = nested
    ? {
        get EnteredTime() {
          return current ?? outer?.EnteredTime;
        },
      }
    : outer;
  const logger = options.eventLogger;
  const dispatch = logger.dispatchStateEnteredEvent.bind(logger);
  logger.dispatchStateEnteredEvent = (name, type, stateInput) => {
    current = onEntered(name, nested) ?? current;
    dispatch(name, type, stateInput);
  };
  return { ...options, runOptions: { ...runOptions, [NESTED]: true, context: { ...context, State: state } } };
}

/** The run option that has every run `tellEntries` prepared call `entered` with each state entered. */
export function entryOption(entered: EntryListener): Record<string, unknown> {
  return { [ON_ENTERED]: entered };
}
