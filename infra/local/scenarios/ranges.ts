import type { ReferenceProblem } from './references.ts';
import type { Expectation, Scenario } from './scenario.ts';
import { resolveWhen } from './when.ts';

/**
 * Bounds of a scenario that hold nothing, or that look where the run never
 * goes: a window that ends before it starts, a share between bounds given
 * the wrong way round, an `until` before the last event, a window or
 * instant after the run ends. Such an expectation could never fail (a
 * `noMessage`) or never pass (a `message`), whatever the journey did.
 */

const SEVEN_DAYS = 7 * 86_400_000;

/** Epoch ms of an instant, or undefined when it is malformed (the schema's to report). */
function instant(when: string, fromMs: number): number | undefined {
  try {
    return resolveWhen(when, fromMs);
  } catch {
    return undefined;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const END_LATER = 'end it later with until';

export function emptyRanges(scenario: Scenario): ReferenceProblem[] {
  const startMs = Date.parse(scenario.start);
  const ats = scenario.events.map((e) => instant(e.at, startMs) ?? startMs);
  // As the run plays it: the journeys run on from the last event (or the start) until `until`.
  const lastMs = Math.max(startMs, ...ats);
  const until = scenario.until === undefined ? lastMs + SEVEN_DAYS : instant(scenario.until, lastMs);
  const out: ReferenceProblem[] = [];
  if (until !== undefined && until < lastMs)
    out.push({
      path: 'until',
      message: `${scenario.until} is before the last event (${iso(lastMs)}): the journeys would run no time after it; give an instant after it, or +<duration> after it`,
    });
  const endMs = Math.max(until ?? lastMs, lastMs);
  scenario.expect.forEach((expectation, i) => {
    out.push(...expectationRanges(expectation, `expect[${i}]`, startMs, endMs));
  });
  return out;
}

function expectationRanges(e: Expectation, at: string, startMs: number, endMs: number): ReferenceProblem[] {
  if ('share' in e) {
    const [least, most] = e.share.between;
    return least <= most
      ? []
      : [
          {
            path: `${at}.share.between`,
            message: `the least share (${least}) is above the most (${most}): no share is between them`,
          },
        ];
  }
  const found =
    'message' in e
      ? { key: 'message', e: e.message }
      : 'noMessage' in e
        ? { key: 'noMessage', e: e.noMessage }
        : undefined;
  if (found === undefined) return [];
  const path = `${at}.${found.key}`;
  const out: ReferenceProblem[] = [];
  const window = found.e.within;
  if (window !== undefined) {
    const from = instant(window.from, startMs);
    const to = instant(window.to, startMs);
    if (from !== undefined && to !== undefined && to < from)
      out.push({
        path: `${path}.within`,
        message: `the window ends (${window.to}, ${iso(to)}) before it starts (${window.from}, ${iso(from)}): nothing can happen in it`,
      });
    else if (from !== undefined && from > endMs)
      out.push({
        path: `${path}.within`,
        message: `the window starts (${window.from}, ${iso(from)}) after the scenario ends (${iso(endMs)}): nothing in it is observed; ${END_LATER}`,
      });
  }
  const sentAt = 'message' in e ? e.message.at : undefined;
  const atMs = sentAt === undefined ? undefined : instant(sentAt, startMs);
  if (atMs !== undefined && atMs > endMs)
    out.push({
      path: `${path}.at`,
      message: `${sentAt} (${iso(atMs)}) is after the scenario ends (${iso(endMs)}): nothing then is observed; ${END_LATER}`,
    });
  return out;
}
