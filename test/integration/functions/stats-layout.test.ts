import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { counterSortKey, daySortKey, outcomeMetric } from '#shared/stats/keys.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * Counter sets against dynalite: one write per item a call adds to, the
 * same rows as the one-item-per-counter layout, tables holding both layouts
 * summed, and step ids and variant names that are JavaScript's own names.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('stats-layout');
});
afterAll(async () => db.stop());

const T0 = new Date('2026-11-24T10:00:00Z');

/**
 * A repository whose writes are counted by the items they update. Writes
 * that land only: the first write to a version's item that is not there yet
 * is refused and made again once its retention is read (stats-retired-counts.test.ts).
 */
function counted() {
  const writes: string[] = [];
  const send = db.doc.send.bind(db.doc);
  const spy = vi.spyOn(db.doc, 'send').mockImplementation((async (command: unknown) => {
    const out = await send(command as never);
    if (command instanceof UpdateCommand) writes.push(String(command.input.Key?.sk));
    return out;
  }) as typeof db.doc.send);
  return { stats: new StatsRepository(db.doc, db.tables.stats), writes, restore: () => spy.mockRestore() };
}

type Row = (string | number | null)[];

/** Rows in one order, for whole-table comparisons. */
function sorted(list: Row[]): Row[] {
  return list.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Rows as [stepId, variant, metric, reason, count, sum], sorted. */
function rows(counters: StatRow[]): Row[] {
  return sorted(
    counters.map((r) => [r.stepId ?? '', r.variant ?? '', r.metric, r.reason ?? '', r.count, r.sum ?? null]),
  );
}

describe('stats: counter sets', () => {
  it('makes one write per item a call adds to: the version, the step, the day', async () => {
    // arrange
    const { stats, writes, restore } = counted();
    const journey = { journeyId: 'one-write', version: '2' };
    const variants = [{ stepId: 'ab', variant: 'sms' }];
    try {
      // act
      await stats.recordEnrollment({ ...journey, variants });
      const enrollment = writes.splice(0);
      await stats.recordSend({ ...journey, stepId: 'sms-1', channel: 'sms', status: 'sent', at: T0 });
      const send = writes.splice(0);
      await stats.recordConversion({ ...journey, value: 10, variants, lastStep: 'sms-1', at: T0 });
      const conversion = writes.splice(0);
      await stats.recordOutcome({ ...journey, outcome: 'goal', variants });
      const outcome = writes.splice(0);
      // assert
      expect(enrollment).toEqual(['=v#2#ab']);
      expect(send).toEqual(['=s#2#sms-1', '=d#2026-11-24']);
      expect(conversion.sort()).toEqual(['=d#2026-11-24', '=s#2#sms-1', '=v#2#ab']);
      expect(outcome).toEqual(['=v#2#ab']);
    } finally {
      restore();
    }
    const { counters, days } = await stats.read('one-write');
    expect(rows(counters)).toEqual(
      sorted([
        ['', '', 'converted', '', 1, 10],
        ['', '', 'enrolled', '', 1, null],
        ['', '', outcomeMetric('goal'), '', 1, null],
        ['ab', 'sms', 'assigned', '', 1, null],
        ['ab', 'sms', 'converted', '', 1, 10],
        ['ab', 'sms', outcomeMetric('goal'), '', 1, null],
        ['sms-1', '', 'converted', '', 1, 10],
        ['sms-1', '', 'sent', '', 1, null],
      ]),
    );
    expect(days).toEqual([
      { day: '2026-11-24', metric: 'converted', count: 1, sum: 10, valued: 1 },
      { day: '2026-11-24', metric: 'sent', channel: 'sms', count: 1 },
    ]);
  });

  it('counts a send per variant in the write that counts it for the step, and a send with no variant as before', async () => {
    // arrange
    const { stats, writes, restore } = counted();
    const journey = { journeyId: 'per-variant', version: '3' };
    const mail = { ...journey, stepId: 'mail', channel: 'email' as const, at: T0 };
    try {
      // act: one send of each outcome for variant "__proto__", a failure for "b", one before variants were known
      await stats.recordSend({ ...mail, status: 'sent', variant: '__proto__' });
      await stats.recordSend({ ...mail, status: 'deferred', reason: 'quiet hours', variant: '__proto__' });
      await stats.recordSend({ ...mail, status: 'deferred', reason: 'frequency cap', variant: '__proto__' });
      await stats.recordSend({ ...mail, status: 'failed', variant: 'b' });
      await stats.recordSend({ ...mail, status: 'sent' });
      // assert: the step item and the day item, as without variants
      expect(writes.splice(0)).toEqual([
        '=s#3#mail',
        '=d#2026-11-24',
        '=s#3#mail',
        '=s#3#mail',
        '=s#3#mail',
        '=s#3#mail',
        '=d#2026-11-24',
      ]);
    } finally {
      restore();
    }
    const { counters } = await stats.read('per-variant');
    expect(rows(counters)).toEqual(
      sorted([
        ['mail', '', 'sent', '', 2, null],
        ['mail', '', 'deferred', 'quietHours', 1, null],
        ['mail', '', 'deferred', 'frequencyCap', 1, null],
        ['mail', '', 'failed', '', 1, null],
        ['mail', '__proto__', 'sent', '', 1, null],
        ['mail', '__proto__', 'deferred', 'quietHours', 1, null],
        ['mail', '__proto__', 'deferred', 'frequencyCap', 1, null],
        ['mail', 'b', 'failed', '', 1, null],
      ]),
    );
  });

  it('counts the conversions that carried a value in the write that counts them, and says when that is not known', async () => {
    // arrange
    const { stats, writes, restore } = counted();
    const journey = { journeyId: 'valued', version: '1' };
    const variants = [{ stepId: 'ab', variant: 'a' }];
    try {
      // act: one conversion with an amount of 100, one without
      await stats.recordConversion({ ...journey, value: 100, variants, at: T0 });
      await stats.recordConversion({ ...journey, variants, at: T0 });
      // assert: still one write per item
      expect(writes.sort()).toEqual(['=d#2026-11-24', '=d#2026-11-24', '=v#1#ab', '=v#1#ab']);
    } finally {
      restore();
    }
    const { counters, days } = await stats.read('valued');
    const converted = counters.filter((r) => r.metric === 'converted');
    expect(converted.map(({ count, sum, valued }) => ({ count, sum, valued }))).toEqual([
      { count: 2, sum: 100, valued: 1 },
      { count: 2, sum: 100, valued: 1 },
    ]);
    expect(days).toEqual([{ day: '2026-11-24', metric: 'converted', count: 2, sum: 100, valued: 1 }]);
    // a counter set written before the number was kept: its sum alone says nothing of how many
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tables.stats,
        Key: { pk: 'valued#3', sk: '=v#1#ab' },
        UpdateExpression: 'ADD #c :one, #s :sum',
        ExpressionAttributeNames: { '#c': 'converted#-', '#s': '+converted#-' },
        ExpressionAttributeValues: { ':one': 1, ':sum': 50 },
      }),
    );
    const journeyRow = (await stats.read('valued')).counters.find(
      (r) => r.metric === 'converted' && r.stepId === undefined,
    );
    expect(journeyRow).toMatchObject({ count: 3, sum: 150 });
    expect(journeyRow?.valued).toBeUndefined();
  });

  it('keeps a second split’s variants with its step, and counts every split', async () => {
    // arrange
    const { stats, writes, restore } = counted();
    const variants = [
      { stepId: 'first', variant: 'a' },
      { stepId: 'second', variant: 'b' },
    ];
    try {
      // act
      await stats.recordEnrollment({ journeyId: 'two-splits', version: '1', variants });
      // assert
      expect(writes).toEqual(['=v#1#first', '=s#1#second']);
    } finally {
      restore();
    }
    expect(rows(await stats.funnel('two-splits'))).toEqual(
      sorted([
        ['', '', 'enrolled', '', 1, null],
        ['first', 'a', 'assigned', '', 1, null],
        ['second', 'b', 'assigned', '', 1, null],
      ]),
    );
  });

  it('adds several counters of a step in one write', async () => {
    // arrange
    const { stats, writes, restore } = counted();
    const stat = { version: '1', stepId: 'push' };
    try {
      // act
      await stats.incrementAll('tokens', [
        { ...stat, metric: 'pushTokenRemoved', reason: 'unregistered' },
        { ...stat, metric: 'pushTokenRemoved', reason: 'unregistered' },
        { ...stat, metric: 'pushTokenReplaced' },
      ]);
      // assert
      expect(writes).toEqual(['=s#1#push']);
    } finally {
      restore();
    }
    expect(rows(await stats.funnel('tokens'))).toEqual(
      sorted([
        ['push', '', 'pushTokenRemoved', 'unregistered', 2, null],
        ['push', '', 'pushTokenReplaced', '', 1, null],
      ]),
    );
  });

  it('sums a table that holds items of both layouts into one row per counter', async () => {
    // arrange: what a stack deployed before counter sets wrote, one item per counter, on two shards
    const TableName = db.tables.stats;
    const old = async (shard: number, sk: string, count: number, sum?: number) =>
      db.doc.send(
        new PutCommand({
          TableName,
          Item: { pk: `mixed#${shard}`, sk, count, ...(sum === undefined ? {} : { sum }) },
        }),
      );
    await old(0, counterSortKey({ version: '1', metric: 'enrolled' }), 3);
    await old(5, counterSortKey({ version: '1', metric: 'enrolled' }), 2);
    await old(1, counterSortKey({ version: '1', stepId: 'ab', variant: 'x', metric: 'assigned' }), 4);
    await old(2, counterSortKey({ version: '1', metric: 'converted' }), 1, 7.5);
    await old(
      3,
      counterSortKey({ version: '1', stepId: 'mail', metric: 'deferred', reason: 'quietHours' }),
      6,
    );
    await old(4, daySortKey({ day: '2026-11-23', metric: 'sent', channel: 'email' }), 9);
    const stats = new StatsRepository(db.doc, TableName);
    // act: the same counters counted again, now in counter sets
    await stats.recordEnrollment({
      journeyId: 'mixed',
      version: '1',
      variants: [{ stepId: 'ab', variant: 'x' }],
    });
    await stats.recordConversion({ journeyId: 'mixed', version: '1', value: 2.5, at: T0 });
    await stats.recordSend({
      journeyId: 'mixed',
      version: '1',
      stepId: 'mail',
      channel: 'email',
      status: 'deferred',
      reason: 'quiet hours',
      at: T0,
    });
    await stats.incrementDay('mixed', { day: '2026-11-23', metric: 'sent', channel: 'email' }, T0);
    // assert
    const { counters, days } = await stats.read('mixed');
    expect(rows(counters)).toEqual(
      sorted([
        ['', '', 'converted', '', 2, 10],
        ['', '', 'enrolled', '', 6, null],
        ['ab', 'x', 'assigned', '', 5, null],
        ['mail', '', 'deferred', 'quietHours', 7, null],
      ]),
    );
    expect(days).toEqual([
      { day: '2026-11-23', metric: 'sent', channel: 'email', count: 10 },
      { day: '2026-11-24', metric: 'converted', count: 1, sum: 2.5, valued: 1 },
    ]);
    // the first layout's sum does not say how many conversions carried a value: not known, not 1
    const converted = counters.find((r) => r.metric === 'converted' && r.stepId === undefined);
    expect(converted).toMatchObject({ count: 2, sum: 10 });
    expect(converted?.valued).toBeUndefined();
  });

  it('reads a table of the first layout only as it always did', async () => {
    // arrange
    const TableName = db.tables.stats;
    const keys = [
      counterSortKey({ version: '7', metric: 'enrolled' }),
      counterSortKey({ version: '7', stepId: 's', metric: 'sent' }),
      counterSortKey({ version: '7', stepId: 'ab', variant: '-', metric: outcomeMetric('completed') }),
    ];
    for (const [i, sk] of keys.entries())
      await db.doc.send(new PutCommand({ TableName, Item: { pk: `old#${i}`, sk, count: i + 1 } }));
    // act
    const counters = await new StatsRepository(db.doc, TableName).funnel('old');
    // assert
    expect(rows(counters)).toEqual(
      sorted([
        ['', '', 'enrolled', '', 1, null],
        ['ab', '-', outcomeMetric('completed'), '', 3, null],
        ['s', '', 'sent', '', 2, null],
      ]),
    );
  });

  it.each([
    { stepId: '__proto__', variant: 'constructor' },
    { stepId: 'constructor', variant: '__proto__' },
    { stepId: 'hasOwnProperty', variant: 'toString' },
    { stepId: 'ab', variant: '#' },
    { stepId: 'ab', variant: '-' },
    { stepId: 'ab', variant: '+a#b%2D' },
    { stepId: 'ab', variant: 'ünïcødé 🚀' },
  ])('counts step $stepId and variant $variant under their own names', async ({ stepId, variant }) => {
    // arrange
    const stats = new StatsRepository(db.doc, db.tables.stats);
    const journeyId = `hostile-${Buffer.from(stepId + variant).toString('hex')}`;
    const variants = [{ stepId, variant }];
    // act
    await stats.recordEnrollment({ journeyId, version: '1', variants });
    await stats.recordConversion({ journeyId, version: '1', value: 3, variants, lastStep: stepId, at: T0 });
    await stats.recordOutcome({ journeyId, version: '1', outcome: 'goal', variants });
    await stats.increment({ journeyId, version: '1', stepId, metric: 'sent' });
    // assert
    expect(rows(await stats.funnel(journeyId))).toEqual(
      rows([
        { journeyId, version: '1', metric: 'converted', count: 1, sum: 3 },
        { journeyId, version: '1', metric: 'enrolled', count: 1 },
        { journeyId, version: '1', metric: outcomeMetric('goal'), count: 1 },
        { journeyId, version: '1', stepId, variant, metric: 'assigned', count: 1 },
        { journeyId, version: '1', stepId, variant, metric: 'converted', count: 1, sum: 3 },
        { journeyId, version: '1', stepId, variant, metric: outcomeMetric('goal'), count: 1 },
        { journeyId, version: '1', stepId, metric: 'converted', count: 1, sum: 3 },
        { journeyId, version: '1', stepId, metric: 'sent', count: 1 },
      ]),
    );
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('keeps the counter sets of every shard apart and sums them', async () => {
    // arrange: shards drawn in turn
    let draw = 0;
    const stats = new StatsRepository(db.doc, db.tables.stats, { random: () => ((draw++ % 8) + 0.5) / 8 });
    // act
    for (let i = 0; i < 16; i++)
      await stats.recordEnrollment({ journeyId: 'shards', version: '1', variants: [] });
    // assert
    const items = [];
    for (let shard = 0; shard < 8; shard++) {
      const page = await db.doc.send(
        new QueryCommand({
          TableName: db.tables.stats,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `shards#${shard}` },
        }),
      );
      items.push(...(page.Items ?? []));
    }
    expect(items).toHaveLength(8);
    expect(rows(await stats.funnel('shards'))).toEqual([['', '', 'enrolled', '', 16, null]]);
  });
});
