import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { evaluate } from '#functions/evaluate/evaluate.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { ErrorName } from '#shared/errors.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * A number in a trait is kept as that number: one the profile could not
 * store and read back as it is (a 17-digit loyalty number, 1e20, 1e200) is
 * left out with the reason, and the rest of the identify applies. Before,
 * such a trait passed the edge and failed the profile's write on every
 * retry: the customer's whole identify, their plan and address with it, was
 * lost.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('trait-numbers');
});
afterAll(async () => db.stop());

/** A 17-digit number as an event's JSON carries it (already 12345678901234568 once parsed). */
const LOYALTY_NUMBER: number = JSON.parse('12345678901234567');

function reported(sqs: ReturnType<typeof ingestDeps>['sqs']): { field: string; message: string }[] {
  return sqs
    .commandCalls(SendMessageCommand)
    .flatMap((call) => JSON.parse(call.args[0].input.MessageBody ?? '{}').problems ?? []);
}

describe('a trait holding a number', () => {
  it.each([
    ['a 17-digit loyalty number', LOYALTY_NUMBER],
    ['a number past 2^53', 2 ** 53],
    ['a number past what DynamoDB stores', 1e200],
    ['a list with a large number', [1, 2e16]],
  ])(
    'that the profile cannot keep exactly (%s) is left out, and the rest of the identify applies',
    async (_name, value) => {
      // arrange
      const { deps, sqs } = ingestDeps(db);
      const userId = `u-${String(_name).replace(/\W+/g, '-')}`;
      // act
      const result = await ingestEvent(
        deps,
        identify(userId, { plan: 'pro', email: 'ada@example.com', loyalty: value }),
      );
      // assert
      expect(result.status).toBe('recorded');
      const { profile } = await deps.profiles.get(userId);
      expect(profile.traits.plan).toBe('pro');
      expect(profile.email).toBe('ada@example.com');
      expect(profile.traits.loyalty).toBeUndefined();
      expect(reported(sqs).map((p) => p.field)).toEqual(['traits.loyalty']);
      expect(reported(sqs)[0]?.message).toMatch(/outside the numbers a trait keeps exactly/);
    },
  );

  it('at the edge of what it keeps exactly is kept, and reads back as that number', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(
      deps,
      identify('u-edge', { big: Number.MAX_SAFE_INTEGER, small: -1e-130, list: [0, 1.5] }),
    );
    const { profile } = await deps.profiles.get('u-edge');
    expect(profile.traits).toMatchObject({ big: Number.MAX_SAFE_INTEGER, small: -1e-130, list: [0, 1.5] });
  });
});

describe('an updateProfile step', () => {
  const deps = () => ({
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    traits: new ProfileTraits(db.doc, db.tables.profiles),
    stats: new StatsRepository(db.doc, db.tables.stats),
    now: () => new Date('2026-11-24T10:00:00Z'),
  });
  const step = (userId: string, visit: string, changes: { set?: unknown[]; increment?: unknown[] }) => ({
    v: CONTRACT_VERSION,
    journeyId: 'j',
    journeyVersion: '1',
    enrollmentId: 'e',
    userId,
    stepId: 's',
    op: 'updateProfile' as const,
    set: [],
    increment: [],
    unset: [],
    ...changes,
    visit,
  });

  it('whose increment would take a trait past what it keeps exactly fails on data, and the rest applies', async () => {
    // arrange: points just under 2^53
    const { deps: ingest } = ingestDeps(db);
    await ingestEvent(ingest, identify('u-points', { points: Number.MAX_SAFE_INTEGER - 1 }));
    // act
    const failure = await evaluate(
      deps(),
      step('u-points', '2026-11-24T10:00:00Z', {
        increment: [{ trait: 'points', by: 10 }],
        set: [{ trait: 'tier', value: 'gold' }],
      }) as never,
    ).then(
      () => undefined,
      (error: Error) => error,
    );
    // assert: the step fails with a reason the failure policy catches; the profile still reads
    expect(failure?.name).toBe(ErrorName.ProfileValue);
    expect(failure?.message).toMatch(/points.*outside the numbers a trait keeps exactly/);
    const { profile } = await deps().profiles.get('u-points');
    expect(profile.traits).toMatchObject({ points: Number.MAX_SAFE_INTEGER - 1, tier: 'gold' });
  });

  it('writing a literal the profile cannot keep does not validate, naming the trait', () => {
    const journey = {
      id: 'points',
      name: 'Points',
      trigger: { type: 'event', event: 'Order Completed' },
      start: 'award',
      steps: {
        award: {
          type: 'updateProfile',
          set: { card: LOYALTY_NUMBER },
          increment: { points: 1e20 },
          next: 'done',
        },
        done: { type: 'exit' },
      },
    };
    const result = validateJourney(journey);
    expect(result.ok ? [] : result.violations.map((v) => v.path)).toStrictEqual([
      'steps.award.set.card',
      'steps.award.increment.points',
    ]);
  });
});
