import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { evaluate } from '#functions/evaluate/evaluate.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { MAX_TRAITS_PER_PROFILE } from '#shared/ingest/limits.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * The reserved traits (email, phone, timezone, locale) are a fixed set the
 * profile acts on: they always apply, also to a profile holding as many
 * other traits as it keeps, and they do not take the place of one.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('reserved-traits');
});
afterAll(async () => db.stop());

const full = () => Object.fromEntries(Array.from({ length: MAX_TRAITS_PER_PROFILE }, (_, i) => [`t${i}`, i]));

async function rawItem(userId: string) {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
  return out.Item ?? {};
}

function reportedFields(sqs: ReturnType<typeof ingestDeps>['sqs']): string[] {
  return sqs
    .commandCalls(SendMessageCommand)
    .flatMap((call) => JSON.parse(call.args[0].input.MessageBody ?? '{}').problems ?? [])
    .map((problem: { field: string }) => problem.field);
}

describe('reserved traits on a profile at the trait cap', () => {
  it('apply from an identify, for templates too, and leave room for none of the others', async () => {
    // arrange: a customer holding as many traits as a profile keeps
    const { deps, sqs } = ingestDeps(db);
    await ingestEvent(deps, identify('u-res', full(), '2026-11-24T09:00:00Z'));
    // act
    const result = await ingestEvent(
      deps,
      identify('u-res', {
        email: 'ada@example.com',
        phone: '+14155550100',
        timezone: 'Europe/Rome',
        locale: 'it',
        extra: 1,
      }),
    );
    // assert
    expect(result.status).toBe('recorded');
    const { profile } = await deps.profiles.get('u-res');
    expect(profile.email).toBe('ada@example.com');
    expect(profile.traits).toMatchObject({
      email: 'ada@example.com',
      phone: '+14155550100',
      timezone: 'Europe/Rome',
      locale: 'it',
    });
    expect(profile.traits.extra).toBeUndefined();
    expect(reportedFields(sqs)).toEqual(['traits.extra']);
    expect((await rawItem('u-res')).tc).toBe(MAX_TRAITS_PER_PROFILE);
  });

  it('apply from an updateProfile step', async () => {
    // arrange
    const { deps: ingest } = ingestDeps(db);
    await ingestEvent(ingest, identify('u-step', full(), '2026-11-24T09:00:00Z'));
    const profiles = new ProfilesRepository(db.doc, db.tables.profiles);
    const deps = {
      profiles,
      traits: new ProfileTraits(db.doc, db.tables.profiles),
      stats: new StatsRepository(db.doc, db.tables.stats),
      now: () => new Date('2026-11-24T10:00:00Z'),
    };
    // act
    await evaluate(deps, {
      v: CONTRACT_VERSION,
      journeyId: 'j',
      journeyVersion: '1',
      enrollmentId: 'e',
      userId: 'u-step',
      stepId: 's',
      op: 'updateProfile',
      set: [{ trait: 'email', value: 'step@example.com' }],
      increment: [],
      unset: [],
      visit: '2026-11-24T10:00:00Z',
    });
    // assert
    const { profile } = await profiles.get('u-step');
    expect(profile.email).toBe('step@example.com');
    expect(profile.traits.email).toBe('step@example.com');
    expect((await rawItem('u-step')).tc).toBe(MAX_TRAITS_PER_PROFILE);
  });

  it('join the known profile from a merged visitor', async () => {
    // arrange: a visitor with an address, a customer at the cap without one
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, identify('u-merge', full(), '2026-11-24T09:00:00Z'));
    await ingestEvent(deps, {
      ...identify('unused', { email: 'visitor@example.com' }, '2026-11-24T09:10:00Z'),
      userId: undefined,
      anonymousId: 'a-res',
    });
    // act
    await ingestEvent(deps, { ...identify('u-merge', {}), anonymousId: 'a-res' });
    // assert
    const { profile } = await deps.profiles.get('u-merge');
    expect(profile.email).toBe('visitor@example.com');
    expect(profile.traits.email).toBe('visitor@example.com');
  });

  it('correct the count of a profile written when they counted, so the cap is the same for it', async () => {
    // arrange: 99 traits and an email, counted as 100 as they were before
    const { deps, sqs } = ingestDeps(db);
    const item: Record<string, unknown> = { userId: 'u-old', fv: 4, email: 'old@example.com', tc: 100 };
    for (let i = 0; i < MAX_TRAITS_PER_PROFILE - 1; i++) item[`t:t${i}`] = i;
    item['t:email'] = 'old@example.com';
    await db.doc.send(new PutCommand({ TableName: db.tables.profiles, Item: item }));
    // act: one more trait fits, the next does not
    await ingestEvent(deps, identify('u-old', { last: 1 }));
    await ingestEvent(deps, identify('u-old', { past: 1 }));
    // assert
    const stored = await rawItem('u-old');
    expect(stored['t:last']).toBe(1);
    expect(stored['t:past']).toBeUndefined();
    expect(stored.tc).toBe(MAX_TRAITS_PER_PROFILE);
    expect(reportedFields(sqs)).toEqual(['traits.past']);
  });
});
