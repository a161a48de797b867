import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from './harness.ts';

const bounce = JSON.parse(
  readFileSync(new URL('../../fixtures/events/ses-email-bounced.json', import.meta.url), 'utf8'),
);

let db: LocalDynamo;
let deps: FeedbackDeps;
beforeAll(async () => {
  db = await startDynalite('feedback');
  deps = {
    deliveries: new DeliveriesRepository(db.doc, db.tables.deliveries),
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    stats: new StatsRepository(db.doc, db.tables.stats),
    now: () => new Date('2026-11-24T10:00:06Z'),
  };
});
afterAll(async () => db.stop());

async function sentTo(userId: string, messageId: string) {
  await ingestEvent(
    ingestDeps(db).deps,
    identify(userId, { email: `${userId}@example.com` }, '2026-11-01T00:00:00Z'),
  );
  await deps.deliveries.linkMessage(
    messageId,
    `e-${userId}#email-1`,
    { userId, journeyId: 'fb', version: '1', stepId: 'email-1', channel: 'email' },
    new Date(),
  );
}

function ses(
  eventType: string,
  messageId: string,
  extra: Record<string, unknown> = {},
  tags?: Record<string, string[]>,
) {
  return {
    eventType,
    mail: { messageId, destination: ['x@example.com'], ...(tags ? { tags } : {}) },
    ...extra,
  };
}

