import type { SavedEntries } from './runner-entries.ts';
import type { TokenSettlement } from './runner-tokens.ts';

/**
 * A waiting execution reduced to what it needs to go on: the state it waits
 * in, that state's input, and what it waits for. The interpreter's run is
 * dropped meanwhile, so a customer waiting for days costs a few hundred bytes
 * instead of a live interpreter (its promises, closures and copies of the
 * definition). Plain JSON: the local Step Functions service keeps it in its
 * execution log, and a restarted runtime resumes from it.
 */
export type Continuation = {
  /** The state the execution waits in; it resumes by re-entering it (not told twice). */
  state: string;
  /** The state's raw input (before InputPath), as JSON text. */
  input: string;
  /** State names entered so far, in order. */
  visited: string[];
  /** Retries so far (billed transitions are visited states plus retries). */
  retries: number;
  /** The EnteredTime of the state it waits in, and of the entries at that instant (absent: stamped on resuming). */
  entries?: SavedEntries;
  wait: ParkedWait;
};

/** A Wait state until an instant, or a `.waitForTaskToken` Task until its token is settled or it times out. */
export type ParkedWait =
  | { kind: 'wait'; until: number }
  | {
      kind: 'token';
      token: string;
      /** When the Task's TimeoutSeconds expire, epoch ms of the runner's clock. */
      timeoutAt?: number;
      /** The Task attempt under way (its history events). */
      attempt: ParkedAttempt;
    };

/** A Task attempt as far as it went before the execution parked. */
type ParkedAttempt = { input: unknown; startedAt: number; submittedAt?: number; submitted?: unknown };

/** How a parked execution goes on: its Wait elapsed, its token was settled, or its Task timed out. */
export type Resumption =
  | { kind: 'elapsed' }
  | { kind: 'settled'; settlement: TokenSettlement }
  | { kind: 'timeout' };

/** Told, synchronously, the moment an execution parks: from then on the caller owns its timers and token. */
export type ParkHandler = (continuation: Continuation) => void;

/** Resolves on the next turn of the event loop, after every pending promise reaction. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
