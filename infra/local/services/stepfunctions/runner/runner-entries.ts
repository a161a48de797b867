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

  /** `state` is entered at `now` (epoch ms): its EnteredTime. */
  enter(state: string, now: number): string {
    if (now !== this.#at) {
      this.#at = now;
      this.#counts.clear();
    }
    const entry = this.#counts.get(state) ?? 0;
    this.#counts.set(state, entry + 1);
    this.#current = enteredTime(now, entry);
    return this.#current;
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

/** The run option through which an execution is told of each top-level state entry as it happens. */
const ON_ENTERED = 'onStateEntered';

type EventLogger = { dispatchStateEnteredEvent(state: string, type: string, input: unknown): void };
type Execute = (
  input: unknown,
  options: { eventLogger: EventLogger; runOptions?: Record<string, unknown> },
  cleanup: () => void,
) => Promise<unknown>;

const prepared = new WeakSet<StateMachine>();

/**
 * Has `machine` tell each run that passes `entryOption(...)` of every state
 * it enters, synchronously, before the state reads its input (a Retry is not
 * an entry). The interpreter's own event log is read asynchronously and lags
 * behind. Map iterations and Parallel branches run on machines of their own
 * and are not told (compiled journeys have neither).
 */
export function tellEntries(machine: StateMachine): void {
  if (prepared.has(machine)) return;
  const target = machine as unknown as { execute?: Execute };
  const execute = target.execute;
  if (typeof execute !== 'function')
    throw new Error('aws-local-stepfunctions changed: StateMachine.execute is gone (state entry times)');
  target.execute = function (this: unknown, input, options, cleanup) {
    const onEntered = options.runOptions?.[ON_ENTERED];
    if (typeof onEntered === 'function') {
      const logger = options.eventLogger;
      const dispatch = logger.dispatchStateEnteredEvent.bind(logger);
      logger.dispatchStateEnteredEvent = (state, type, stateInput) => {
        onEntered(state);
        dispatch(state, type, stateInput);
      };
    }
    return execute.call(this, input, options, cleanup);
  };
  prepared.add(machine);
}

/** The run option that has a machine prepared by `tellEntries` call `entered` with each state entered. */
export function entryOption(entered: (state: string) => void): Record<string, unknown> {
  return { [ON_ENTERED]: entered };
}
