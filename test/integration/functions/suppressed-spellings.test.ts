import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { handleUnsubscribe } from '#functions/unsubscribe/unsubscribe.ts';
import { addressKey } from '#shared/delivery/policy.ts';
import { hex128 } from '#shared/hash.ts';
import { feedbackDepsOf, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * A number stopped under one spelling is stopped under the others, for the
 * unsubscribe page as for a send: a number refused by the carrier and then
 * written in its national form, and a suppression an earlier release keyed
 * under the national form of a number the profile now holds in E.164.
 */

const KEY = 'k'.repeat(40);
const clock = virtualClock('2026-11-24T10:00:00Z');
let world: SendWorld;
let feedback: FeedbackDeps;

beforeAll(async () => {
  world = await startSendWorld('supspell');
  feedback = feedbackDepsOf(world, clock.now);
});
afterAll(async () => world.stop());

let at = Date.parse('2026-11-24T10:00:00Z');
async function setTraits(userId: string, traits: Record<string, unknown>) {
  at += 60_000;
  await ingestEvent(ingestDeps(world.db).deps, identify(userId, traits, new Date(at).toISOString()));
}

function sendSms(userId: string, step: string) {
  return sendMessage(world.deps(clock), world.input(userId, 'sms', { stepId: step }));
}

/** The preferences page of the customer's SMS link. */
async function smsPage(userId: string): Promise<string> {
  const deps = {
    profiles: new ProfilesRepository(world.db.doc, world.db.tables.profiles),
    keys: { keys: async () => [KEY], reload: async () => undefined },
    now: clock.now,
  };
  const token = signUnsubscribe(KEY, { u: userId, c: 'sms' });
  const out = await handleUnsubscribe(deps, {
    method: 'GET',
    query: new URLSearchParams({ t: token }),
    body: '',
  });
  return out.body;
}

const STAYS_OFF = 'Messages to this number stay off';

describe('the unsubscribe page and a number suppressed under another spelling', () => {
  it('shows SMS suppressed after the profile writes the refused number in its national form', async () => {
    // arrange: the carrier refused +1 555 920 0001; the app then writes it the local way
    const userId = 'spell-1';
    await world.customer(userId);
    await setTraits(userId, { phone: '+15559200001', country: 'US' });
    const first = await sendSms(userId, 'first');
    const messageId = first.status === 'sent' ? first.messageId : '';
    await applyFeedback(feedback, { eventType: 'TEXT_INVALID', messageId, context: { journeyId: 'faults' } });
    await setTraits(userId, { phone: '(555) 920-0001' });
    // act
    const page = await smsPage(userId);
    // assert: the page says what a send does
    expect(await sendSms(userId, 'second')).toMatchObject({ status: 'suppressed' });
    expect(page).toContain(STAYS_OFF);
    expect(page).not.toContain('messages: on');
  });

  it('shows SMS on for a number the suppression does not stop', async () => {
    // arrange: the refused number was another one; the customer moved to a new number
    const userId = 'spell-2';
    await world.customer(userId);
    await setTraits(userId, { phone: '+15559200002', country: 'US' });
    const first = await sendSms(userId, 'first');
    const messageId = first.status === 'sent' ? first.messageId : '';
    await applyFeedback(feedback, { eventType: 'TEXT_INVALID', messageId, context: { journeyId: 'faults' } });
    await setTraits(userId, { phone: '(555) 920-0003' });
    // act
    const page = await smsPage(userId);
    // assert
    expect(await sendSms(userId, 'second')).toMatchObject({ status: 'sent' });
    expect(page).toContain('All marketing sms messages: on.');
  });
});

describe('a suppression an earlier release keyed under the national form of a number', () => {
  it('stops the number the profile now holds in E.164, for a send and on the page', async () => {
    // arrange: a profile in Australia whose suppression was recorded for `0412 345 678`, as written then
    const userId = 'spell-3';
    await world.customer(userId);
    await setTraits(userId, { phone: '+61412345678', country: 'AU' });
    await world.db.doc.send(
      new UpdateCommand({
        TableName: world.db.tables.profiles,
        Key: { userId },
        UpdateExpression: 'SET #sup = :reason, #sua = :address',
        ExpressionAttributeNames: { '#sup': 'sup:sms', '#sua': 'sua:sms' },
        ExpressionAttributeValues: {
          ':reason': 'number unreachable',
          ':address': addressKey({ channel: 'sms', phone: '0412 345 678' }),
        },
      }),
    );
    // act
    const sent = await sendSms(userId, 'first');
    const page = await smsPage(userId);
    // assert
    expect(sent).toEqual({ status: 'suppressed', reason: 'sms suppressed: number unreachable' });
    expect((await world.delivered('sms')).get(userId)).toBeUndefined();
    expect(page).toContain(STAYS_OFF);
  });
});

describe('a suppression an earlier release keyed under one spelling of an international domain', () => {
  it('stops the mailbox the profile now spells composed, when it was recorded decomposed', async () => {
    // arrange: recorded for `caffè` typed decomposed (NFD, as macOS types it); the profile now has it composed
    const userId = 'spell-4';
    const decomposed = 'ana@caffe\u0300.example';
    await world.customer(userId);
    await setTraits(userId, { email: decomposed.normalize('NFC') });
    await world.db.doc.send(
      new UpdateCommand({
        TableName: world.db.tables.profiles,
        Key: { userId },
        UpdateExpression: 'SET #sup = :reason, #sua = :address',
        ExpressionAttributeNames: { '#sup': 'sup:email', '#sua': 'sua:email' },
        ExpressionAttributeValues: {
          ':reason': 'hard bounce',
          // The key an earlier release wrote: the address as spelt, lowercased, hashed.
          ':address': hex128(`email:${decomposed}`),
        },
      }),
    );
    // act
    const sent = await sendMessage(world.deps(clock), world.input(userId, 'email', { stepId: 'first' }));
    // assert
    expect(sent).toEqual({ status: 'suppressed', reason: 'email suppressed: hard bounce' });
    expect((await world.delivered('email')).get(userId)).toBeUndefined();
  });
});
