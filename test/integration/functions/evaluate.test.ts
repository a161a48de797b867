import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { type EvaluateDeps, evaluate } from '#functions/evaluate/evaluate.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { EvaluateInput } from '#shared/tasks/evaluate.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps, track } from './harness.ts';

let db: LocalDynamo;
let profiles: ProfilesRepository;
let stats: StatsRepository;
let deps: EvaluateDeps;
const base = {
  v: CONTRACT_VERSION,
  journeyId: 'j',
  journeyVersion: '1',
  enrollmentId: 'e',
  userId: 'ev-1',
  stepId: 's',
  trigger: {},
};

beforeAll(async () => {
  db = await startDynalite('evaluate');
  profiles = new ProfilesRepository(db.doc, db.tables.profiles);
  stats = new StatsRepository(db.doc, db.tables.stats);
  deps = { profiles, traits: new ProfileTraits(db.doc, db.tables.profiles), stats, now };
  const ingest = ingestDeps(db).deps;
  await ingestEvent(
    ingest,
    identify('ev-1', { plan: 'pro', renewalDate: '2026-12-10T09:00:00Z', timezone: 'America/New_York' }),
  );
  await ingestEvent(ingest, track('ev-1', 'Order Completed'));
  await ingestEvent(ingest, track('ev-1', 'Order Completed'));
});
afterAll(async () => db.stop());

const now = () => new Date('2026-11-24T10:00:00Z');

describe('evaluate: branch on the fresh profile and history', () => {
  it.each([
    {
      conditions: [
        { path: 'profile.traits.plan', eq: 'free' },
        { path: 'profile.traits.plan', eq: 'pro' },
      ],
      match: 1,
    },
    { conditions: [{ performed: 'Order Completed', atLeast: 2, within: 'P7D' }], match: 0 },
    { conditions: [{ performed: 'Order Completed', atLeast: 3 }], match: -1 },
  ])('$conditions.0 → $match', async ({ conditions, match }) => {
    expect(await evaluate(deps, { ...base, op: 'branch', conditions })).toEqual({ match });
  });

  it('reads the journey context beside the fresh profile, as the handler parses its input', async () => {
    // arrange: a condition on the profile and the context together, input parsed like the handler does
    const input = (score: number) =>
      EvaluateInput.parse({
        ...base,
        op: 'branch',
        conditions: [
          {
            all: [
              { path: 'profile.traits.plan', eq: 'pro' },
              { path: 'context.score', lte: 6 },
            ],
          },
          { path: 'context.score', gte: 9 },
        ],
        context: { score, orderId: 'o-1' },
      });
    // act / assert
    expect(await evaluate(deps, input(10))).toEqual({ match: 1 });
    expect(await evaluate(deps, input(3))).toEqual({ match: 0 });
  });

  it('reads a date without an offset in the customer zone, else in the journey default zone', async () => {
    // arrange: 06:00 on the 24th in New York is 11:00Z, an hour after now; read as UTC it was four hours ago
    const conditions = [{ path: 'trigger.properties.pickupAt', withinNext: 'PT2H' }];
    const trigger = { properties: { pickupAt: '2026-11-24T06:00:00' } };
    const branch = (userId: string, defaultTimezone?: string) =>
      EvaluateInput.parse({ ...base, userId, op: 'branch', conditions, trigger, defaultTimezone });
    // act / assert: ev-1's own zone is New York; a customer without one takes the journey's default
    expect(await evaluate(deps, branch('ev-1'))).toEqual({ match: 0 });
    expect(await evaluate(deps, branch('ev-no-zone', 'America/New_York'))).toEqual({ match: 0 });
    expect(await evaluate(deps, branch('ev-no-zone', 'UTC'))).toEqual({ match: -1 });
  });

  it('refuses a context value the language does not allow', () => {
    const input = { ...base, op: 'branch', conditions: [], context: { score: { nested: true } } };
    expect(EvaluateInput.safeParse(input).success).toBe(false);
  });
});

