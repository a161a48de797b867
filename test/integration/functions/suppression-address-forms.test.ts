import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { feedbackDepsOf, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * A hard bounce stops the mailbox it came from, however the profile spells
 * that mailbox: a domain in another script is one domain whether an app
 * sends it composed (NFC, as Windows types it), decomposed (NFD, as macOS
 * does), in Punycode (as a CRM that stored what SES took writes it back) or
 * in full-width letters (a Japanese keyboard). Each spelling is the address
 * SES sends to; none may lift the suppression of another.
 */

let world: SendWorld;
let feedback: FeedbackDeps;
let n = 0;
const clock = virtualClock('2026-11-24T10:00:00Z');

beforeAll(async () => {
  world = await startSendWorld('supform');
  feedback = feedbackDepsOf(world, clock.now);
});
afterAll(async () => world.stop());

let at = Date.parse('2026-11-24T10:00:00Z');
async function setEmail(userId: string, email: string) {
  at += 60_000;
  await ingestEvent(ingestDeps(world.db).deps, identify(userId, { email }, new Date(at).toISOString()));
}

async function send(userId: string, step: string) {
  return sendMessage(world.deps(clock), world.input(userId, 'email', { stepId: step }));
}

function bounce(messageId: string) {
  return {
    eventType: 'Bounce',
    mail: { messageId, destination: ['x@example.com'], tags: { journey: ['faults'] } },
    bounce: { bounceType: 'Permanent' },
  };
}

const composed = (local: string) => `${local}@caff\u00e8.example`;
const spellings: [string, (local: string) => string][] = [
  ['decomposed (NFD)', (local) => `${local}@caffe\u0300.example`],
  ['in Punycode', (local) => `${local}@xn--caff-8oa.example`],
  ['in capitals', (local) => `${local}@CAFF\u00c8.EXAMPLE`],
  ['in full-width letters', (local) => `${local}@\uff43\uff41\uff46\uff46\u00e8.example`],
];

describe('a bounced mailbox with a domain in another script', () => {
  it.each(spellings)('stays stopped when the profile spells it %s', async (_name, spelt) => {
    // arrange: a customer whose mail to the composed spelling hard-bounced
    n += 1;
    const userId = `sf${n}`;
    await world.customer(userId);
    await setEmail(userId, composed(userId));
    const first = await send(userId, 'first');
    expect(first.status).toBe('sent');
    await applyFeedback(feedback, bounce(first.status === 'sent' ? first.messageId : ''));
    expect(await send(userId, 'second')).toMatchObject({ status: 'suppressed' });
    // act: the same mailbox comes back spelt another way
    await setEmail(userId, spelt(userId));
    // assert: the profile keeps the spelling it was sent, and the mailbox stays stopped
    expect((await feedback.profiles.get(userId)).profile.email).toBe(spelt(userId));
    expect(await send(userId, 'third')).toMatchObject({ status: 'suppressed' });
  });

  it('does not stop another mailbox of the same domain', async () => {
    n += 1;
    const userId = `sf${n}`;
    await world.customer(userId);
    await setEmail(userId, composed(userId));
    const first = await send(userId, 'first');
    await applyFeedback(feedback, bounce(first.status === 'sent' ? first.messageId : ''));
    await setEmail(userId, composed(`${userId}.other`));
    expect(await send(userId, 'second')).toMatchObject({ status: 'sent' });
  });

  it('stays stopped when the bounce arrives after the profile spelt it in Punycode', async () => {
    n += 1;
    const userId = `sf${n}`;
    await world.customer(userId);
    await setEmail(userId, composed(userId));
    const first = await send(userId, 'first');
    await setEmail(userId, `${userId}@xn--caff-8oa.example`);
    await applyFeedback(feedback, bounce(first.status === 'sent' ? first.messageId : ''));
    expect(await send(userId, 'second')).toMatchObject({ status: 'suppressed' });
  });
});
