import { PerRuntime } from './runtime-scope.ts';

/**
 * The business clock of every handler: timestamps written on profiles and
 * deliveries, cap windows, quiet hours, cooldowns, "already arrived" checks.
 * Real time by default; the local runtime installs its journey clock so that
 * handlers, its Step Functions and its bus agree on what time it is.
 */
type Clock = () => Date;

const realClock: Clock = () => new Date();
/** The process's clock, or a runtime scope's (its journey time) where one process runs several; a scope without one reads the process's. */
const current = new PerRuntime<Clock>();

/** The current business time. */
export function now(): Date {
  return (current.inherited ?? realClock)();
}

/** Replaces the clock (tests, the local runtime's journey time). */
export function setClock(clock: Clock): void {
  current.value = clock;
}

/** Back to real time. */
export function resetClock(): void {
  current.value = undefined;
}
