import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { evaluate } from '#functions/evaluate/evaluate.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import { EvaluateInput } from '#shared/tasks/evaluate.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { LOCAL_BINDINGS } from './harness.ts';

/** A wait until a profile date the customer does not have. */
function renewal(onFailure?: 'continue' | 'exit') {
  return Journey.parse({
    id: 'renewal',
    name: 'Renewal',
    trigger: { type: 'event', event: 'Subscribed' },
    start: 'before-renewal',
    steps: {
      'before-renewal': {
        type: 'wait',
        untilDate: { path: 'profile.traits.renewalDate', offset: '-P3D' },
        ...(onFailure === undefined ? {} : { onFailure }),
        next: 'reminded',
      },
      reminded: { type: 'exit', reason: 'reminded' },
    },
  });
}

describe('a wait on a missing profile date, compiled and run offline with the real evaluate function', () => {
  let dynamo: LocalDynamo;
  let stats: StatsRepository;
  beforeAll(async () => {
    dynamo = await startDynalite('failure-policy');
    stats = new StatsRepository(dynamo.doc, dynamo.tables.stats);
  });
  afterAll(async () => dynamo.stop());

  async function run(journey: Journey, userId: string) {
    const deps = {
      profiles: new ProfilesRepository(dynamo.doc, dynamo.tables.profiles),
      traits: new ProfileTraits(dynamo.doc, dynamo.tables.profiles),
      stats,
      now: () => new Date('2026-11-30T10:00:00Z'),
    };
    const machine = new LocalStateMachine(compile(journey, LOCAL_BINDINGS), {
      handlers: {
        [LOCAL_BINDINGS.evaluateFunctionArn]: (input) => evaluate(deps, EvaluateInput.parse(input)),
      },
      timeScale: 0,
    });
    return machine.start({
      v: CONTRACT_VERSION,
      journeyId: journey.id,
      journeyVersion: '1',
      enrollmentId: `e-${userId}`,
      userId,
      trigger: { type: 'track', event: 'Subscribed', properties: {} },
    }).done;
  }

  it('continues to the next step by default, with the failure on record and counted', async () => {
    // act
    const result = await run(renewal(), 'no-date-1');
    // assert
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      exit: { stepId: 'reminded' },
      failure: { Error: 'Journeys.ProfileValue' },
    });
    const rows = await stats.funnel('renewal');
    expect(rows.find((r) => r.stepId === 'before-renewal')?.metric).toBe('failed.ProfileValue');
  });

  it('exits with the reason when the step says so', async () => {
    const result = await run(renewal('exit'), 'no-date-2');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.visited).toStrictEqual(['before-renewal', 'before-renewal.failed']);
    expect(result.output).toMatchObject({
      exit: { stepId: 'before-renewal', reason: 'wait not computed', error: 'Journeys.ProfileValue' },
    });
  });
});
