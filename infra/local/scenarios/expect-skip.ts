import { describeSkip } from '#shared/ingest/entry-skip.ts';
import type { SkippedEntry } from './observe.ts';
import type { Expectation } from './scenario.ts';

/** The most skips a failed expectation lists: the rest are counted. */
const LISTED = 5;

type SkippedExpectation = Extract<Expectation, { skipped: unknown }>['skipped'];

function skipsOf(skipped: readonly SkippedEntry[], user: string, journey?: string): SkippedEntry[] {
  return skipped.filter((s) => s.userId === user && (journey === undefined || s.journeyId === journey));
}

function listed(skips: readonly SkippedEntry[]): string[] {
  const lines = skips.slice(0, LISTED).map((s) => `${describeSkip(s)} (${s.at})`);
  return skips.length > LISTED ? [...lines, `… and ${skips.length - LISTED} more`] : lines;
}

/** Checks that an event of the customer triggered the journey and did not enter them (for the reason given). */
export function checkSkipped(
  e: SkippedExpectation,
  skipped: readonly SkippedEntry[],
): { ok: boolean; title: string; actual: string } {
  const found = skipsOf(skipped, e.user, e.journey);
  const ok = found.some((s) => e.reason === undefined || s.reason === e.reason);
  const into = e.journey === undefined ? 'a journey' : e.journey;
  const why = e.reason === undefined ? '' : ` (${e.reason})`;
  return {
    ok,
    title: `${e.user}'s entry into ${into} is skipped${why}`,
    actual: found.length === 0 ? `no entry of ${e.user} was skipped` : listed(found).join('\n'),
  };
}

/**
 * Why the customer did not enter, for an expectation about an enrollment or a
 * message that failed: "entry into onboarding skipped: trigger.properties.plan
 * is missing". Empty when no entry of theirs was skipped.
 */
export function skipNote(skipped: readonly SkippedEntry[], user: string, journey?: string): string {
  const found = skipsOf(skipped, user, journey);
  return found.length === 0 ? '' : `\n${listed(found).join('\n')}`;
}
