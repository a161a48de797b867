import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { feedbackDepsOf, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * A number the carrier reported invalid or blocked stays stopped however
 * the profile writes it: a number in its national form (`(555) 900-0001`,
 * read in the customer's country) is the international one
 * (`+1 555 900 0001`) the message went to, and the other way round.
 */

let world: SendWorld;
let feedback: FeedbackDeps;
let n = 0;
const clock = virtualClock('2026-11-24T10:00:00Z');

beforeAll(async () => {
  world = await startSendWorld('supphone');
  feedback = feedbackDepsOf(world, clock.now);
});
afterAll(async () => world.stop());

let at = Date.parse('2026-11-24T10:00:00Z');
/** A minute after the last event's time: each event is newer than every earlier one. */
function later(): string {
  at += 60_000;
  return new Date(at).toISOString();
}
async function setTraits(userId: string, traits: Record<string, unknown>) {
  at += 60_000;
  await ingestEvent(ingestDeps(world.db).deps, identify(userId, traits, new Date(at).toISOString()));
}

async function send(userId: string, step: string) {
  return sendMessage(world.deps(clock), world.input(userId, 'sms', { stepId: step }));
}

async function invalidNumber(userId: string) {
  const first = await send(userId, 'first');
  expect(first.status).toBe('sent');
  const messageId = first.status === 'sent' ? first.messageId : '';
  await applyFeedback(feedback, { eventType: 'TEXT_INVALID', messageId, context: { journeyId: 'faults' } });
  expect(await send(userId, 'second')).toMatchObject({ status: 'suppressed' });
}

const national = (digits: string) => `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;

describe('a number the carrier refused', () => {
  it('stays stopped when the profile then writes it in its national form', async () => {
    n += 1;
    const userId = `sp${n}`;
    const digits = `555${String(9_100_000 + n)}`;
    await world.customer(userId);
    await setTraits(userId, { phone: `+1${digits}`, country: 'US' });
    await invalidNumber(userId);
    await setTraits(userId, { phone: national(digits) });
    expect((await feedback.profiles.get(userId)).profile.phone).toBe(national(digits));
    expect(await send(userId, 'third')).toMatchObject({ status: 'suppressed' });
  });

  it('stays stopped when the profile then writes it in its international form', async () => {
    n += 1;
    const userId = `sp${n}`;
    const digits = `555${String(9_100_000 + n)}`;
    await world.customer(userId);
    await setTraits(userId, { phone: national(digits), country: 'US' });
    await invalidNumber(userId);
    await setTraits(userId, { phone: `+1 ${digits}` });
    expect(await send(userId, 'third')).toMatchObject({ status: 'suppressed' });
  });

  it('does not stop another number', async () => {
    n += 1;
    const userId = `sp${n}`;
    const digits = `555${String(9_100_000 + n)}`;
    await world.customer(userId);
    await setTraits(userId, { phone: national(digits), country: 'US' });
    await invalidNumber(userId);
    await setTraits(userId, { phone: national(`555${String(9_200_000 + n)}`) });
    expect(await send(userId, 'third')).toMatchObject({ status: 'sent' });
  });
});

describe('a visitor’s refused number', () => {
  it('stays stopped after sign-in when the customer’s profile writes it in its national form', async () => {
    // arrange: a visitor whose number the carrier refused, and a known customer with that number spelt nationally
    n += 1;
    const anonymousId = `v${n}`;
    const userId = `sp${n}`;
    const digits = `555${String(9_100_000 + n)}`;
    await ingestEvent(ingestDeps(world.db).deps, {
      ...identify('', { phone: `+1${digits}`, firstName: 'Vi' }, later()),
      userId: undefined,
      anonymousId,
    });
    await invalidNumber(`anon:${anonymousId}`);
    await setTraits(userId, { phone: national(digits), country: 'US' });
    // act: the visitor signs in
    await ingestEvent(ingestDeps(world.db).deps, {
      ...identify(userId, {}, later()),
      anonymousId,
    });
    // assert
    expect(await send(userId, 'third')).toMatchObject({ status: 'suppressed' });
  });
});
