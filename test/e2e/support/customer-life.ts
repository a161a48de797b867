import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { profilesRepository } from '#functions/_lib/repositories.ts';
import { unsubscribeLink } from '#functions/_lib/unsubscribe-links.ts';
import type { LocalRuntime } from '#infra/local/index.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { LOCAL_TABLES } from '#infra/local/runtime/env.ts';
import { executionsOf } from './local-runtime.ts';
import { copyTemplate } from './sandbox.ts';

/**
 * The parts of a customer's life a long run meets besides their events:
 * addresses the providers answer with a failure, unsubscribe links clicked,
 * executions stopped by hand.
 */

/**
 * Addresses the providers answer with a failure, as on AWS: the SES mailbox
 * simulator bounces (a hard bounce) or is complained about; the local
 * carriers report a number of the drama range unreachable; the local push
 * service answers a `dead-` token as an uninstalled app.
 */
export type FailingAddress = { email?: string; phone?: string; token?: string };

export const FAILING_ADDRESSES: ReadonlyMap<string, FailingAddress> = new Map([
  ['ada', { email: 'bounce+ada@simulator.amazonses.com' }],
  ['bo', { email: 'complaint+bo@simulator.amazonses.com' }],
  ['cy', { phone: '+447700900123' }],
  ['di', { token: 'dead-di', phone: '+447700900900' }],
]);

/** The event that sends a customer a text (TEXT_JOURNEY), whatever split the project's journeys draw. */
export const TEXT_EVENT = 'Delivery Slot Booked';

/** A journey that texts the customer, and emails them when the text is not delivered within the hour. */
const TEXT_JOURNEY = {
  id: 'slot-text',
  name: 'Delivery slot text',
  trigger: { type: 'event', event: TEXT_EVENT },
  reentry: { mode: 'always' },
  start: 'text',
  steps: {
    text: {
      type: 'sms',
      template: 'note-sms',
      fallback: [{ channel: 'email', template: 'note-hello', when: 'notDelivered', within: 'PT1H' }],
      next: 'done',
    },
    done: { type: 'exit' },
  },
};

/** Adds TEXT_JOURNEY to a sandbox's journeys, with the project's templates it sends. */
export async function addTextJourney(journeysDir: string): Promise<void> {
  await writeFile(join(journeysDir, `${TEXT_JOURNEY.id}.json`), JSON.stringify(TEXT_JOURNEY, null, 2));
  for (const name of ['note-sms', 'note-hello']) await copyTemplate(journeysDir, name);
}

type Change = { u: string; c: 'email' | 'sms' | 'push'; t?: string; body: string };

const ONE_CLICK = 'List-Unsubscribe=One-Click';

/**
 * Unsubscribe links used as customers use them: a one-click opt-out of a
 * topic and of a channel, a topic turned off and on again from the page,
 * and a channel opted out then subscribed again.
 */
const CHANGES: readonly Change[] = [
  { u: 'ada', c: 'email', t: 'cart-reminders', body: ONE_CLICK },
  { u: 'bo', c: 'sms', body: ONE_CLICK },
  { u: 'cy', c: 'email', t: 'cart-reminders', body: 'action=topic-off' },
  { u: 'cy', c: 'email', t: 'cart-reminders', body: 'action=topic-on' },
  { u: 'di', c: 'email', body: 'action=channel-off' },
  { u: 'di', c: 'email', body: 'action=channel-on' },
];

export async function useUnsubscribeLinks(runtime: LocalRuntime): Promise<void> {
  const base = runtime.env.UNSUBSCRIBE_BASE_URL ?? '';
  const key = runtime.env.UNSUBSCRIBE_SIGNING_KEY ?? '';
  // Issued now: a link this fresh can turn messages back on.
  const i = Math.floor(runtime.services.clock.nowMs() / 1000);
  for (const { body, ...claim } of CHANGES) {
    const link = unsubscribeLink(base, key, { ...claim, i });
    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    if (res.status !== 200) throw new Error(`${body} on ${claim.u}'s link answered ${res.status}`);
    // The next click comes a second later: a change and its undoing are not of the same moment.
    await runtime.advanceTo(runtime.services.clock.nowMs() + 1000);
  }
}

/** Stops a customer's running executions of a journey, as an operator does (they end ABORTED). */
export async function stopRunning(runtime: LocalRuntime, journeyId: string, userId: string): Promise<number> {
  const running = (await executionsOf(runtime, journeyId, userId)).filter((e) => e.status === 'RUNNING');
  const sfn = new SFNClient(localClientConfig(runtime.endpoints.sfn));
  try {
    for (const e of running)
      await sfn.send(new StopExecutionCommand({ executionArn: e.executionArn, cause: 'stopped by hand' }));
  } finally {
    sfn.destroy();
  }
  await runtime.settled();
  return running.length;
}

/** What the failures and links above leave on each customer's profile. */
export const LIFE_MARKS = {
  ada: { email: 'suppressed: hard bounce', sms: 'subscribed', cartReminders: false, deadToken: false },
  bo: { email: 'suppressed: complaint', sms: 'unsubscribed', cartReminders: true, deadToken: false },
  cy: { email: 'subscribed', sms: 'subscribed', cartReminders: true, deadToken: false },
  di: { email: 'subscribed', sms: 'unsubscribed', cartReminders: true, deadToken: false },
};

function statusOf(consent?: { status: string; reason?: string }): string {
  if (consent === undefined) return 'subscribed';
  return consent.status === 'suppressed' ? `suppressed: ${consent.reason}` : consent.status;
}

/** Each customer's consent on email and SMS, their cart-reminders topic, and whether a dead token is kept. */
export async function lifeMarks(): Promise<Record<string, unknown>> {
  const profiles = profilesRepository(LOCAL_TABLES.profiles);
  const marks: Record<string, unknown> = {};
  for (const userId of FAILING_ADDRESSES.keys()) {
    const { profile } = await profiles.get(userId);
    const { email, sms } = profile.consent;
    marks[userId] = {
      email: statusOf(email),
      sms: statusOf(sms),
      cartReminders: email?.topics?.['cart-reminders'] ?? true,
      deadToken: (profile.pushTokens ?? []).some((t) => t.token.startsWith('dead-')),
    };
  }
  return marks;
}
