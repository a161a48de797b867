import { SendTaskSuccessCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { WAIT_FOR_ORDER } from '../../support/ingest-world.ts';
import { awaitDepsOf, ingestDeps, registerJourney, track } from './harness.ts';

/** A journey whose first step waits for the event that is also its goal. */
function waitsForItsGoal(id: string, exit: boolean): JourneyInput {
  return {
    id,
    name: id,
    trigger: { type: 'event', event: `${id} Started`, correlationKey: 'event.properties.cartId' },
    reentry: { mode: 'always' },
    goal: { event: 'Order Completed', exit },
    ...WAIT_FOR_ORDER,
  };
}

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('await-stopping');
  await registerJourney(db, waitsForItsGoal('stops', true));
  await registerJourney(db, waitsForItsGoal('continues', false));
});
afterAll(async () => db.stop());

/** A deferred point in a call: resolves `reached` when the call gets there, continues on `release()`. */
function gate() {
  let reach: () => void = () => {};
  let release: () => void = () => {};
  const reached = new Promise<void>((r) => {
    reach = r;
  });
  const released = new Promise<void>((r) => {
    release = r;
  });
  const pass = async () => {
    reach();
    await released;
  };
  return { reached, release, pass };
}

async function enroll(deps: ReturnType<typeof ingestDeps>['deps'], userId: string, journey: string) {
  const started = await ingestEvent(
    deps,
    track(userId, `${journey} Started`, { cartId: 'c1' }, '2026-11-24T09:00:00Z'),
  );
  if (started.status === 'rejected' || started.enrolled[0] === undefined) throw new Error('not enrolled');
  return started.enrolled[0];
}

function waitFor(userId: string, journeyId: string, enrollmentId: string, token: string) {
  return {
    v: CONTRACT_VERSION,
    journeyId,
    journeyVersion: '1',
    enrollmentId,
    userId,
    stepId: 'wait',
    token,
    event: 'Order Completed',
    match: [],
    timeoutSeconds: 86400,
    startedAt: '2026-11-24T09:00:00Z',
    trigger: {},
  };
}

describe('await-event: an awaited event that stops the enrollment', () => {
  it('does not resume when the goal arrives before the token and ingest has not stopped the execution yet', async () => {
    // arrange: ingest recorded the goal event and is about to stop the enrollment
    const { deps, sfn } = ingestDeps(db);
    const enrollmentId = await enroll(deps, 'u-race', 'stops');
    const atStop = gate();
    // A goal that converts marks the stop with the conversion (markGoalStop), any other with markStopped.
    const markStopped = deps.enrollments.markStopped.bind(deps.enrollments);
    deps.enrollments.markStopped = async (...args) => {
      await atStop.pass();
      return markStopped(...args);
    };
    const markGoalStop = deps.enrollments.markGoalStop.bind(deps.enrollments);
    deps.enrollments.markGoalStop = async (...args) => {
      await atStop.pass();
      return markGoalStop(...args);
    };
    const ingesting = ingestEvent(deps, track('u-race', 'Order Completed', { cartId: 'c1' }));
    await atStop.reached;
    // act: the waiting step registers in between
    const result = await awaitEvent(
      awaitDepsOf(db, deps),
      waitFor('u-race', 'stops', enrollmentId, 'tk-race'),
    );
    atStop.release();
    await ingesting;
    // assert: never resumed; ingest stopped it
    expect(result.status).toBe('waiting');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    const stops = sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn ?? '');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toContain(enrollmentId);
  });

  it('does not resume when ingest already marked the enrollment stopping', async () => {
    const { deps, sfn } = ingestDeps(db);
    const enrollmentId = await enroll(deps, 'u-after', 'stops');
    await ingestEvent(deps, track('u-after', 'Order Completed', { cartId: 'c1' }));
    const result = await awaitEvent(
      awaitDepsOf(db, deps),
      waitFor('u-after', 'stops', enrollmentId, 'tk-after'),
    );
    expect(result.status).toBe('waiting');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('resumes when the goal does not stop the enrollment', async () => {
    const { deps, sfn } = ingestDeps(db);
    const enrollmentId = await enroll(deps, 'u-goes-on', 'continues');
    await ingestEvent(deps, track('u-goes-on', 'Order Completed', { cartId: 'c1' }));
    const result = await awaitEvent(
      awaitDepsOf(db, deps),
      waitFor('u-goes-on', 'continues', enrollmentId, 'tk-goes-on'),
    );
    expect(result.status).toBe('resumed');
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      'tk-goes-on',
    ]);
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });
});
