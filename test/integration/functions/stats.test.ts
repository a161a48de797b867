import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { outcomeMetric } from '#shared/stats/keys.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { AB_SPLIT_THEN_EXIT } from '../../support/journey-steps.ts';
import { ingestDeps, registerJourney, track } from './harness.ts';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('stats');
});
afterAll(async () => db.stop());

const T0 = new Date('2026-11-24T10:00:00Z');
const later = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);

function repo() {
  return new StatsRepository(db.doc, db.tables.stats);
}

/** The count (and sum) of one counter, shards summed. */
function pick(rows: StatRow[], where: Partial<StatRow>) {
  const row = rows.find(
    (r) =>
      r.metric === where.metric &&
      r.stepId === where.stepId &&
      r.variant === where.variant &&
      r.reason === where.reason,
  );
  return { count: row?.count ?? 0, sum: row?.sum };
}

describe('stats: counters against dynalite', () => {
  it('counts a conversion and its value for the journey, each variant and the last message step', async () => {
    // arrange
    const stats = repo();
    const variants = [{ stepId: 'ab', variant: 'treatment' }];
    await stats.recordEnrollment({ journeyId: 'attr', version: '3', variants });
    const send = { journeyId: 'attr', version: '3', channel: 'email' as const };
    await stats.recordSend({ ...send, stepId: 'email-1', status: 'sent', at: later(1) });
    await stats.recordSend({
      ...send,
      stepId: 'email-2',
      status: 'deferred',
      reason: 'quiet hours',
      at: later(2),
    });
    await stats.recordSend({ ...send, stepId: 'email-2', status: 'sent', at: later(9) });
    // act
    await stats.recordConversion({
      journeyId: 'attr',
      version: '3',
      value: 42.5,
      variants,
      lastStep: 'email-2',
      at: later(10),
    });
    // assert
    const { counters, days } = await stats.read('attr');
    expect(pick(counters, { metric: 'enrolled' }).count).toBe(1);
    expect(pick(counters, { metric: 'assigned', stepId: 'ab', variant: 'treatment' }).count).toBe(1);
    expect(pick(counters, { metric: 'converted' })).toEqual({ count: 1, sum: 42.5 });
    expect(pick(counters, { metric: 'converted', stepId: 'ab', variant: 'treatment' })).toEqual({
      count: 1,
      sum: 42.5,
    });
    expect(pick(counters, { metric: 'converted', stepId: 'email-2' }).count).toBe(1);
    expect(pick(counters, { metric: 'converted', stepId: 'email-1' }).count).toBe(0);
    expect(pick(counters, { metric: 'deferred', stepId: 'email-2', reason: 'quietHours' }).count).toBe(1);
    expect(pick(counters, { metric: 'sent', stepId: 'email-2' }).count).toBe(1);
    expect(days).toEqual(
      expect.arrayContaining([
        { day: '2026-11-24', metric: 'sent', channel: 'email', count: 2 },
        { day: '2026-11-24', metric: 'converted', count: 1, sum: 42.5, valued: 1 },
      ]),
    );
  });

  it('counts an ending for the journey and for each variant', async () => {
    // arrange
    const stats = repo();
    const ends = ['completed', 'failed', 'aborted', 'timedOut', 'exited', 'goal'] as const;
    // act
    for (const [i, outcome] of ends.entries()) {
      const variants = [{ stepId: 'ab', variant: i % 2 === 0 ? 'a' : 'b' }];
      await stats.recordOutcome({ journeyId: 'ends', version: '3', outcome, variants });
    }
    // assert
    const counters = await stats.funnel('ends');
    const journeyLevel = Object.fromEntries(
      ends.map((o) => [o, pick(counters, { metric: outcomeMetric(o) }).count]),
    );
    expect(journeyLevel).toEqual({ completed: 1, failed: 1, aborted: 1, timedOut: 1, exited: 1, goal: 1 });
    expect(pick(counters, { metric: outcomeMetric('failed'), stepId: 'ab', variant: 'b' }).count).toBe(1);
    expect(pick(counters, { metric: outcomeMetric('aborted'), stepId: 'ab', variant: 'a' }).count).toBe(1);
    expect(pick(counters, { metric: outcomeMetric('aborted'), stepId: 'ab', variant: 'b' }).count).toBe(0);
  });

  it('tells its observer (the metrics) of each entry, received event, conversion and ending it wrote', async () => {
    // arrange
    const seen: string[] = [];
    const stats = new StatsRepository(db.doc, db.tables.stats, {
      observer: {
        conversion: (journeyId, value) => seen.push(`${journeyId} converted ${value}`),
        outcome: (journeyId, outcome) => seen.push(`${journeyId} ${outcome}`),
        enrollment: (journeyId) => seen.push(`${journeyId} entered`),
        received: (journeyId) => seen.push(`${journeyId} received`),
      },
    });
    const entry = { id: 'obs-entry', pendingAt: T0.getTime(), retry: false };
    const receipt = { id: 'obs-receipt', pendingAt: T0.getTime(), retry: false };
    // act: each count written, then again as a redelivery would (its guard holds it)
    for (let delivery = 0; delivery < 2; delivery++) {
      await stats.recordEnrollment({ journeyId: 'obs', version: '1', variants: [] }, entry);
      await stats.recordReceived({ journeyId: 'obs', version: '1', stepId: 'wait' }, receipt);
    }
    await stats.recordConversion({ journeyId: 'obs', version: '1', value: 12, at: later(1) });
    await stats.recordOutcome({ journeyId: 'obs', version: '1', outcome: 'goal' });
    // assert
    expect(seen).toEqual(['obs entered', 'obs received', 'obs converted 12', 'obs goal']);
  });

  it('keeps suppression reasons as bounded codes, whatever the provider wrote', async () => {
    // arrange
    const stats = repo();
    const send = {
      journeyId: 'why',
      version: '1',
      stepId: 's',
      channel: 'sms' as const,
      at: T0,
    };
    // act
    await stats.recordSend({
      ...send,
      status: 'suppressed',
      reason: 'sms suppressed: carrier said #__proto__',
    });
    await stats.recordSend({ ...send, status: 'suppressed', reason: 'no sms address on the profile' });
    await stats.recordSend({ ...send, status: 'unknown' });
    // assert
    const counters = await stats.funnel('why');
    expect(counters.map((r) => [r.metric, r.reason ?? null, r.count]).sort()).toEqual([
      ['suppressed', 'consent', 1],
      ['suppressed', 'noAddress', 1],
      ['unknown', null, 1],
    ]);
  });

  it('ingest: a goal event converts with the value the goal names, attributed to the variant', async () => {
    // arrange
    await registerJourney(db, {
      id: 'shop',
      name: 'Shop',
      trigger: { type: 'event', event: 'Cart Updated' },
      reentry: { mode: 'once' },
      goal: { event: 'Order Completed', within: 'P7D', value: 'event.properties.total' },
      ...AB_SPLIT_THEN_EXIT,
    });
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, track('u-shop', 'Cart Updated', {}));
    // act
    await ingestEvent(deps, track('u-shop', 'Order Completed', { total: '19.90' }, '2026-11-24T09:59:30Z'));
    // assert
    const counters = await repo().funnel('shop');
    const assigned = counters.find((r) => r.metric === 'assigned');
    expect(pick(counters, { metric: 'converted' })).toEqual({ count: 1, sum: 19.9 });
    expect(pick(counters, { metric: 'converted', stepId: 'ab', variant: assigned?.variant })).toEqual({
      count: 1,
      sum: 19.9,
    });
  });

  it('ingest: a goal value the stats table cannot hold still converts, counted without revenue', async () => {
    // arrange: totals past what the document client writes as a number, or too small for DynamoDB (as
    // text: a number event property that small is refused at the edge), and one in range
    await registerJourney(db, {
      id: 'shop-range',
      name: 'Shop',
      trigger: { type: 'event', event: 'Cart Updated' },
      reentry: { mode: 'once' },
      goal: { event: 'Order Completed', within: 'P7D', value: 'event.properties.total' },
      ...AB_SPLIT_THEN_EXIT,
    });
    const { deps } = ingestDeps(db);
    const totals = [1e16, -1e16, '99999999999999999999', '1e-200', 10];
    for (const [i, total] of totals.entries()) {
      await ingestEvent(deps, track(`u-range-${i}`, 'Cart Updated', {}));
      // act
      await ingestEvent(deps, track(`u-range-${i}`, 'Order Completed', { total }, '2026-11-24T09:59:30Z'));
    }
    // assert: five conversions, the revenue of the one value that can be counted
    const counters = await repo().funnel('shop-range');
    expect(pick(counters, { metric: 'converted' })).toEqual({ count: 5, sum: 10 });
  });
});
