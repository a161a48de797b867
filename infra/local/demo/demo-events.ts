import { DateTime, Duration } from 'luxon';
import * as z from 'zod';
import { readJsonFile } from '#infra/cli/files.ts';
import { fromZodIssues } from '#shared/journey/violations.ts';
import { jsonPositions, positionOf } from '#shared/json-text.ts';

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
  const read = await readJsonFile(file);
  if (!read.ok) throw new Error(`${file}: ${read.message}`);
  const parsed = z.array(DemoEntry).safeParse(substitute(read.value, start), { reportInput: true });
  if (parsed.success) return parsed.data.sort((a, b) => a.at - b.at);
  // Each wrong field where it is written, as `journeys validate` names a journey's.
  const positions = jsonPositions(read.text);
  const problems = fromZodIssues(parsed.error.issues).map((v) => {
    const at = positionOf(positions, v.path);
    return `  ${file}${at === undefined ? '' : `:${at.line}:${at.column}`}: ${v.path}: ${v.message}`;
  });
  throw new Error(`the demo file is not a list of demo entries:\n${problems.join('\n')}`);
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
