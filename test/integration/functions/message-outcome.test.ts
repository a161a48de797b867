import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { OutcomeWaiters } from '#functions/_lib/outcome-waiters.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitOutcome, outcomeTimedOut } from '#functions/await-event/outcome.ts';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import type { AwaitOutcomeInput } from '#shared/tasks/await-outcome.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { DynamoCalls } from '../../support/dynamo-calls.ts';

/** Step Functions has no local stand-in here: the mock records which token was resumed with what. */
const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'eu-west-1' });
const NOW = new Date('2026-11-24T10:00:05Z');

let db: LocalDynamo;
let deliveries: DeliveriesRepository;
let waiters: OutcomeWaiters;
let feedback: FeedbackDeps;
beforeAll(async () => {
  db = await startDynalite('message-outcome');
  deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
  waiters = new OutcomeWaiters(db.doc, db.tables.enrollments);
  feedback = {
    deliveries,
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    stats: new StatsRepository(db.doc, db.tables.stats),
    outcomes: { waiters, sfn },
    now: () => NOW,
  };
});
afterAll(async () => db.stop());
afterEach(() => sfnMock.reset());

/** A sent SMS: the link from the provider's message id to the delivery, as send-message writes it. */
async function sent(userId: string, messageId: string) {
  const meta = { userId, journeyId: 'cart', version: '1', stepId: 'cart-sms', channel: 'sms' as const };
  await deliveries.linkMessage(messageId, `e-${userId}#cart-sms`, meta, NOW);
}

function waitInput(userId: string, messageId: string): AwaitOutcomeInput {
  return {
    v: 2,
    op: 'outcome',
    journeyId: 'cart',
    journeyVersion: '1',
    enrollmentId: `e-${userId}`,
    userId,
    stepId: 'cart-sms',
    token: `token-${userId}`,
    messageId,
    outcomes: ['delivered', 'bounced', 'failed'],
    timeoutSeconds: 3600,
    startedAt: '2026-11-24T10:00:00Z',
  };
}

function sms(eventType: string, messageId: string) {
  return { eventType, messageId, messageStatus: eventType.replace('TEXT_', '') };
}

function resumed() {
  return sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => ({
    token: c.args[0].input.taskToken,
    output: JSON.parse(c.args[0].input.output ?? '{}'),
  }));
}

async function waiterItem(userId: string, messageId: string) {
  return waiters.get(userId, messageId);
}

