import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { performedMatches } from '#shared/conditions/history.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ingestDeps, registerJourney, track } from './harness.ts';

/**
 * The bounded counters answer every history check the language offers the
 * same as counting the raw events would: all-time counts and trailing
 * windows up to the longest allowed (P90D), whatever the order of arrival.
 */

const NAMES = ['Order Completed', 'App Opened', 'constructor'];
const NOW = Date.parse('2026-11-24T10:00:00Z');
const DAY = 86_400_000;

const occurrence = fc.record({
  name: fc.constantFrom(...NAMES),
  // up to 200 days back: older than the longest window, so pruning is exercised
  ageMinutes: fc.integer({ min: 0, max: 200 * 24 * 60 }),
});

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('history');
  // A journey counting each name over a window: their daily counts are kept.
  await registerJourney(db, {
    id: 'history',
    name: 'History',
    trigger: { type: 'event', event: 'Never' },
    audience: { any: NAMES.map((performed) => ({ performed, atLeast: 1, within: 'P90D' })) },
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
});
afterAll(async () => db.stop());

describe('history counters', () => {
  it('agree with a brute-force count over the same events', async () => {
    let customer = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(occurrence, { minLength: 1, maxLength: 25 }),
        fc.constantFrom('P1D', 'P7D', 'P30D', 'P90D', undefined),
        async (events, within) => {
          // arrange: the events arrive in the generated order, "now" is fixed
          customer += 1;
          const userId = `h-${customer}`;
          const { deps } = ingestDeps(db, () => new Date(NOW));
          for (const e of events) {
            await ingestEvent(
              deps,
              track(userId, e.name, {}, new Date(NOW - e.ageMinutes * 60_000).toISOString()),
            );
          }
          // act
          const { profile } = await deps.profiles.get(userId);
          // assert
          const days = within === undefined ? undefined : Number(within.slice(1, -1));
          for (const name of NAMES) {
            const firstDay = days === undefined ? '' : utcDay(NOW - days * DAY);
            const expected = events.filter(
              (e) => e.name === name && utcDay(NOW - e.ageMinutes * 60_000) >= firstDay,
            ).length;
            for (const atLeast of [expected, expected + 1]) {
              const check = { performed: name, atLeast, ...(within === undefined ? {} : { within }) };
              expect(performedMatches(check, profile, new Date(NOW)), `${name} ${within} ≥${atLeast}`).toBe(
                atLeast <= expected,
              );
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