describe('delivery-feedback', () => {
  it('suppresses the channel on a hard bounce (the recorded EventBridge shape)', async () => {
    await sentTo('f-bounce', 'ses-1');
    const result = await applyFeedback(deps, {
      ...bounce.detail,
      mail: { ...bounce.detail.mail, messageId: 'ses-1' },
    });
    expect(result.status).toBe('applied');
    expect((await deps.profiles.get('f-bounce')).profile.consent.email).toMatchObject({
      status: 'suppressed',
      reason: 'hard bounce',
    });
  });

  it('keeps a suppression when a later identify says subscribed', async () => {
    await sentTo('f-sticky', 'ses-2');
    await applyFeedback(deps, ses('Complaint', 'ses-2', { complaint: {} }));
    await ingestEvent(
      ingestDeps(db).deps,
      identify('f-sticky', { consent: { email: true } }, '2026-11-24T11:00:00Z'),
    );
    expect((await deps.profiles.get('f-sticky')).profile.consent.email?.status).toBe('suppressed');
  });

  it.each([
    { event: ses('Bounce', 'ses-3', { bounce: { bounceType: 'Transient' } }), status: undefined },
    {
      event: ses('Subscription', 'ses-3', {
        subscription: { newTopicPreferences: { unsubscribeAll: true } },
      }),
      status: 'unsubscribed',
    },
  ])('applies $event.eventType without over-suppressing', async ({ event, status }) => {
    await sentTo(`f-${event.eventType}`, 'ses-3');
    await applyFeedback(deps, event);
    expect((await deps.profiles.get(`f-${event.eventType}`)).profile.consent.email?.status).toBe(status);
  });

  it.each([
    { type: 'abuse', status: 'suppressed' },
    { type: 'not-spam', status: undefined },
  ])(
    'counts a complaint of feedback type $type, suppressing only a report of spam',
    async ({ type, status }) => {
      // arrange
      const userId = `f-complaint-${type}`;
      await sentTo(userId, `ses-c-${type}`);
      // act
      const result = await applyFeedback(
        deps,
        ses('Complaint', `ses-c-${type}`, { complaint: { complaintFeedbackType: type } }),
      );
      // assert: a not-spam report is counted like any complaint, and the customer still receives email
      expect(result).toMatchObject({ status: 'applied', feedback: { outcome: 'complained' } });
      expect((await deps.profiles.get(userId)).profile.consent.email?.status).toBe(status);
    },
  );

  it('opts out of one topic on a topic unsubscribe', async () => {
    await sentTo('f-topic', 'ses-4');
    const event = ses('Subscription', 'ses-4', {
      subscription: {
        newTopicPreferences: {
          topicSubscriptionStatus: [{ topicName: 'newsletter', subscriptionStatus: 'OPT_OUT' }],
        },
      },
    });
    await applyFeedback(deps, event);
    const consent = (await deps.profiles.get('f-topic')).profile.consent.email;
    expect(consent?.topics).toEqual({ newsletter: false });
  });

  it('counts a redelivered click once in the step stats', async () => {
    await sentTo('f-click', 'ses-5');
    const results = [
      await applyFeedback(deps, ses('Click', 'ses-5')),
      await applyFeedback(deps, ses('Click', 'ses-5')),
    ];
    expect(results.map((r) => r.status)).toEqual(['applied', 'duplicate']);
    const funnel = await deps.stats.funnel('fb');
    expect(funnel.find((r) => r.metric === 'clicked' && r.stepId === 'email-1')?.count).toBe(1);
  });

  it('counts what providers report beside the send, never as another send or a send failure', async () => {
    // arrange: an email and an SMS a journey sent, each counted once as sent by send-message
    const sent = async (userId: string, messageId: string, channel: 'email' | 'sms') => {
      const traits = channel === 'email' ? { email: `${userId}@example.com` } : { phone: '+61412345678' };
      await ingestEvent(ingestDeps(db).deps, identify(userId, traits, '2026-11-01T00:00:00Z'));
      const step = { journeyId: 'fb-once', version: '1', stepId: `${channel}-1` };
      await deps.deliveries.linkMessage(
        messageId,
        `e-${userId}#${step.stepId}`,
        { userId, ...step, channel },
        new Date(),
      );
      await deps.stats.recordSend({ ...step, channel, status: 'sent', at: new Date('2026-11-24T10:00:00Z') });
    };
    await sent('f-once-email', 'ses-once', 'email');
    await sent('f-once-sms', 'sms-once', 'sms');
    const unreachable = JSON.parse(
      readFileSync(
        new URL('../../fixtures/events/sms-text-carrier-unreachable.json', import.meta.url),
        'utf8',
      ),
    );
    // act: SES publishes "Email Sent" for every email (the configuration set asks for it); the carrier cannot reach the phone
    await applyFeedback(deps, ses('Send', 'ses-once'));
    await applyFeedback(deps, ses('Delivery', 'ses-once'));
    await applyFeedback(deps, { ...unreachable.detail, messageId: 'sms-once' });
    // assert: one message each, sent once; the carrier's failure is an undelivered message, not a send that failed
    const counts = new Map(
      (await deps.stats.funnel('fb-once')).map((r) => [`${r.stepId} ${r.metric}`, r.count]),
    );
    expect(counts).toEqual(
      new Map([
        ['email-1 sent', 1],
        ['email-1 delivered', 1],
        ['sms-1 sent', 1],
        ['sms-1 undelivered', 1],
      ]),
    );
  });

  it('ignores feedback for messages no journey sent', async () => {
    expect(await applyFeedback(deps, ses('Delivery', 'not-ours'))).toEqual({ status: 'unknown-message' });
    expect(await applyFeedback(deps, { something: 'else' })).toEqual({ status: 'ignored' });
  });

  it.each([
    { fixture: 'sms-text-successful.json', outcome: 'delivered', metric: 'delivered', consent: undefined },
    { fixture: 'sms-text-delivered.json', outcome: 'delivered', metric: 'delivered', consent: undefined },
    {
      fixture: 'sms-text-carrier-unreachable.json',
      outcome: 'failed',
      metric: 'undelivered',
      consent: undefined,
    },
    { fixture: 'sms-text-invalid.json', outcome: 'failed', metric: 'undelivered', consent: 'suppressed' },
    { fixture: 'sms-text-blocked.json', outcome: 'failed', metric: 'undelivered', consent: 'suppressed' },
  ])(
    'applies the End User Messaging SMS event of $fixture',
    async ({ fixture, outcome, metric, consent }) => {
      // arrange: an SMS a journey sent, and the event AWS publishes for it on EventBridge
      const userId = `f-${fixture}`;
      const messageId = `sms-${fixture}`;
      await ingestEvent(
        ingestDeps(db).deps,
        identify(userId, { phone: '+61412345678' }, '2026-11-01T00:00:00Z'),
      );
      await deps.deliveries.linkMessage(
        messageId,
        `e-${userId}#sms-1`,
        { userId, journeyId: 'fb-sms', version: '1', stepId: 'sms-1', channel: 'sms' },
        new Date(),
      );
      const event = JSON.parse(
        readFileSync(new URL(`../../fixtures/events/${fixture}`, import.meta.url), 'utf8'),
      );
      // act
      const result = await applyFeedback(deps, { ...event.detail, messageId });
      // assert
      expect(result).toMatchObject({ status: 'applied', feedback: { channel: 'sms', outcome } });
      expect((await deps.profiles.get(userId)).profile.consent.sms?.status).toBe(consent);
      const funnel = await deps.stats.funnel('fb-sms');
      expect(funnel.some((r) => r.metric === metric && r.stepId === 'sms-1')).toBe(true);
    },
  );

  it.each([
    // About the number: it will never take a message.
    { eventType: '_SMS.FAILURE', recordStatus: 'INVALID', consent: 'suppressed' },
    { eventType: '_SMS.FAILURE', recordStatus: 'BLOCKED', consent: 'suppressed' },
    // About one message: a phone switched off, a carrier outage, an expired message.
    { eventType: '_SMS.FAILURE', recordStatus: 'UNREACHABLE', consent: undefined },
    { eventType: '_SMS.FAILURE', recordStatus: 'CARRIER_UNREACHABLE', consent: undefined },
    { eventType: '_SMS.FAILURE', recordStatus: 'TTL_EXPIRED', consent: undefined },
    // The customer replied STOP: an opt-out, not a dead number.
    { eventType: '_SMS.FAILURE', recordStatus: 'OPTED_OUT', consent: 'unsubscribed' },
    // One device token of the customer's: the others still take push.
    { eventType: '_PUSH.FAILURE', recordStatus: 'PERMANENT_FAILURE', consent: undefined },
  ])(
    'applies a Pinpoint event-stream $eventType of $recordStatus: consent $consent',
    async ({ eventType, recordStatus, consent }) => {
      // arrange: an SMS or push a journey sent, and the older Pinpoint event-stream record of its failure
      const channel = eventType.startsWith('_SMS') ? ('sms' as const) : ('push' as const);
      const userId = `f-pp-${channel}-${recordStatus}`;
      const messageId = `pp-${channel}-${recordStatus}`;
      await ingestEvent(
        ingestDeps(db).deps,
        identify(userId, { phone: '+61412345678' }, '2026-11-01T00:00:00Z'),
      );
      await deps.deliveries.linkMessage(
        messageId,
        `e-${userId}#${channel}-1`,
        { userId, journeyId: 'fb-pp', version: '1', stepId: `${channel}-1`, channel },
        new Date(),
      );
      // act
      const result = await applyFeedback(deps, {
        event_type: eventType,
        attributes: { message_id: messageId, record_status: recordStatus },
      });
      // assert
      expect(result).toMatchObject({ status: 'applied', feedback: { channel, outcome: 'failed' } });
      expect((await deps.profiles.get(userId)).profile.consent[channel]?.status).toBe(consent);
    },
  );

  it('waits for a final SMS status and ignores event types that mean nothing', async () => {
    const pending = { eventType: 'TEXT_PENDING', messageId: 'sms-pending' };
    const odd = { eventType: 'TEXT_constructor', messageId: 'sms-odd' };
    expect(await applyFeedback(deps, pending)).toEqual({ status: 'ignored' });
    expect(await applyFeedback(deps, odd)).toEqual({ status: 'ignored' });
    expect(await applyFeedback(deps, { event_type: 'constructor', attributes: { message_id: 'x' } })).toEqual(
      {
        status: 'ignored',
      },
    );
  });

  it.each([
    {
      name: 'an SES bounce',
      event: (id: string) =>
        ses('Bounce', id, { bounce: { bounceType: 'Permanent' } }, { journey: ['fb'], step: ['email-1'] }),
      channel: 'email' as const,
    },
    {
      name: 'an End User Messaging SMS event',
      event: (id: string) => ({ eventType: 'TEXT_INVALID', messageId: id, context: { journeyId: 'fb' } }),
      channel: 'sms' as const,
    },
  ])(
    'holds $name that outruns its send until the send links it, then applies it once',
    async ({ event, channel }) => {
      // arrange: a journey's message whose send has not linked its provider id yet
      const userId = `f-early-${channel}`;
      const messageId = `early-${channel}`;
      await ingestEvent(
        ingestDeps(db).deps,
        identify(userId, { email: `${userId}@example.com`, phone: '+61412345678' }, '2026-11-01T00:00:00Z'),
      );
      // act: feedback first, then the send's link, then the event delivered again
      const early = applyFeedback(deps, event(messageId));
      await expect(early).rejects.toMatchObject({ name: 'Journeys.FeedbackBeforeSend' });
      await deps.deliveries.linkMessage(
        messageId,
        `e-${userId}#${channel}-1`,
        { userId, journeyId: 'fb-early', version: '1', stepId: `${channel}-1`, channel },
        new Date(),
      );
      const again = await applyFeedback(deps, event(messageId));
      const redelivered = await applyFeedback(deps, event(messageId));
      // assert: suppressed, counted once
      expect([again.status, redelivered.status]).toEqual(['applied', 'duplicate']);
      expect((await deps.profiles.get(userId)).profile.consent[channel]?.status).toBe('suppressed');
      const counted = (await deps.stats.funnel('fb-early')).filter((r) => r.stepId === `${channel}-1`);
      expect(counted.map((r) => [r.metric, r.count])).toEqual([
        [channel === 'email' ? 'bounced' : 'undelivered', 1],
      ]);
    },
  );

  it('counts each outcome once when the same notification is delivered several times at once', async () => {
    // arrange: a message sent; EventBridge may deliver one notification to concurrent invocations
    await sentTo('f-together', 'together-1');
    const notifications = [
      ses('Delivery', 'together-1'),
      ses('Bounce', 'together-1', { bounce: { bounceType: 'Permanent' } }),
      ses('Complaint', 'together-1', { complaint: {} }),
    ];
    const before = await feedbackCounters();
    // act: each notification three times at once, all of them together
    const results = await Promise.all(
      notifications.flatMap((n) => [n, n, n]).map((n) => applyFeedback(deps, n)),
    );
    // assert: each outcome applied by one invocation and counted once on the step
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(3);
    const after = await feedbackCounters();
    const added = [...after].map(([metric, count]) => [metric, count - (before.get(metric) ?? 0)]);
    expect(added.filter(([, count]) => count !== 0)).toEqual([
      ['delivered', 1],
      ['bounced', 1],
      ['complained', 1],
    ]);
    expect((await deps.profiles.get('f-together')).profile.consent.email?.status).toBe('suppressed');
  });

  it('counts each outcome of a message once and keeps a suppression, in any order and with repeats', async () => {
    const events = (id: string) => ({
      delivered: ses('Delivery', id),
      bounced: ses('Bounce', id, { bounce: { bounceType: 'Permanent' } }),
      complained: ses('Complaint', id, { complaint: {} }),
      opened: ses('Open', id),
    });
    const orders: (keyof ReturnType<typeof events>)[][] = [
      ['delivered', 'opened', 'complained', 'delivered', 'complained'],
      ['complained', 'opened', 'delivered', 'opened'],
      ['bounced', 'delivered', 'bounced'],
    ];
    for (const [i, order] of orders.entries()) {
      const userId = `f-order-${i}`;
      const messageId = `order-${i}`;
      await sentTo(userId, messageId);
      for (const kind of order) await applyFeedback(deps, events(messageId)[kind]);
      const expected = new Map([...new Set(order)].map((kind) => [kind, 1]));
      const consent = (await deps.profiles.get(userId)).profile.consent.email;
      expect(consent?.status).toBe('suppressed');
      await expect(feedbackCounts(messageId, [...expected.keys()])).resolves.toEqual(expected);
    }
  });
});

/** The feedback counters of the journey the messages above were sent by (shared by these tests). */
async function feedbackCounters(): Promise<Map<string, number>> {
  const counts = new Map<string, number>([
    ['delivered', 0],
    ['bounced', 0],
    ['complained', 0],
  ]);
  for (const row of await deps.stats.funnel('fb'))
    if (counts.has(row.metric)) counts.set(row.metric, (counts.get(row.metric) ?? 0) + row.count);
  return counts;
}

/** How many times each outcome was recorded for one message (each is at most one item). */
async function feedbackCounts(messageId: string, outcomes: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const outcome of outcomes)
    counts.set(outcome, (await deps.deliveries.hasFeedback(messageId, outcome)) ? 1 : 0);
  return counts;
}