describe('a message step waiting for its outcome, against dynalite', () => {
  it('the delivery receipt resumes the waiting step with "delivered" and removes its waiter', async () => {
    // arrange
    sfnMock.onAnyCommand().resolves({});
    await sent('o-1', 'sms-1');
    expect(
      await awaitOutcome({ waiters, deliveries, sfn, now: () => NOW }, waitInput('o-1', 'sms-1')),
    ).toStrictEqual({
      status: 'waiting',
    });
    // act
    const result = await applyFeedback(feedback, sms('TEXT_DELIVERED', 'sms-1'));
    // assert
    expect(result.status).toBe('applied');
    expect(resumed()).toStrictEqual([
      { token: 'token-o-1', output: { outcome: 'delivered', at: NOW.toISOString() } },
    ]);
    expect(await waiterItem('o-1', 'sms-1')).toBeUndefined();
  });

  it('a receipt that came before the step registered is not lost: registering resumes at once', async () => {
    // arrange
    sfnMock.onAnyCommand().resolves({});
    await sent('o-2', 'sms-2');
    await applyFeedback(feedback, sms('TEXT_DELIVERED', 'sms-2'));
    // act
    const result = await awaitOutcome(
      { waiters, deliveries, sfn, now: () => NOW },
      waitInput('o-2', 'sms-2'),
    );
    // assert
    expect(result).toStrictEqual({ status: 'resumed', outcome: 'delivered' });
    expect(resumed()).toStrictEqual([
      { token: 'token-o-2', output: { outcome: 'delivered', at: NOW.toISOString() } },
    ]);
    expect(await waiterItem('o-2', 'sms-2')).toBeUndefined();
  });

  it('an outcome the step does not wait for leaves it waiting', async () => {
    // arrange
    sfnMock.onAnyCommand().resolves({});
    await sent('o-3', 'sms-3');
    await awaitOutcome(
      { waiters, deliveries, sfn, now: () => NOW },
      { ...waitInput('o-3', 'sms-3'), outcomes: ['clicked'] },
    );
    // act
    await applyFeedback(feedback, sms('TEXT_DELIVERED', 'sms-3'));
    // assert
    expect(resumed()).toStrictEqual([]);
    expect((await waiterItem('o-3', 'sms-3'))?.outcomes).toStrictEqual(['clicked']);
  });

  it.each([
    { waits: false, lookups: 0 },
    { waits: true, lookups: 1 },
  ])(
    'feedback looks for a waiting step only when the step that sent the message can wait ($waits)',
    async ({ waits, lookups }) => {
      // arrange: the link says whether the step that sent the message waits for its outcome
      sfnMock.onAnyCommand().resolves({});
      const userId = `o-waits-${waits}`;
      const messageId = `sms-waits-${waits}`;
      const meta = { userId, journeyId: 'cart', version: '1', stepId: 'cart-sms', channel: 'sms' as const };
      await deliveries.linkMessage(messageId, `e-${userId}#cart-sms`, meta, NOW, undefined, waits);
      const calls = new DynamoCalls((table) => table.replace('message-outcome-', ''));
      calls.watch(db.doc);
      // act
      const result = await applyFeedback(feedback, sms('TEXT_DELIVERED', messageId));
      // assert
      expect(result.status).toBe('applied');
      expect(calls.of()['enrollments Get'] ?? 0).toBe(lookups);
    },
  );

  it('a redelivered receipt after the step resumed resumes nothing twice', async () => {
    // arrange
    sfnMock.onAnyCommand().resolves({});
    await sent('o-4', 'sms-4');
    await awaitOutcome({ waiters, deliveries, sfn, now: () => NOW }, waitInput('o-4', 'sms-4'));
    await applyFeedback(feedback, sms('TEXT_DELIVERED', 'sms-4'));
    // act
    const again = await applyFeedback(feedback, sms('TEXT_DELIVERED', 'sms-4'));
    // assert
    expect(again.status).toBe('duplicate');
    expect(resumed()).toHaveLength(1);
  });

  it('the window closing removes the waiter; a receipt after it resumes nothing', async () => {
    // arrange
    sfnMock.onAnyCommand().resolves({});
    await sent('o-5', 'sms-5');
    await awaitOutcome({ waiters, deliveries, sfn, now: () => NOW }, waitInput('o-5', 'sms-5'));
    // act
    const closed = await outcomeTimedOut(
      { waiters },
      {
        v: 2,
        op: 'outcomeTimedOut',
        journeyId: 'cart',
        journeyVersion: '1',
        enrollmentId: 'e-o-5',
        userId: 'o-5',
        stepId: 'cart-sms',
        messageId: 'sms-5',
      },
    );
    await applyFeedback(feedback, sms('TEXT_DELIVERED', 'sms-5'));
    // assert
    expect(closed).toStrictEqual({ removed: true });
    expect(resumed()).toStrictEqual([]);
  });

  it('the waiter is its own item with a TTL past its window', async () => {
    // arrange
    await awaitOutcome({ waiters, deliveries, sfn, now: () => NOW }, waitInput('o-6', 'sms-6'));
    // act
    const item = await db.doc.send(
      new GetCommand({
        TableName: db.tables.enrollments,
        Key: { userId: 'o-6', sk: enrollmentKeys.outcomeWaiter('sms-6') },
      }),
    );
    // assert
    expect(item.Item?.until).toBe('2026-11-24T11:00:00.000Z');
    expect(item.Item?.expiresAt).toBe(Date.parse('2026-11-24T11:00:00Z') / 1000 + 7 * 24 * 3600);
  });
});
