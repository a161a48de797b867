import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { evaluate } from '#functions/evaluate/evaluate.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import { EvaluateInput } from '#shared/tasks/evaluate.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { LOCAL_BINDINGS } from './harness.ts';

function journey(steps: JourneyInput['steps'], settings: JourneyInput['settings'] = {}): Journey {
  return Journey.parse({
    id: 'tagging',
    name: 'Tagging',
    trigger: { type: 'event', event: 'Signed Up' },
    settings,
    start: 'tag',
    steps: { ...steps, done: { type: 'exit' }, after: { type: 'exit', reason: 'went on' } },
  });
}

describe('updateProfile, compiled, run offline against the profiles table', () => {
  let dynamo: LocalDynamo;
  let profiles: ProfilesRepository;
  let stats: StatsRepository;

  beforeAll(async () => {
    dynamo = await startDynalite('update-profile');
    profiles = new ProfilesRepository(dynamo.doc, dynamo.tables.profiles);
    stats = new StatsRepository(dynamo.doc, dynamo.tables.stats);
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  /** Runs the journey with the real evaluate function (as its handler parses input) on dynalite. */
  async function run(
    definition: Journey,
    userId: string,
    properties: Record<string, unknown>,
    evaluated: () => void = () => undefined,
  ) {
    const deps = {
      profiles,
      traits: new ProfileTraits(dynamo.doc, dynamo.tables.profiles),
      stats,
      now: () => new Date('2026-11-30T10:00:00Z'),
    };
    const machine = new LocalStateMachine(compile(definition, LOCAL_BINDINGS), {
      handlers: {
        [LOCAL_BINDINGS.evaluateFunctionArn]: (input) => {
          const parsed = EvaluateInput.parse(input);
          evaluated();
          return evaluate(deps, parsed);
        },
      },
      timeScale: 0,
      // Journey time stands still while the execution runs, as on the local runtime's clock.
      clock: () => Date.parse('2026-11-30T10:00:00Z'),
    });
    return machine.start({
      v: 2,
      journeyId: definition.id,
      journeyVersion: '1',
      enrollmentId: `e-${userId}`,
      userId,
      trigger: { type: 'track', event: 'Signed Up', properties },
    }).done;
  }

  async function stored(userId: string): Promise<Record<string, unknown>> {
    const { Item } = await dynamo.doc.send(
      new GetCommand({ TableName: dynamo.tables.profiles, Key: { userId } }),
    );
    return Object.fromEntries(Object.entries(Item ?? {}).filter(([key]) => key.startsWith('t:')));
  }

  it('writes the traits where the repositories read them', async () => {
    // arrange: a profile with an old trait, written the way ingest writes it
    await dynamo.doc.send(
      new PutCommand({
        TableName: dynamo.tables.profiles,
        Item: { userId: 'u1', 't:trialEndsAt': '2026-12-01', 't:signups': 1 },
      }),
    );
    const tagging = journey({
      tag: {
        type: 'updateProfile',
        set: { stage: 'onboarding', plan: { from: 'trigger.properties.plan' } },
        increment: { signups: 1 },
        unset: ['trialEndsAt'],
        next: 'done',
      },
    });
    // act
    const result = await run(tagging, 'u1', { plan: 'team' });
    // assert
    expect(result.status).toBe('SUCCEEDED');
    const { profile } = await profiles.get('u1');
    expect(profile.traits).toEqual({ stage: 'onboarding', plan: 'team', signups: 2 });
  });

  it('applies each visit of a step looped at one instant', async () => {
    // arrange: tag → check → tag → check → done, with no time passing between the visits
    const looped = journey({
      tag: { type: 'updateProfile', increment: { visits: 1 }, next: 'check' },
      check: {
        type: 'branch',
        branches: [{ when: { path: 'profile.traits.visits', lt: 2 }, next: 'tag' }],
        otherwise: 'done',
      },
    });
    let calls = 0;
    const runaway = () => {
      // A visit taken for a retry of the one before would loop for good: stop it.
      calls += 1;
      if (calls > 8) throw new Error('the loop never ended');
    };
    // act
    const result = await run(looped, 'looped', {}, runaway);
    // assert
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ exit: { stepId: 'done' } });
    expect(await stored('looped')).toMatchObject({ 't:visits': 2 });
  });

  it.each([
    { kind: 'number', value: 9 },
    { kind: 'boolean', value: false },
    { kind: 'string', value: 'nine' },
    { kind: 'list', value: ['a', 1, true] },
  ])('copies a $kind from the trigger with its JSON type', async ({ kind, value }) => {
    // arrange
    const copy = journey({
      tag: { type: 'updateProfile', set: { score: { from: 'trigger.properties.score' } }, next: 'done' },
    });
    // act
    const result = await run(copy, `copy-${kind}`, { score: value });
    // assert
    expect(result.status).toBe('SUCCEEDED');
    expect(await stored(`copy-${kind}`)).toStrictEqual({ 't:score': value });
  });

  it('copies a property whose name contains a dot, written in brackets', async () => {
    // arrange
    const copy = journey({
      tag: {
        type: 'updateProfile',
        set: { source: { from: "trigger.properties['utm.source']" } },
        next: 'done',
      },
    });
    // act
    const result = await run(copy, 'utm', { 'utm.source': 'newsletter', utm: { source: 'ad' } });
    // assert
    expect(result.status).toBe('SUCCEEDED');
    expect(await stored('utm')).toStrictEqual({ 't:source': 'newsletter' });
  });

  it('a copied number compares as a number in a later branch', async () => {
    // arrange
    const scored = journey({
      tag: { type: 'updateProfile', set: { score: { from: 'trigger.properties.score' } }, next: 'check' },
      check: {
        type: 'branch',
        branches: [{ when: { path: 'profile.traits.score', gte: 5 }, next: 'after' }],
        otherwise: 'done',
      },
    });
    // act
    const result = await run(scored, 'scored', { score: 9 });
    // assert
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ exit: { stepId: 'after' } });
  });

  it.each([
    { policy: 'continue' as const, exit: { stepId: 'after', reason: 'went on' } },
    {
      policy: 'exit' as const,
      exit: { stepId: 'tag', reason: 'profile not updated', error: 'Journeys.ProfileValue' },
    },
  ])(
    'an increment of a non-number keeps set and unset and follows onFailure: $policy',
    async ({ policy, exit }) => {
      // arrange
      const userId = `bad-increment-${policy}`;
      await dynamo.doc.send(
        new PutCommand({
          TableName: dynamo.tables.profiles,
          Item: { userId, 't:visits': '3', 't:trial': 'yes' },
        }),
      );
      const counting = journey(
        {
          tag: {
            type: 'updateProfile',
            set: { stage: 'active' },
            increment: { visits: 1 },
            unset: ['trial'],
            next: 'after',
          },
        },
        { onFailure: policy },
      );
      // act
      const result = await run(counting, userId, {});
      // assert: the execution ends as the journey says, not FAILED, and the failure is on record
      expect(result.status).toBe('SUCCEEDED');
      expect(result.output).toMatchObject({ exit, failure: { Error: 'Journeys.ProfileValue' } });
      expect(await stored(userId)).toStrictEqual({ 't:visits': '3', 't:stage': 'active' });
    },
  );
});
