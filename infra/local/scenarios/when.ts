import { Duration } from 'luxon';

const SHORT = /^\+(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const UNIT_MS = new Map([
  ['s', 1_000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);

/** An instant with its zone: without one, `Date.parse` reads the machine's own local time. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An instant of a scenario, epoch ms: ISO 8601 as given, or `+<n><unit>` /
 * `+<ISO duration>` after `startMs` in elapsed time (`+1d` is 24 hours). An
 * instant without a zone (`2026-03-03T10:00`) is refused: it would be another
 * instant on a machine in another zone.
 */
export function resolveWhen(when: string, startMs: number): number {
  const short = SHORT.exec(when);
  if (short !== null) {
    const [, amount = '0', unit = 's'] = short;
    return startMs + Number(amount) * (UNIT_MS.get(unit) ?? 0);
  }
  if (when.startsWith('+')) {
    const duration = Duration.fromISO(when.slice(1));
    if (!duration.isValid) throw new Error(`"${when}" is neither +<n>s|m|h|d|w nor +<ISO 8601 duration>`);
    return startMs + duration.toMillis();
  }
  const at = INSTANT.test(when) ? Date.parse(when) : Number.NaN;
  if (Number.isNaN(at)) throw new Error(`"${when}" is not an ISO 8601 instant with a zone`);
  return at;
}
