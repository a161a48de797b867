import type { StateMachine } from 'aws-local-stepfunctions';

/**
 * When each state of an execution was entered (`$$.State.EnteredTime`), as
 * Step Functions stamps it: fixed when the state is entered — a retry of that
 * entry reads the same instant — and strictly later than the execution's
 * previous entry. Journey time stands still while an execution moves from
 * state to state, so an entry at the same instant as the previous one is
 * stamped a millisecond after it: two visits of a looped step never share a
 * visit key.
 */
export class StateEntries {
  #at: number | undefined;
  #last = Number.NEGATIVE_INFINITY;
  #resumed: { state: string; at: number | undefined } | undefined;
  /** Entries not yet read from the interpreter's event log, which lags behind (a few at most). */
  readonly #untold: { state: string; at: number }[] = [];

  /** `resumed`: the state a parked execution re-enters, and when it first entered it. */
  constructor(
    private readonly now: () => number,
    resumed?: { state: string; at: number | undefined },
  ) {
    this.#resumed = resumed;
  }

  /** A state was entered (top level), now. */
  entered(state: string): void {
    const resumed = this.#resumed;
    this.#resumed = undefined;
    // The re-entry that resumes a parked execution is the entry it parked in.
    const at =
      resumed !== undefined && resumed.state === state && resumed.at !== undefined
        ? resumed.at
        : Math.max(this.now(), this.#last + 1);
    this.#at = at;
    this.#last = Math.max(this.#last, at);
    this.#untold.push({ state, at });
  }

  /** When the entry of `state` the event log tells now happened; undefined for an entry not stamped here. */
  told(state: string): number | undefined {
    if (this.#untold[0]?.state !== state) return undefined;
    return this.#untold.shift()?.at;
  }

  /** When the current state was entered, epoch ms (now before any state is entered). */
  get at(): number {
    return this.#at ?? this.now();
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
 * it enters, synchronously, before the state runs. The interpreter's own
 * event log is read asynchronously and lags behind; Map iterations and
 * Parallel branches run on machines of their own and are not told.
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

/** The run option that has a machine prepared by `tellEntries` tell `entries` of each state entered. */
export function entryOption(entries: StateEntries): Record<string, unknown> {
  return { [ON_ENTERED]: (state: string) => entries.entered(state) };
}
