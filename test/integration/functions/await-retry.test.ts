import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { AwaitEventInput } from '#shared/tasks/await-event.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { WAIT_FOR_ORDER } from '../../support/ingest-world.ts';
import { awaitDepsOf, awaitInput, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * A step that starts waiting writes its waiter, then counts it in the
 * profile's summary (which ingest reads instead of the table). When the
 * count fails (a throttled write, a timeout), Step Functions retries the
 * Task with the same token: the retry must count the waiter it finds
 * uncounted, or the awaited event is never looked for.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('await-retry');
  await registerJourney(db, {
    id: 'order-wait',
    name: 'Order wait',
    trigger: { type: 'event', event: 'Checkout Started' },
    reentry: { mode: 'always' },
    ...WAIT_FOR_ORDER,
  });
});
afterAll(async () => db.stop());

function waitInput(userId: string): AwaitEventInput {
  return awaitInput(userId, {
    journeyId: 'order-wait',
    stepId: 'wait',
    event: 'Order Completed',
    timeoutSeconds: 86_400,
    startedAt: '2026-11-24T09:00:00Z',
    trigger: track(userId, 'Checkout Started', {}, '2026-11-24T09:00:00Z'),
  });
}

describe('a waiting step whose count failed, retried', () => {
  it('counts its waiter once on the retry, so the awaited event resumes it', async () => {
    // arrange: the first attempt writes the waiter, then its count fails
    const { deps, sfn } = ingestDeps(db);
    await ingestEvent(deps, track('u-retry', 'Page Viewed', {}, '2026-11-24T08:00:00Z'));
    const failing = Object.create(deps.profiles) as ProfilesRepository;
    failing.countWaiting = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    await expect(
      awaitEvent({ ...awaitDepsOf(db, deps), profiles: failing }, waitInput('u-retry')),
    ).rejects.toThrow('Rate exceeded');
    // act: Step Functions retries the Task (same token); twice, as a lost answer would make it
    await awaitEvent(awaitDepsOf(db, deps), waitInput('u-retry'));
    await awaitEvent(awaitDepsOf(db, deps), waitInput('u-retry'));
    await ingestEvent(deps, track('u-retry', 'Order Completed', {}, '2026-11-24T09:30:00Z'));
    // assert: counted once, and the order resumed the step
    const resumed = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken);
    expect(resumed).toEqual(['token-u-retry']);
    expect((await deps.profiles.get('u-retry')).waitingFor['Order Completed'] ?? 0).toBe(0);
  });
});