describe('evaluate: wait deadlines', () => {
  it('waits until a profile date minus an offset', async () => {
    const out = await evaluate(deps, {
      ...base,
      op: 'waitUntil',
      untilDate: { path: 'profile.traits.renewalDate', offset: '-P3D' },
      defaultTimezone: 'UTC',
    });
    expect(out).toEqual({ at: '2026-12-07T09:00:00.000Z' });
  });

  it('waits into the next local window in the customer zone', async () => {
    // 05:00 in New York on a Tuesday → 09:00 EST the same day
    const out = await evaluate(deps, {
      ...base,
      op: 'waitUntil',
      window: { start: '09:00', end: '17:00' },
      defaultTimezone: 'UTC',
    });
    expect(out).toEqual({ at: '2026-11-24T14:00:00.000Z' });
  });

  it.each([
    // 10:30 EST on the Saturday before summer time: 24 hours later is 11:30 EDT, inside the window
    { from: '2026-03-07T15:30:00Z', for: 'P1D', at: '2026-03-08T15:30:00.000Z' },
    // a month is 30 days, as for a wait without a window: 2 March, not 28 February
    { from: '2026-01-31T15:00:00Z', for: 'P1M', at: '2026-03-02T15:00:00.000Z' },
  ])('waits $for as elapsed time, then into the window ($from)', async (row) => {
    // arrange: the customer lives in New York
    const at = { ...deps, now: () => new Date(row.from) };
    // act
    const out = await evaluate(at, {
      ...base,
      op: 'waitUntil',
      for: row.for,
      window: { start: '10:00', end: '12:00' },
      defaultTimezone: 'UTC',
    });
    // assert: the same instant a wait of that duration alone ends at, already inside the window
    expect(out).toEqual({ at: row.at });
  });

  it.each(['Europe/Rome', 'America/Los_Angeles'])(
    'reads a time without an offset in the customer zone, whatever the machine zone (%s)',
    async (zone) => {
      // arrange: the process runs in another zone than Lambda's UTC
      const saved = process.env.TZ;
      process.env.TZ = zone;
      try {
        // act
        const out = await evaluate(deps, {
          ...base,
          trigger: { properties: { due: '2026-12-10T09:00:00' } },
          op: 'waitUntil',
          untilDate: { path: 'trigger.properties.due' },
          defaultTimezone: 'UTC',
        });
        // assert: 09:00 in New York (EST), the customer's, not UTC's nor the machine's
        expect(out).toEqual({ at: '2026-12-10T14:00:00.000Z' });
      } finally {
        process.env.TZ = saved;
      }
    },
  );

  it.each([
    { offset: undefined, at: '2026-12-10T05:00:00.000Z' },
    { offset: '-P1D', at: '2026-12-09T05:00:00.000Z' },
  ])('reads a date without a time as that day in the customer zone (offset $offset)', async (row) => {
    // arrange: a renewal kept as a calendar day; the customer lives in New York
    const input = {
      ...base,
      trigger: { properties: { due: '2026-12-10' } },
      op: 'waitUntil' as const,
      untilDate: {
        path: 'trigger.properties.due',
        ...(row.offset === undefined ? {} : { offset: row.offset }),
      },
      defaultTimezone: 'UTC',
    };
    // act
    const out = await evaluate(deps, input);
    // assert: midnight in New York, not 19:00 the evening before (midnight UTC)
    expect(out).toEqual({ at: row.at });
  });

  it.each(['December 10, 2026', '12/10/2026'])(
    'refuses a date written as %s, saying it is not a date and how to write one',
    async (due) => {
      await expect(
        evaluate(deps, {
          ...base,
          trigger: { properties: { due } },
          op: 'waitUntil',
          untilDate: { path: 'trigger.properties.due' },
          defaultTimezone: 'UTC',
        }),
      ).rejects.toMatchObject({
        name: 'Journeys.ProfileValue',
        message: expect.stringMatching(
          new RegExp(
            `^trigger\\.properties\\.due holds ${JSON.stringify(due).replaceAll('/', '\\/')}, which is not a date: write it as an ISO 8601 date or date-time`,
          ),
        ),
      });
    },
  );

  it.each([
    { path: 'profile.traits.anniversary', where: 'on this profile' },
    { path: 'trigger.properties.due', where: 'in the trigger event' },
  ])('says a date the wait reads at $path is missing, not that it is no date', async (row) => {
    await expect(
      evaluate(deps, {
        ...base,
        trigger: { properties: {} },
        op: 'waitUntil',
        untilDate: { path: row.path },
        defaultTimezone: 'UTC',
      }),
    ).rejects.toMatchObject({
      name: 'Journeys.ProfileValue',
      message: expect.stringMatching(
        new RegExp(`^${row.path.replaceAll('.', '\\.')} has no value ${row.where}: `),
      ),
    });
  });

  it('fails with a named error, not a year-long wait that times out, on a date more than a year away', async () => {
    const wait = (due: string) =>
      evaluate(deps, {
        ...base,
        trigger: { properties: { due } },
        op: 'waitUntil',
        untilDate: { path: 'trigger.properties.due', offset: '-P1D' },
        defaultTimezone: 'UTC',
      });
    // a year from now, less the offset, still ends in time; a year and two days does not
    await expect(wait('2027-11-25T10:00:00Z')).resolves.toEqual({ at: '2027-11-24T10:00:00.000Z' });
    await expect(wait('2027-11-26T10:00:00Z')).rejects.toMatchObject({
      name: 'Journeys.ProfileValue',
      message: expect.stringContaining(
        'trigger.properties.due ends at 2027-11-25T10:00:00.000Z, more than a year',
      ),
    });
  });

  it('fails with a named error when the profile has no such date', async () => {
    await expect(
      evaluate(deps, {
        ...base,
        op: 'waitUntil',
        untilDate: { path: 'profile.traits.missing' },
        defaultTimezone: 'UTC',
      }),
    ).rejects.toMatchObject({ name: 'Journeys.ProfileValue' });
  });
  it('counts the failure per step and kind in the stats', async () => {
    // arrange
    const before = await failures('missing-date');
    // act
    await evaluate(deps, {
      ...base,
      stepId: 'missing-date',
      op: 'waitUntil',
      untilDate: { path: 'profile.traits.missing' },
      defaultTimezone: 'UTC',
    }).catch(() => undefined);
    // assert
    expect(await failures('missing-date')).toBe(before + 1);
  });
});

