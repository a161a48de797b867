import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { memoryDynamo } from '#infra/simulate/dynamo/memory-dynamo.ts';
import { customerIdOf, parseCustomerEvent } from '#shared/events.ts';
import { profileChanges } from '#shared/profile/changes.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { DynamoCalls } from '../../support/dynamo-calls.ts';

/**
 * The DynamoDB calls a path costs, where a saving depends on how its writes
 * are shaped: counted on dynalite (which never returns the item a refused
 * write saw) and on the in-memory tables (which do, as DynamoDB does).
 */

type Store = {
  doc: DynamoDBDocumentClient;
  tables: { profiles: string; enrollments: string; deliveries: string };
};

let dynalite: LocalDynamo;
beforeAll(async () => {
  dynalite = await startDynalite('calls');
});
afterAll(async () => dynalite.stop());

const stores: [string, () => Store][] = [
  ['dynalite', () => dynalite],
  ['in-memory tables', () => memoryDynamo('calls')],
];

const AT = new Date('2026-11-24T10:00:00.000Z');

/** The profile changes of an identify, as ingest makes them; `userId` is the profile's key. */
function identify(userId: string, messageId: string, traits: Record<string, unknown>) {
  const parsed = parseCustomerEvent({
    type: 'identify',
    userId,
    messageId,
    timestamp: AT.toISOString(),
    traits,
  });
  if (!parsed.ok) throw new Error('not an event');
  return profileChanges(parsed.event, customerIdOf(parsed.event));
}

