import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { evaluate } from '#functions/evaluate/evaluate.ts';
import { ProfileTraits } from '#functions/evaluate/profile-traits.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { PUT_EVENTS_RESOURCE } from '#shared/journey/compile/emit.ts';
import { Journey } from '#shared/journey/schema.ts';
import { EvaluateInput } from '#shared/tasks/evaluate.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { LOCAL_BINDINGS } from './harness.ts';

/** An emit step, then a wait for an event; each of their failures is counted on the step with its kind. */
function journey(onFailure?: 'continue' | 'exit') {
  return Journey.parse({
    id: 'counted',
    name: 'Counted failures',
    trigger: { type: 'event', event: 'Signed Up' },
    ...(onFailure === undefined ? {} : { settings: { onFailure } }),
    start: 'tell-crm',
    steps: {
      'tell-crm': { type: 'emit', event: 'Lead Created', next: 'wait-order' },
      'wait-order': {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('failures of steps no handler finishes, compiled and run offline', () => {
  let dynamo: LocalDynamo;
  let stats: StatsRepository;
  beforeAll(async () => {
    dynamo = await startDynalite('failure-counts');
    stats = new StatsRepository(dynamo.doc, dynamo.tables.stats);
  });
  afterAll(async () => dynamo.stop());

  async function run(definition: Journey, userId: string) {
    const deps = {
      profiles: new ProfilesRepository(dynamo.doc, dynamo.tables.profiles),
      traits: new ProfileTraits(dynamo.doc, dynamo.tables.profiles),
      stats,
      now: () => new Date('2026-11-30T10:00:00Z'),
    };
    const machine = new LocalStateMachine(compile(definition, LOCAL_BINDINGS), {
      handlers: {
        [LOCAL_BINDINGS.evaluateFunctionArn]: (input) => evaluate(deps, EvaluateInput.parse(input)),
        // The bus refuses the entry, as events:putEvents reports a failed entry.
        [PUT_EVENTS_RESOURCE]: async () => {
          throw named('EventBridge.FailedEntry', 'AccessDeniedException');
        },
        // The wait cannot be registered: its input is refused.
        [LOCAL_BINDINGS.awaitEventFunctionArn]: async () => {
          throw named('Journeys.InvalidInput', 'unsupported contract version');
        },
      },
      timeScale: 0,
    });
    return machine.start({
      v: CONTRACT_VERSION,
      journeyId: definition.id,
      journeyVersion: '1',
      enrollmentId: `e-${userId}`,
      userId,
      trigger: { type: 'track', event: 'Signed Up', properties: {} },
    }).done;
  }

  const failures = async () =>
    (await stats.funnel('counted'))
      .filter((r) => r.metric.startsWith('failed.'))
      .map((r) => ({ stepId: r.stepId, metric: r.metric, count: r.count }));

  it('counts each failure with its kind and continues', async () => {
    // act
    const result = await run(journey(), 'u-1');
    // assert
    expect(result.status).toBe('SUCCEEDED');
    expect(result.visited).toStrictEqual([
      'tell-crm',
      'tell-crm.countFailure',
      'wait-order',
      'wait-order.countFailure',
      'done',
    ]);
    expect(await failures()).toEqual(
      expect.arrayContaining([
        { stepId: 'tell-crm', metric: 'failed.EventBus', count: 1 },
        { stepId: 'wait-order', metric: 'failed.InvalidInput', count: 1 },
      ]),
    );
  });

  it('counts, then exits with the reason when the policy says so', async () => {
    // act
    const result = await run(journey('exit'), 'u-2');
    // assert
    expect(result.visited).toStrictEqual(['tell-crm', 'tell-crm.countFailure', 'tell-crm.failed']);
    expect(result.output).toMatchObject({
      exit: { stepId: 'tell-crm', reason: 'event not emitted', error: 'EventBridge.FailedEntry' },
    });
    expect(await failures()).toContainEqual({ stepId: 'tell-crm', metric: 'failed.EventBus', count: 2 });
  });
});