async function failures(stepId: string): Promise<number> {
  const rows = await stats.funnel('j');
  return rows.find((r) => r.stepId === stepId && r.metric === 'failed.ProfileValue')?.count ?? 0;
}

async function storedTraits(userId: string): Promise<Record<string, unknown>> {
  const { Item } = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
  return Object.fromEntries(Object.entries(Item ?? {}).filter(([key]) => key.startsWith('t:')));
}

describe('evaluate: profile updates', () => {
  it.each([
    { kind: 'number', value: 9 },
    { kind: 'decimal number', value: 4.5 },
    { kind: 'boolean', value: true },
    { kind: 'string', value: '9' },
    { kind: 'list', value: ['red', 2, false] },
    { kind: 'object', value: { city: 'Rome', floor: 3 } },
  ])('stores a $kind with its JSON type', async ({ kind, value }) => {
    // arrange
    const userId = `types-${kind.replace(' ', '-')}`;
    // act
    await evaluate(deps, {
      ...base,
      userId,
      visit: '2026-11-30T10:00:00Z',
      op: 'updateProfile',
      set: [{ trait: 'score', value }],
      increment: [],
      unset: [],
    });
    // assert: the stored value, read back untyped, is the same JSON value
    expect(await storedTraits(userId)).toStrictEqual({ 't:score': value });
  });

  it('changes the address and zone messages use when it sets email or timezone, and refuses one not of its kind', async () => {
    // arrange: a customer known by identify
    const userId = 'reserved';
    await ingestEvent(
      ingestDeps(db, now).deps,
      identify(userId, { email: 'old@example.com', timezone: 'Europe/Rome' }, '2026-11-24T09:00:00Z'),
    );
    const step = (visit: string, set: { trait: string; value: unknown }[], unset: string[] = []) =>
      evaluate(deps, {
        ...base,
        userId,
        stepId: 'reserved-step',
        op: 'updateProfile',
        set,
        increment: [],
        unset,
        visit,
      });
    // act: a new address and zone, then a zone that is none and a phone that is a number
    await step('2026-11-30T10:00:00Z', [
      { trait: 'email', value: 'new@example.com' },
      { trait: 'timezone', value: 'America/New_York' },
    ]);
    const wrong = step('2026-11-30T11:00:00Z', [
      { trait: 'timezone', value: 'GMT+0530' },
      { trait: 'phone', value: 4155550100 },
    ]);
    // assert: what identify sets is set, what is not of its kind is left out with the reason
    await expect(wrong).rejects.toThrow(/profile\.traits\.timezone: must be an IANA time zone/);
    await expect(wrong).rejects.toThrow(/profile\.traits\.phone: must be a string/);
    let { profile } = await profiles.get(userId);
    expect(profile).toMatchObject({ email: 'new@example.com', timezone: 'America/New_York' });
    expect(profile.traits).toMatchObject({ email: 'new@example.com', timezone: 'America/New_York' });
    expect(profile.phone).toBeUndefined();
    // act: unsetting the address takes it away, as an identify with email null does
    await step('2026-11-30T12:00:00Z', [], ['email']);
    ({ profile } = await profiles.get(userId));
    expect(profile.email).toBeUndefined();
    expect(profile.timezone).toBe('America/New_York');
  });

  it('increments a number and keeps the step’s set and unset when another trait is not a number', async () => {
    // arrange
    await db.doc.send(
      new PutCommand({
        TableName: db.tables.profiles,
        Item: { userId: 'mixed', 't:visits': '3', 't:logins': 1, 't:trial': 'yes' },
      }),
    );
    const before = await failures('mixed-step');
    // act
    const run = evaluate(deps, {
      ...base,
      userId: 'mixed',
      stepId: 'mixed-step',
      op: 'updateProfile',
      set: [{ trait: 'stage', value: 'active' }],
      increment: [
        { trait: 'visits', by: 1 },
        { trait: 'logins', by: 2 },
        { trait: 'orders', by: 1 },
      ],
      unset: ['trial'],
      visit: '2026-11-30T10:00:00Z',
    });
    // assert
    await expect(run).rejects.toMatchObject({
      name: 'Journeys.ProfileValue',
      message: expect.stringContaining('profile.traits.visits holds a string'),
    });
    expect(await storedTraits('mixed')).toStrictEqual({
      't:visits': '3',
      't:logins': 3,
      't:orders': 1,
      't:stage': 'active',
    });
    expect(await failures('mixed-step')).toBe(before + 1);
  });

  it('counts its traits toward the profile’s cap and limits: what does not fit fails the step with the reasons', async () => {
    // arrange: a customer with 99 traits from identify calls
    const userId = 'capped';
    const ingest = ingestDeps(db, now).deps;
    const many = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`t${i}`, i]));
    await ingestEvent(ingest, identify(userId, many, '2026-11-24T09:00:00Z'));
    const before = await failures('cap-step');
    const step = (visit: string, set: { trait: string; value: unknown }[], unset: string[] = []) =>
      evaluate(deps, {
        ...base,
        userId,
        stepId: 'cap-step',
        op: 'updateProfile',
        set,
        increment: [],
        unset,
        visit,
      });
    // act: two new traits where one fits, a value too large and a name too long
    const first = step('2026-11-30T10:00:00Z', [
      { trait: 'a', value: 1 },
      { trait: 'b', value: 2 },
      { trait: 'big', value: 'x'.repeat(2000) },
      { trait: 'n'.repeat(300), value: 1 },
      { trait: 't0', value: 'updated' },
    ]);
    // assert: the step fails with every reason, what fits is applied
    await expect(first).rejects.toMatchObject({ name: 'Journeys.ProfileValue' });
    await expect(first).rejects.toThrow(/profile\.traits\.b: a profile keeps at most 100 traits/);
    await expect(first).rejects.toThrow(/profile\.traits\.big: value is 2002 bytes/);
    await expect(first).rejects.toThrow(/limited to 255 bytes in UTF-8/);
    let traits = await storedTraits(userId);
    expect(Object.keys(traits)).toHaveLength(100);
    expect(traits).toMatchObject({ 't:a': 1, 't:t0': 'updated' });
    expect(traits['t:b']).toBeUndefined();
    expect(await failures('cap-step')).toBe(before + 1);
    // act: a later visit removes one trait, which makes room for another
    await step('2026-11-30T11:00:00Z', [{ trait: 'b', value: 2 }], ['t1']);
    // assert
    traits = await storedTraits(userId);
    expect(Object.keys(traits)).toHaveLength(100);
    expect(traits).toMatchObject({ 't:b': 2 });
    // assert: the customer is not frozen, and identify calls see the same count (a new trait is kept out)
    const later = await ingestEvent(
      ingest,
      identify(userId, { t2: 'still', c: 'new' }, '2026-11-24T09:30:00Z'),
    );
    expect(later.status).toBe('recorded');
    const { profile } = await profiles.get(userId);
    expect(profile.traits).toMatchObject({ t2: 'still' });
    expect(profile.traits.c).toBeUndefined();
    const { Item } = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
    expect(Item?.tc).toBe(100);
  });

  it('applies a visit once when the task is retried, and again on the next visit', async () => {
    // arrange
    const update = (visit: string) =>
      evaluate(deps, {
        ...base,
        userId: 'retried',
        stepId: 'count',
        op: 'updateProfile',
        set: [],
        increment: [{ trait: 'visits', by: 1 }],
        unset: [],
        visit,
      });
    // act: the same visit twice (a retried invocation), then a later visit of the same step
    await update('2026-11-30T10:00:00.000Z');
    await update('2026-11-30T10:00:00.000Z');
    await update('2026-12-07T10:00:00.000Z');
    // assert
    expect(await storedTraits('retried')).toStrictEqual({ 't:visits': 2 });
  });

  it.each([
    { thrown: 'ProvisionedThroughputExceededException', name: 'Journeys.Throttled' },
    { thrown: 'InternalServerError', name: 'Journeys.Transient' },
    { thrown: 'TypeError', name: 'TypeError' },
  ])('returns DynamoDB $thrown as $name for the compiled Retry', async ({ thrown, name }) => {
    // arrange: a table that fails (a fault dynalite cannot produce)
    const failing = {
      ...deps,
      traits: {
        apply: async () => {
          throw Object.assign(new Error('refused'), { name: thrown });
        },
      },
    };
    const input = {
      ...base,
      stepId: `fault-${thrown}`,
      op: 'updateProfile' as const,
      set: [],
      increment: [],
      unset: ['x'],
      visit: 'v',
    };
    // act / assert: retried or a bug, never counted as a data failure
    await expect(evaluate(failing, input)).rejects.toMatchObject({ name });
    const rows = await stats.funnel('j');
    expect(rows.filter((r) => r.stepId === `fault-${thrown}`)).toStrictEqual([]);
  });

  it('accepts the input of the previous contract version', async () => {
    // arrange: what an execution started before the current contract sends
    const { EvaluateInput } = await import('#shared/tasks/evaluate.ts');
    const v1 = { ...base, v: 1, op: 'waitUntil', for: 'PT1H', defaultTimezone: 'UTC' };
    // act
    const input = EvaluateInput.parse(v1);
    // assert
    expect(input.v).toBe(CONTRACT_VERSION);
    expect(await evaluate(deps, input)).toEqual({ at: '2026-11-24T11:00:00.000Z' });
  });
});
