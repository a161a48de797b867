import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { UPDATE_ITEM_RESOURCE, updateItemIntegration } from '#infra/local/integrations.ts';
import { LocalStateMachine } from '#infra/local/stepfunctions/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { LOCAL_BINDINGS } from './harness.ts';

const journey = Journey.parse({
  id: 'tagging',
  name: 'Tagging',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'tag',
  steps: {
    tag: {
      type: 'updateProfile',
      set: { stage: 'onboarding', plan: { from: 'trigger.properties.plan' } },
      increment: { signups: 1 },
      unset: ['trialEndsAt'],
      next: 'done',
    },
    done: { type: 'exit' },
  },
});

describe('updateProfile, compiled, against the profiles table', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite('update-profile');
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it('writes the traits where the repositories read them', async () => {
    // arrange: a profile with an old trait, written the way ingest writes it
    const profiles = new ProfilesRepository(dynamo.doc, dynamo.tables.profiles);
    await dynamo.doc.send(
      new PutCommand({
        TableName: dynamo.tables.profiles,
        Item: { userId: 'u1', 't:trialEndsAt': '2026-12-01', 't:signups': 1 },
      }),
    );
    const machine = new LocalStateMachine(
      compile(journey, { ...LOCAL_BINDINGS, profilesTableName: dynamo.tables.profiles }),
      {
        handlers: { [UPDATE_ITEM_RESOURCE]: updateItemIntegration(dynamo.client) },
      },
    );
    // act
    const result = await machine.start({
      userId: 'u1',
      trigger: { type: 'track', properties: { plan: 'team' } },
    }).done;
    // assert
    expect(result.status).toBe('SUCCEEDED');
    const { profile } = await profiles.get('u1');
    expect(profile.traits).toEqual({ stage: 'onboarding', plan: 'team', signups: 2 });
  });
});