describe.each(stores)('DynamoDB calls on %s', (backend, store) => {
  const returnsRefused = backend !== 'dynalite';

  it("creates a new customer's profile with its traits and their count in one write", async () => {
    // arrange
    const { doc, tables } = store();
    const calls = new DynamoCalls();
    calls.watch(doc);
    const profiles = new ProfilesRepository(doc, tables.profiles);
    const userId = `new-${backend}`;
    // act
    const recorded = await profiles.recordEvent(
      identify(userId, 'm1', { firstName: 'Ada', plan: 'pro', email: 'ada@example.com' }),
      AT,
    );
    // assert: one write; the two counted traits are counted (email is reserved)
    expect(calls.of()).toEqual({ 'profiles Update': 1 });
    expect(recorded.state.profile.traits).toMatchObject({ firstName: 'Ada', plan: 'pro' });
    const key = recorded.state.profile.userId;
    const item = (await doc.send(new GetCommand({ TableName: tables.profiles, Key: { userId: key } }))).Item;
    expect(item?.tc).toBe(2);
  });

  it('tells a redelivered event by the item its refused write saw, where the store returns it', async () => {
    // arrange
    const { doc, tables } = store();
    const profiles = new ProfilesRepository(doc, tables.profiles);
    const userId = `again-${backend}`;
    await profiles.recordEvent(identify(userId, 'm1', { firstName: 'Ada' }), AT);
    const calls = new DynamoCalls();
    calls.watch(doc);
    // act
    const again = await profiles.recordEvent(identify(userId, 'm1', { firstName: 'Ada' }), AT);
    // assert
    expect(again.duplicate).toBe(true);
    expect(calls.of()).toEqual({
      'profiles Update': 1,
      ...(returnsRefused ? {} : { 'profiles Get': 1 }),
    });
  });

  it.each([
    ['a goal window closing within the week after the end', 'P3D', 1, '2026-12-01T10:00:00.000Z'],
    ['a goal window open a month', 'P30D', 2, '2026-12-24T10:00:00.000Z'],
  ])(
    'ends an enrollment with %s in one write (else two), with the TTL it needs',
    async (_, goal, writes, ttl) => {
      // arrange
      const { doc, tables } = store();
      const enrollments = new EnrollmentItems(doc, tables.enrollments);
      const userId = `end-${backend}-${goal}`;
      const days = Number(goal.slice(1, -1));
      await enrollments.putEnrollment(userId, {
        enrollmentId: 'e1',
        journeyId: 'j',
        version: '1',
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-j:e1',
        enrolledAt: AT.toISOString(),
        enteredAt: AT.toISOString(),
        goalUntil: new Date(AT.getTime() + days * 86_400_000).toISOString(),
      });
      const calls = new DynamoCalls();
      calls.watch(doc);
      // act
      const ended = await enrollments.endCounted(userId, 'e1', AT.toISOString());
      // assert
      expect(ended?.enrollment).toMatchObject({ enrollmentId: 'e1', endedAt: AT.toISOString() });
      expect(calls.of()).toEqual({
        'enrollments Update': writes,
        ...(writes > 1 && !returnsRefused ? { 'enrollments Get': 1 } : {}),
      });
      const item = (
        await doc.send(
          new GetCommand({
            TableName: tables.enrollments,
            Key: { userId, sk: enrollmentKeys.enrollment('e1') },
          }),
        )
      ).Item;
      // The later of a week after the end and the goal window's end, plus a second.
      expect(item?.expiresAt).toBe(Date.parse(ttl) / 1000 + 1);
      // A second delivery of the same end finds it ended.
      expect(await enrollments.endCounted(userId, 'e1', AT.toISOString())).toBeUndefined();
    },
  );

  it("counts a customer's first entry against a trigger limit in one write; a later one reads the record its refusal saw", async () => {
    // arrange
    const { doc, tables } = store();
    const enrollments = new EnrollmentItems(doc, tables.enrollments);
    const userId = `limit-${backend}`;
    const limit = { max: 2, per: 'P7D', zone: 'UTC' } as const;
    const calls = new DynamoCalls();
    calls.watch(doc);
    // act
    const first = await enrollments.limits.claim(userId, 'j', { id: 'e1', at: AT.toISOString() }, limit);
    const afterFirst = calls.of();
    calls.reset();
    const second = await enrollments.limits.claim(userId, 'j', { id: 'e2', at: AT.toISOString() }, limit);
    const third = await enrollments.limits.claim(userId, 'j', { id: 'e3', at: AT.toISOString() }, limit);
    // assert: the limit holds; the first entry is one write, each later one a refused write and a
    // write (and a read on dynalite): the second's entry, the third's refusal, kept to count it once
    expect([first, second, third]).toEqual([
      'entered',
      'entered',
      { refused: { pendingAt: expect.any(Number), retry: false } },
    ]);
    expect(afterFirst).toEqual({ 'enrollments Put': 1 });
    expect(calls.of()).toEqual({
      'enrollments Put': 2,
      'enrollments Update': 2,
      ...(returnsRefused ? {} : { 'enrollments Get': 2 }),
    });
  });

  it('tells a redelivered entry by the re-entry record and the counted mark its refused writes saw', async () => {
    // arrange
    const { doc, tables } = store();
    const enrollments = new EnrollmentItems(doc, tables.enrollments);
    const userId = `again-entry-${backend}`;
    const record = { at: AT.toISOString(), enrollmentId: 'e1' };
    await enrollments.claimEntry(userId, 'j', record, { mode: 'once' });
    await enrollments.putEnrollment(userId, {
      enrollmentId: 'e1',
      journeyId: 'j',
      version: '1',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-j:e1',
      enrolledAt: AT.toISOString(),
      enteredAt: AT.toISOString(),
    });
    const owed = await enrollments.markCounted(userId, 'e1');
    const calls = new DynamoCalls();
    calls.watch(doc);
    // act: the redelivery
    const again = await enrollments.claimEntry(userId, 'j', record, { mode: 'once' });
    const stillOwed = await enrollments.markCounted(userId, 'e1');
    // assert: the same entry, its count still pending from the first mark
    expect(again).toEqual({ status: 'again', at: AT.toISOString() });
    expect(stillOwed).toEqual({ pendingAt: owed?.pendingAt, retry: true });
    expect(calls.of()).toEqual({
      'enrollments Put': 1,
      'enrollments Update': 1,
      ...(returnsRefused ? {} : { 'enrollments Get': 2 }),
    });
  });

  it('answers a repeated send from the delivery record its refused claim saw', async () => {
    // arrange: a message sent and recorded
    const { doc, tables } = store();
    const deliveries = new DeliveriesRepository(doc, tables.deliveries);
    const id = `send-${backend}`;
    const meta = { userId: 'u', journeyId: 'j', version: '1', stepId: 's', channel: 'email' } as const;
    const claimed = await deliveries.claim(id, meta, AT, 60_000);
    await deliveries.settle(id, 'sent', { status: 'sent', messageId: 'm-1' }, AT, undefined, 1);
    const calls = new DynamoCalls();
    calls.watch(doc);
    // act: Step Functions retries the task
    const again = await deliveries.claim(id, meta, AT, 60_000);
    // assert
    expect(claimed).toMatchObject({ kind: 'claimed', attempt: 1 });
    expect(again).toEqual({ kind: 'done', output: { status: 'sent', messageId: 'm-1' } });
    expect(calls.of()).toEqual({
      'deliveries Update': 1,
      ...(returnsRefused ? {} : { 'deliveries Get': 1 }),
    });
  });

  it('tells redelivered feedback by the record its refused write saw, still pending or counted', async () => {
    // arrange: feedback on a message recorded once, its count pending
    const { doc, tables } = store();
    const deliveries = new DeliveriesRepository(doc, tables.deliveries);
    const messageId = `fb-${backend}`;
    const first = await deliveries.markFeedback(messageId, 'opened', AT);
    const calls = new DynamoCalls();
    calls.watch(doc);
    // act: delivered again before its count was settled, then after
    const pending = await deliveries.markFeedback(messageId, 'opened', AT);
    await deliveries.settleFeedback(messageId, 'opened');
    calls.reset();
    const counted = await deliveries.markFeedback(messageId, 'opened', AT);
    // assert
    expect(first).toMatchObject({ retry: false });
    expect(pending).toEqual({ pendingAt: first?.pendingAt, retry: true });
    expect(counted).toBeUndefined();
    expect(calls.of()).toEqual({
      'deliveries Put': 1,
      ...(returnsRefused ? {} : { 'deliveries Get': 1 }),
    });
  });

  it('marks a goal that stops and converts an enrollment in one write, and tells its redelivery by the item', async () => {
    // arrange
    const { doc, tables } = store();
    const enrollments = new EnrollmentItems(doc, tables.enrollments);
    const userId = `goal-${backend}`;
    const enrollment = {
      enrollmentId: 'e1',
      journeyId: 'j',
      version: '1',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:journey-j:e1',
      enrolledAt: AT.toISOString(),
      enteredAt: AT.toISOString(),
    };
    await enrollments.putEnrollment(userId, enrollment);
    const calls = new DynamoCalls();
    calls.watch(doc);
    // act
    const owed = await enrollments.markGoalStop(userId, enrollment, 'order-1', { at: AT, value: 42 });
    const first = calls.of();
    calls.reset();
    const again = await enrollments.markGoalStop(userId, enrollment, 'order-1', { at: AT, value: 42 });
    const second = calls.of();
    // assert: stopped for the goal and converted once, with the value
    expect(owed?.retry).toBe(false);
    expect(again).toBeUndefined();
    expect(await enrollments.enrollment(userId, 'e1')).toMatchObject({
      stoppedBy: 'goal',
      converted: true,
      convertedBy: 'order-1',
      convertedValue: 42,
    });
    expect(first).toEqual({ 'enrollments Update': 1 });
    // dynalite returns nothing with the refusal: each mark is tried on its own, and refused
    expect(second).toEqual({ 'enrollments Update': returnsRefused ? 1 : 3 });
  });
});
