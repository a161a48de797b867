import { GetCommand } from '@aws-sdk/lib-dynamodb';
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

async function recordOf(enrollmentId: string) {
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tables.stats,
      Key: { pk: `enrollment#${enrollmentId}`, sk: 'enrollment' },
    }),
  );
  return Item;
}

async function enroll(journeyId: string, enrollmentId: string, variant: string, goalWithin?: string) {
  await repo().recordEnrollment({
    journeyId,
    version: '3',
    enrollmentId,
    at: T0,
    variants: [{ stepId: 'ab', variant }],
    goalWithin,
  });
}

describe('stats: counters and attribution against dynalite', () => {
  it('attributes a conversion and its value to the variant and the last message step, once', async () => {
    // arrange
    const stats = repo();
    await enroll('attr', 'e1', 'treatment', 'P7D');
    const send = { journeyId: 'attr', version: '3', enrollmentId: 'e1', channel: 'email' as const };
    await stats.recordSend({ ...send, stepId: 'email-1', status: 'sent', at: later(1) });
    await stats.recordSend({
      ...send,
      stepId: 'email-2',
      status: 'deferred',
      reason: 'quiet hours',
      at: later(2),
    });
    await stats.recordSend({ ...send, stepId: 'email-2', status: 'sent', at: later(9) });
    // act: the goal event is delivered twice
    const conversion = { journeyId: 'attr', version: '3', enrollmentId: 'e1', value: 42.5, ends: true };
    await stats.recordConversion({ ...conversion, at: later(10) });
    await stats.recordConversion({ ...conversion, at: later(10) });
    // assert
    const { counters, days } = await stats.read('attr');
    expect(pick(counters, { metric: 'converted' })).toEqual({ count: 1, sum: 42.5 });
    expect(pick(counters, { metric: 'converted', stepId: 'ab', variant: 'treatment' })).toEqual({
      count: 1,
      sum: 42.5,
    });
    expect(pick(counters, { metric: 'converted', stepId: 'email-2' }).count).toBe(1);
    expect(pick(counters, { metric: 'converted', stepId: 'email-1' }).count).toBe(0);
    expect(pick(counters, { metric: 'deferred', stepId: 'email-2', reason: 'quietHours' }).count).toBe(1);
    expect(pick(counters, { metric: 'sent', stepId: 'email-2' }).count).toBe(1);
    expect(pick(counters, { metric: outcomeMetric('goal'), stepId: 'ab', variant: 'treatment' }).count).toBe(
      1,
    );
    expect(days).toEqual(
      expect.arrayContaining([
        { day: '2026-11-24', metric: 'sent', channel: 'email', count: 2 },
        { day: '2026-11-24', metric: 'converted', count: 1, sum: 42.5 },
      ]),
    );
  });

  it('counts a goal reached after the last step, inside the window, and then forgets the enrollment', async () => {
    // arrange: the execution completes first; the goal window (P7D) is still open
    const stats = repo();
    await enroll('late', 'e2', 'control', 'P7D');
    await stats.recordOutcome({
      journeyId: 'late',
      version: '3',
      enrollmentId: 'e2',
      outcome: 'completed',
      at: later(5),
    });
    const kept = await recordOf('e2');
    // act
    await stats.recordConversion({
      journeyId: 'late',
      version: '3',
      enrollmentId: 'e2',
      at: later(48),
      ends: true,
    });
    // assert
    const counters = await stats.funnel('late');
    expect(kept?.expiresAt).toBe(Math.floor(later(7 * 24).getTime() / 1000));
    expect(pick(counters, { metric: 'converted', stepId: 'ab', variant: 'control' }).count).toBe(1);
    expect(pick(counters, { metric: outcomeMetric('completed') }).count).toBe(1);
    expect(pick(counters, { metric: outcomeMetric('goal') }).count).toBe(0);
    expect(await recordOf('e2')).toBeUndefined();
  });

  it('counts each way an enrollment ends once, and a goal stop is not also an abort', async () => {
    // arrange
    const stats = repo();
    const ends = ['completed', 'failed', 'aborted', 'timedOut', 'exited'] as const;
    for (const i of ends.keys()) await enroll('ends', `x${i}`, i % 2 === 0 ? 'a' : 'b');
    await enroll('ends', 'g', 'a', 'P1D');
    // act: every ending delivered twice; the goal-stopped execution later reports ABORTED
    for (const [i, outcome] of ends.entries()) {
      for (let n = 0; n < 2; n++) {
        await stats.recordOutcome({
          journeyId: 'ends',
          version: '3',
          enrollmentId: `x${i}`,
          outcome,
          at: later(1),
        });
      }
    }
    await stats.recordConversion({
      journeyId: 'ends',
      version: '3',
      enrollmentId: 'g',
      at: later(2),
      ends: true,
    });
    await stats.recordOutcome({
      journeyId: 'ends',
      version: '3',
      enrollmentId: 'g',
      outcome: 'aborted',
      at: later(2),
    });
    // assert
    const counters = await stats.funnel('ends');
    const journeyLevel = Object.fromEntries(
      [...ends, 'goal' as const].map((o) => [o, pick(counters, { metric: outcomeMetric(o) }).count]),
    );
    expect(journeyLevel).toEqual({ completed: 1, failed: 1, aborted: 1, timedOut: 1, exited: 1, goal: 1 });
    expect(pick(counters, { metric: outcomeMetric('failed'), stepId: 'ab', variant: 'b' }).count).toBe(1);
    expect(pick(counters, { metric: outcomeMetric('aborted'), stepId: 'ab', variant: 'a' }).count).toBe(1);
    // Ended, converted or with no window left: nothing is kept.
    for (const id of ['x0', 'x1', 'x2', 'x3', 'x4', 'g']) expect(await recordOf(id)).toBeUndefined();
  });

  it('tells its observer (the per-journey metrics) of each conversion and ending once', async () => {
    // arrange
    const seen: string[] = [];
    const stats = new StatsRepository(db.doc, db.tables.stats, {
      observer: {
        conversion: (journeyId, value) => seen.push(`${journeyId} converted ${value}`),
        outcome: (journeyId, outcome) => seen.push(`${journeyId} ${outcome}`),
      },
    });
    await stats.recordEnrollment({
      journeyId: 'obs',
      version: '1',
      enrollmentId: 'o1',
      at: T0,
      variants: [],
    });
    // act: goal delivered twice, then the ABORTED status of the stopped execution
    const conversion = {
      journeyId: 'obs',
      version: '1',
      enrollmentId: 'o1',
      value: 12,
      ends: true,
      at: later(1),
    };
    await stats.recordConversion(conversion);
    await stats.recordConversion(conversion);
    await stats.recordOutcome({
      journeyId: 'obs',
      version: '1',
      enrollmentId: 'o1',
      outcome: 'aborted',
      at: later(1),
    });
    // assert
    expect(seen).toEqual(['obs converted 12', 'obs goal']);
  });

  it('keeps suppression reasons as bounded codes, whatever the provider wrote', async () => {
    // arrange
    const stats = repo();
    const send = {
      journeyId: 'why',
      version: '1',
      enrollmentId: 'w',
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
});
