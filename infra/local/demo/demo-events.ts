import { readFile } from 'node:fs/promises';
import { DateTime, Duration } from 'luxon';
import * as z from 'zod';

/**
 * The demo file (`journeys/demo/events.json`): a list of customer events,
 * each `at` seconds of journey time after the demo starts (and stamped then).
 *
 * JSON cannot say "five days from now", so any string of the form
 * `{{ now }}`, `{{ now + P5D }}` or `{{ now - P40D }}` (an ISO 8601 duration)
 * is replaced by that instant of journey time, relative to the demo's start:
 * a renewal date a few days ahead, say.
 */
const At = z.number().min(0).describe('Seconds after the demo starts, in journey time.');
export const DemoEntry = z
  .object({
    at: At,
    event: z
      .object({
        type: z.enum(['track', 'identify']),
        userId: z.string().optional(),
        event: z.string().optional(),
      })
      .loose(),
  })
  .strict();
export type DemoEntry = z.infer<typeof DemoEntry>;

const RELATIVE = /^\{\{\s*now\s*(?:([+-])\s*(P[0-9A-Z.]+))?\s*\}\}$/;

/** Reads and validates a demo file, substituting relative instants from `start` (epoch ms). */
export async function readDemo(file: string, start: number): Promise<DemoEntry[]> {
  const raw: unknown = JSON.parse(await readFile(file, 'utf8'));
  return z
    .array(DemoEntry)
    .parse(substitute(raw, start))
    .sort((a, b) => a.at - b.at);
}

/** Replaces every `{{ now ± duration }}` string, at any depth, with its ISO instant. */
function substitute(value: unknown, start: number): unknown {
  if (typeof value === 'string') return relativeInstant(value, start) ?? value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, start));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, start)]));
  return value;
}

function relativeInstant(text: string, start: number): string | undefined {
  const match = RELATIVE.exec(text.trim());
  if (match === null) return undefined;
  const now = DateTime.fromMillis(start, { zone: 'utc' });
  const [, sign, iso] = match;
  if (iso === undefined) return now.toISO() ?? undefined;
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) throw new Error(`${text}: ${iso} is not an ISO 8601 duration`);
  return (sign === '-' ? now.minus(duration) : now.plus(duration)).toISO() ?? undefined;
}
