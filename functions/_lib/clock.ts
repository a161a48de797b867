/**
 * The business clock of every handler: timestamps written on profiles and
 * deliveries, cap windows, quiet hours, cooldowns, "already arrived" checks.
 * Real time by default; the local runtime installs its journey clock so that
 * handlers, its Step Functions and its bus agree on what time it is.
 */
type Clock = () => Date;

const realClock: Clock = () => new Date();
let current: Clock = realClock;

/** The current business time. */
export function now(): Date {
  return current();
}

/** Replaces the clock (tests, the local runtime's journey time). */
export function setClock(clock: Clock): void {
  current = clock;
}

/** Back to real time. */
export function resetClock(): void {
  current = realClock;
}
