import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentChange } from '#functions/_lib/consent-order.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { addressKey } from '#shared/delivery/policy.ts';
import { caseId } from '../../support/case-ids.ts';
import { type Channel, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';

/**
 * An opt-out, topic opt-out or suppression written between the send's read of
 * the profile and its call to the provider (interleaved right after the read,
 * through the same repository the unsubscribe page and delivery feedback use):
 * the message does not go out, and is recorded suppressed with the reason.
 */

let world: SendWorld;
beforeAll(async () => {
  world = await startSendWorld('consent-window');
});
afterAll(async () => world.stop());

/** The send's dependencies, with `change` written to the profile just after the send's first read of it. */
function changedAfterRead(userId: string, channel: Channel, change: (phone: string) => ConsentChange) {
  const clock = virtualClock('2026-11-24T10:00:00Z');
  const deps = world.deps(clock);
  const profiles = Object.create(deps.profiles);
  let reads = 0;
  profiles.get = async (key: string) => {
    const state = await deps.profiles.get(key);
    reads += 1;
    if (reads === 1)
      await deps.profiles.setConsent(userId, channel, change(state.profile.phone ?? ''), clock.now());
    return state;
  };
  return { ...deps, profiles };
}

/** A marketing message (the world's inputs are transactional), of a topic when given. */
function marketing(userId: string, channel: Channel, topic?: string) {
  return world.input(userId, channel, { transactional: false, ...(topic === undefined ? {} : { topic }) });
}

const unsubscribed = (): ConsentChange => ({ status: 'unsubscribed', reason: 'unsubscribe link' });
const topicOff = (): ConsentChange => ({ topic: 'offers', subscribed: false });

describe.each<Channel>(['email', 'sms', 'push'])(
  '%s: consent withdrawn while a send is under way',
  (channel) => {
    it('does not send after an unsubscribe lands between the profile read and the provider call', async () => {
      // arrange
      const userId = caseId('window');
      await world.customer(userId);
      const deps = changedAfterRead(userId, channel, unsubscribed);
      // act
      const result = await sendMessage(deps, marketing(userId, channel));
      // assert
      expect(result).toEqual({ status: 'suppressed', reason: `unsubscribed from ${channel}` });
      expect((await world.delivered(channel)).get(userId)).toBeUndefined();
      expect((await world.record(marketing(userId, channel))).status).toBe('suppressed');
      // the cap slot was not taken: the customer's recent sends hold nothing
      expect((await deps.profiles.get(userId)).sends[channel]).toEqual([]);
    });

    it('does not send a message of a topic opted out of meanwhile', async () => {
      // arrange
      const userId = caseId('topic');
      await world.customer(userId);
      const deps = changedAfterRead(userId, channel, topicOff);
      // act
      const result = await sendMessage(deps, marketing(userId, channel, 'offers'));
      // assert
      expect(result).toEqual({ status: 'suppressed', reason: 'unsubscribed from topic offers' });
      expect((await world.delivered(channel)).get(userId)).toBeUndefined();
    });

    it('still sends a transactional message when the customer opts out of marketing meanwhile', async () => {
      // arrange
      const userId = caseId('receipt');
      await world.customer(userId);
      const deps = changedAfterRead(userId, channel, unsubscribed);
      // act
      const result = await sendMessage(deps, world.input(userId, channel, { transactional: true }));
      // assert
      expect(result).toMatchObject({ status: 'sent' });
      expect((await world.delivered(channel)).get(userId)).toBe(1);
    });
  },
);

describe('a suppression written while a send is under way', () => {
  it('stops the SMS to the number a bounce suppressed meanwhile, even a transactional one', async () => {
    // arrange: delivery feedback suppresses the number (as the provider is given it) after the read
    const userId = caseId('bounce');
    await world.customer(userId);
    const deps = changedAfterRead(userId, 'sms', (phone) => ({
      status: 'suppressed',
      reason: 'number unreachable',
      address: addressKey({ channel: 'sms', phone }),
    }));
    // act
    const result = await sendMessage(deps, world.input(userId, 'sms', { transactional: true }));
    // assert
    expect(result).toEqual({ status: 'suppressed', reason: 'sms suppressed: number unreachable' });
    expect((await world.delivered('sms')).get(userId)).toBeUndefined();
  });
});
