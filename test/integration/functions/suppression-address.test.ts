import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { type Channel, feedbackDepsOf, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * A hard bounce, a complaint or an invalid number is about the address a
 * message went to, not about the customer: it stops messages to that
 * address, and only to it. A customer who changes the address is reachable
 * at the new one, also when the bounce of the old one arrives afterwards.
 */

let world: SendWorld;
let feedback: FeedbackDeps;
let n = 0;
const clock = virtualClock('2026-11-24T10:00:00Z');

beforeAll(async () => {
  world = await startSendWorld('supaddr');
  feedback = feedbackDepsOf(world, clock.now);
});
afterAll(async () => world.stop());

let at = Date.parse('2026-11-24T10:00:00Z');
/** Sets the customer's address on a channel with an identify that is newer than every earlier one. */
async function moveTo(userId: string, channel: Channel, value: string) {
  at += 60_000;
  const traits = channel === 'email' ? { email: value } : { phone: value };
  await ingestEvent(ingestDeps(world.db).deps, identify(userId, traits, new Date(at).toISOString()));
}

async function send(userId: string, channel: Channel, step: string) {
  return sendMessage(world.deps(clock), world.input(userId, channel, { stepId: step }));
}

/** The provider's report that the address of a message cannot take messages. */
function undeliverable(channel: Channel, messageId: string) {
  return channel === 'email'
    ? {
        eventType: 'Bounce',
        mail: { messageId, destination: ['x@example.com'], tags: { journey: ['faults'] } },
        bounce: { bounceType: 'Permanent' },
      }
    : { eventType: 'TEXT_INVALID', messageId, context: { journeyId: 'faults' } };
}

const other: Record<'email' | 'sms', (userId: string) => string> = {
  email: (userId) => `${userId}.new@example.com`,
  sms: () => `+1555${String(9_000_000 + n)}`,
};

describe.each<'email' | 'sms'>(['email', 'sms'])('%s suppression follows the address', (channel) => {
  it('keeps the new address open when the bounce of the old one arrives after the change', async () => {
    n += 1;
    const userId = `sa${n}`;
    await world.customer(userId);
    const first = await send(userId, channel, 'first');
    expect(first.status).toBe('sent');
    await moveTo(userId, channel, other[channel](userId));
    const result = await applyFeedback(
      feedback,
      undeliverable(channel, first.status === 'sent' ? first.messageId : ''),
    );
    expect(result.status).toBe('applied');
    expect(await send(userId, channel, 'second')).toMatchObject({ status: 'sent' });
  });

  it('stops the bounced address only: a new address gets messages, the old one again does not', async () => {
    n += 1;
    const userId = `sa${n}`;
    await world.customer(userId);
    const old = (await feedback.profiles.get(userId)).profile;
    const first = await send(userId, channel, 'first');
    await applyFeedback(feedback, undeliverable(channel, first.status === 'sent' ? first.messageId : ''));
    expect(await send(userId, channel, 'second')).toMatchObject({ status: 'suppressed' });
    await moveTo(userId, channel, other[channel](userId));
    expect(await send(userId, channel, 'third')).toMatchObject({ status: 'sent' });
    await moveTo(userId, channel, (channel === 'email' ? old.email : old.phone) ?? '');
    expect(await send(userId, channel, 'fourth')).toMatchObject({ status: 'suppressed' });
  });

  it('keeps the bounced address stopped when the profile writes it another way', async () => {
    n += 1;
    const userId = `sa${n}`;
    await world.customer(userId);
    const { email = '', phone = '' } = (await feedback.profiles.get(userId)).profile;
    const first = await send(userId, channel, 'first');
    await applyFeedback(feedback, undeliverable(channel, first.status === 'sent' ? first.messageId : ''));
    const sameAddress =
      channel === 'email'
        ? email.toUpperCase()
        : `${phone.slice(0, 2)} (${phone.slice(2, 5)}) ${phone.slice(5)}`;
    await moveTo(userId, channel, sameAddress);
    const moved = (await feedback.profiles.get(userId)).profile;
    expect(channel === 'email' ? moved.email : moved.phone).toBe(sameAddress);
    expect(await send(userId, channel, 'second')).toMatchObject({ status: 'suppressed' });
  });
});
