import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { evaluate } from '#functions/evaluate/evaluate.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps, track } from './harness.ts';

let db: LocalDynamo;
let profiles: ProfilesRepository;
const base = {
  v: 1 as const,
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
  const { deps } = ingestDeps(db);
  await ingestEvent(
    deps,
    identify('ev-1', { plan: 'pro', renewalDate: '2026-12-10T09:00:00Z', timezone: 'America/New_York' }),
  );
  await ingestEvent(deps, track('ev-1', 'Order Completed'));
  await ingestEvent(deps, track('ev-1', 'Order Completed'));
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
    expect(await evaluate({ profiles, now }, { ...base, op: 'branch', conditions })).toEqual({ match });
  });
});

describe('evaluate: wait deadlines', () => {
  it('waits until a profile date minus an offset', async () => {
    const out = await evaluate(
      { profiles, now },
      {
        ...base,
        op: 'waitUntil',
        untilDate: { path: 'profile.traits.renewalDate', offset: '-P3D' },
        defaultTimezone: 'UTC',
      },
    );
    expect(out).toEqual({ at: '2026-12-07T09:00:00.000Z' });
  });

  it('waits into the next local window in the customer zone', async () => {
    // 05:00 in New York on a Tuesday → 09:00 EST the same day
    const out = await evaluate(
      { profiles, now },
      { ...base, op: 'waitUntil', window: { start: '09:00', end: '17:00' }, defaultTimezone: 'UTC' },
    );
    expect(out).toEqual({ at: '2026-11-24T14:00:00.000Z' });
  });

  it('fails with a named error when the profile has no such date', async () => {
    await expect(
      evaluate(
        { profiles, now },
        { ...base, op: 'waitUntil', untilDate: { path: 'profile.traits.missing' }, defaultTimezone: 'UTC' },
      ),
    ).rejects.toMatchObject({ name: 'Journeys.InvalidInput' });
  });
});
