import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DeliveriesRepository, feedbackItemId } from '#functions/_lib/deliveries.ts';
import { OutcomeWaiters } from '#functions/_lib/outcome-waiters.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { CrashPlan, crashPoints, type Landing } from '../../support/crash-points.ts';
import { crashPointWorld, type HandlerWorld } from '../../support/ingest-world.ts';
import { identify } from './harness.ts';

/**
 * delivery-feedback dies at each point of its handling of a provider's
 * notification — before one of its requests lands, or after it lands with
 * the answer never read — and EventBridge delivers the same notification
 * again. Whatever the point, the outcome is counted once on the message's
 * step, its record is left settled, the step waiting for that outcome is
 * resumed once and its waiter gone, and a hard bounce or a complaint leaves
 * the channel suppressed.
 */

let world: HandlerWorld;
let n = 0;
const NOW = new Date('2026-11-24T10:00:06Z');
const now = () => NOW;
crashPointWorld('feedback-crash', (w) => {
  world = w;
});

/** More requests than the handling of one notification makes (checked below). */
const POINTS = 12;

function feedbackDeps(faulty: boolean): FeedbackDeps {
  const doc = world.docOf(faulty);
  return {
    deliveries: new DeliveriesRepository(doc, world.db.tables.deliveries),
    profiles: new ProfilesRepository(doc, world.db.tables.profiles),
    stats: new StatsRepository(doc, world.db.tables.stats),
    outcomes: {
      waiters: new OutcomeWaiters(doc, world.db.tables.enrollments),
      sfn: new SFNClient({ region: 'eu-west-1' }),
    },
    now,
  };
}

const NOTIFICATIONS = [
  { kind: 'a delivery', eventType: 'Delivery', extra: {}, suppressed: false },
  {
    kind: 'a hard bounce',
    eventType: 'Bounce',
    extra: { bounce: { bounceType: 'Permanent' } },
    suppressed: true,
  },
  {
    kind: 'a soft bounce',
    eventType: 'Bounce',
    extra: { bounce: { bounceType: 'Transient' } },
    suppressed: false,
  },
  { kind: 'a complaint', eventType: 'Complaint', extra: { complaint: {} }, suppressed: true },
  { kind: 'an open', eventType: 'Open', extra: {}, suppressed: false },
  { kind: 'a click', eventType: 'Click', extra: {}, suppressed: false },
] as const;

/** A message sent to a customer, its step (of a journey of its own) waiting for every outcome. */
async function sent(id: string) {
  const journeyId = `crash-feedback-${id}`;
  const messageId = `ses-${id}`;
  await ingestEvent(
    world.ingestDeps(false, now),
    identify(id, { email: `${id}@example.com` }, '2026-11-01T00:00:00Z'),
  );
  const meta = { userId: id, journeyId, version: '1', stepId: 'email-1', channel: 'email' as const };
  await feedbackDeps(false).deliveries.linkMessage(messageId, `e-${id}#email-1`, meta, NOW);
  const token = `token-${id}`;
  await feedbackDeps(false).outcomes?.waiters.put(id, {
    messageId,
    enrollmentId: `e-${id}`,
    journeyId,
    stepId: 'email-1',
    token,
    outcomes: ['delivered', 'bounced', 'opened', 'clicked'],
    until: '2026-11-25T10:00:00Z',
  });
  world.effects.waiting.add(token);
  return { journeyId, messageId, token };
}

async function run(notification: (typeof NOTIFICATIONS)[number], point: number, landing: Landing) {
  n += 1;
  const id = `feedback${n}`;
  const { journeyId, messageId, token } = await sent(id);
  const detail = {
    eventType: notification.eventType,
    mail: { messageId, destination: [`${id}@example.com`] },
    ...notification.extra,
  };
  const out = await world.dieThenRetry(new CrashPlan(point, landing), () =>
    applyFeedback(feedbackDeps(true), detail),
  );
  const counters = await world.counters(journeyId);
  const outcome = out.result !== undefined && 'feedback' in out.result ? out.result.feedback.outcome : '';
  const record = await world.db.doc.send(
    new GetCommand({
      TableName: world.db.tables.deliveries,
      Key: { deliveryId: feedbackItemId(messageId, outcome) },
      ConsistentRead: true,
    }),
  );
  return {
    ...out,
    counted: [...counters.values()].reduce((a, b) => a + b, 0),
    record: record.Item,
    resumed: world.effects.resumed.get(token) ?? [],
    waiter: await feedbackDeps(false).outcomes?.waiters.get(id, messageId),
    consent: (await feedbackDeps(false).profiles.get(id)).profile.consent.email,
  };
}

describe.each(NOTIFICATIONS)('$kind', (notification) => {
  const awaited = notification.eventType !== 'Complaint';

  it(`makes fewer than ${POINTS} requests when nothing fails`, async () => {
    const { requests, died, counted, resumed } = await run(notification, Number.POSITIVE_INFINITY, 'before');
    expect([died, counted, resumed.length]).toEqual([false, 1, awaited ? 1 : 0]);
    expect(requests).toBeLessThan(POINTS);
  });

  it.each(crashPoints(POINTS))(
    'at request $point, $landing it lands: counted once, resumed once, settled',
    async ({ point, landing }) => {
      const { result, counted, record, resumed, waiter, consent } = await run(notification, point, landing);
      expect(result?.status).toMatch(/applied|duplicate/);
      expect(counted).toBe(1);
      expect(record).toBeDefined();
      expect(Object.keys(record ?? {}).filter((k) => k.toLowerCase().includes('pending'))).toEqual([]);
      expect(resumed).toHaveLength(awaited ? 1 : 0);
      if (awaited) expect(waiter).toBeUndefined();
      if (notification.suppressed) expect(consent?.status).toBe('suppressed');
      else expect(consent?.status).not.toBe('suppressed');
    },
  );
});
