import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { evaluate } from '#functions/evaluate/evaluate.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import {
  PUT_EVENTS_RESOURCE,
  UPDATE_ITEM_RESOURCE,
  updateItemIntegration,
} from '#infra/local/services/stepfunctions/integrations.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { EvaluateInput } from '#shared/tasks/evaluate.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { LOCAL_BINDINGS } from './harness.ts';

/**
 * The onboarding journey as the compiler rendered it under contract version 1
 * (task inputs with `v: 1`, the profile update through `dynamodb:updateItem`):
 * an execution started then may run for up to a year against today's handlers.
 */
const V1_DEFINITION = new URL('../../fixtures/asl-v1/onboarding.json', import.meta.url);

function v1Definition(profilesTable: string): string {
  const values = new Map([
    ['EvaluateFunctionArn', LOCAL_BINDINGS.evaluateFunctionArn],
    ['SendMessageFunctionArn', LOCAL_BINDINGS.sendMessageFunctionArn],
    ['ProfilesTableName', profilesTable],
    ['EventBusName', LOCAL_BINDINGS.eventBusName],
  ]);
  return readFileSync(V1_DEFINITION, 'utf8').replace(
    /\$\{(\w+)\}/g,
    (placeholder, key: string) => values.get(key) ?? placeholder,
  );
}

describe('an execution started on contract version 1, run against the current handlers', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite('contract-v1');
  });
  afterAll(async () => dynamo.stop());

  it('parses every task input of version 1 and runs to its end', async () => {
    // arrange
    const profiles = new ProfilesRepository(dynamo.doc, dynamo.tables.profiles);
    const deps = {
      profiles,
      traits: new ProfileTraits(dynamo.doc, dynamo.tables.profiles),
      stats: new StatsRepository(dynamo.doc, dynamo.tables.stats),
      now: () => new Date('2026-11-30T10:00:00Z'),
    };
    const sends: string[] = [];
    const machine = new LocalStateMachine(JSON.parse(v1Definition(dynamo.tables.profiles)), {
      handlers: {
        [LOCAL_BINDINGS.evaluateFunctionArn]: (input) => evaluate(deps, EvaluateInput.parse(input)),
        [LOCAL_BINDINGS.sendMessageFunctionArn]: (input) => {
          const parsed = SendMessageInput.parse(input);
          sends.push(`${parsed.v}:${parsed.stepId}`);
          return { status: 'sent', messageId: `m-${parsed.stepId}` };
        },
        [UPDATE_ITEM_RESOURCE]: updateItemIntegration(dynamo.client),
        [PUT_EVENTS_RESOURCE]: () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] }),
      },
      timeScale: 0,
    });
    const input = {
      v: 1,
      journeyId: 'onboarding',
      journeyVersion: '1',
      enrollmentId: 'e-v1',
      userId: 'v1-user',
      enrolledAt: '2026-11-30T10:00:00Z',
      trigger: {
        type: 'track',
        event: 'Signed Up',
        userId: 'v1-user',
        messageId: 'm1',
        timestamp: '2026-11-30T10:00:00Z',
        properties: { plan: 'teams' },
      },
      buckets: {},
    };
    // act
    const result = await machine.start(input).done;
    // assert: the old enrollment input is upgraded, every task accepted it, the journey ran to an exit
    expect(EnrollmentInput.parse(input).v).toBe(2);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ exit: { stepId: expect.any(String) } });
    expect(result.output).not.toHaveProperty('failure');
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.every((s) => s.startsWith('2:'))).toBe(true);
    const { profile } = await profiles.get('v1-user');
    expect(profile.traits).toMatchObject({ plan: 'teams', onboardingRuns: 1 });
  });
});
