import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DeliveriesRepository, feedbackItemId } from '#functions/_lib/deliveries.ts';
import { OutcomeWaiters } from '#functions/_lib/outcome-waiters.ts';
import { optOutCounts, readProfileItem } from '#functions/_lib/profile-item.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { classifyFeedback } from '#shared/delivery/feedback.ts';
import { addressKey } from '#shared/delivery/policy.ts';
import { FEEDBACK_OUTCOMES } from '#shared/journey/outcome.ts';
import { caseId } from '../../support/case-ids.ts';
import { CrashPlan, crashPointsOf, firstOfEachPath, type Landing } from '../../support/crash-points.ts';
import { FEEDBACK_SHAPES, type FeedbackShape } from '../../support/feedback-shapes.ts';
import { collectedCrashPointWorld, type HandlerWorld } from '../../support/ingest-world.ts';
import { mockedClient } from '../../support/mocked-clients.ts';

/**
 * delivery-feedback dies at each point of its handling of a provider's
 * notification — before one of its requests lands, or after it lands with
 * the answer never read — and EventBridge delivers the same notification
 * again. Every shape it applies (SES events, End User Messaging SMS receipts,
 * Pinpoint SMS and push records): whatever the point, the outcome is counted
 * once on the message's step and nothing else is, its record is left
 * settled, a step waiting for that outcome is resumed once with it and its
 * waiter gone (one waiting for other outcomes keeps waiting), and the
 * channel's consent is changed as the notification says — a hard bounce, a
 * complaint, a dead number suppress it, a STOP opts it out, a topic
 * unsubscribe opts out of that one topic — and nothing more.
 */

const NOW = new Date('2026-11-24T10:00:06Z');
const now = () => NOW;
const PHONE = '+61412345678';

// Started as the file is collected: each shape's points are those of its run with nothing failing.
const world: HandlerWorld = await collectedCrashPointWorld('feedback-crash');

function feedbackDeps(faulty: boolean): FeedbackDeps & { outcomes: { waiters: OutcomeWaiters } } {
  const doc = world.docOf(faulty);
  return {
    deliveries: new DeliveriesRepository(doc, world.db.tables.deliveries),
    profiles: new ProfilesRepository(doc, world.db.tables.profiles),
    stats: new StatsRepository(doc, world.db.tables.stats),
    outcomes: {
      waiters: new OutcomeWaiters(doc, world.db.tables.enrollments),
      sfn: mockedClient(SFNClient),
    },
    now,
  };
}

/**
 * A message a journey of its own sent to a customer, linked as send-message
 * links it (with the address it went to); an email or SMS step waits for
 * every feedback outcome, a push step for none (its send says so).
 */
async function sent(id: string, shape: FeedbackShape) {
  const journeyId = `crash-feedback-${id}`;
  const messageId = `${shape.channel}-${id}`;
  const stepId = `${shape.channel}-1`;
  const email = `${id}@example.com`;
  // The customer's profile as ingest keeps it: their addresses, every channel open.
  await world.db.doc.send(
    new PutCommand({ TableName: world.db.tables.profiles, Item: { userId: id, email, phone: PHONE } }),
  );
  const address =
    shape.channel === 'email'
      ? addressKey({ channel: 'email', email })
      : shape.channel === 'sms'
        ? addressKey({ channel: 'sms', phone: PHONE })
        : undefined;
  const meta = { userId: id, journeyId, version: '1', stepId, channel: shape.channel };
  const waits = shape.channel !== 'push';
  const deps = feedbackDeps(false);
  await deps.deliveries.linkMessage(messageId, `e-${id}#${stepId}`, meta, NOW, address, waits);
  const token = `token-${id}`;
  if (waits) {
    await deps.outcomes.waiters.put(id, {
      messageId,
      enrollmentId: `e-${id}`,
      journeyId,
      stepId,
      token,
      outcomes: [...FEEDBACK_OUTCOMES],
      until: '2026-11-25T10:00:00Z',
    });
    world.effects.waiting.add(token);
  }
  return { journeyId, messageId, stepId, token, waits };
}

async function feedbackRecord(messageId: string, outcome: string) {
  const record = await world.db.doc.send(
    new GetCommand({
      TableName: world.db.tables.deliveries,
      Key: { deliveryId: feedbackItemId(messageId, outcome) },
      ConsistentRead: true,
    }),
  );
  return record.Item;
}

async function rawProfile(id: string) {
  const stored = await world.db.doc.send(
    new GetCommand({ TableName: world.db.tables.profiles, Key: { userId: id }, ConsistentRead: true }),
  );
  return stored.Item;
}

async function run(shape: FeedbackShape, point: number, landing: Landing) {
  const id = caseId('feedback');
  const { journeyId, messageId, stepId, token, waits } = await sent(id, shape);
  const detail = shape.detail(messageId);
  const out = await world.dieThenRetry(new CrashPlan(point, landing), () =>
    applyFeedback(feedbackDeps(true), detail),
  );
  const deps = feedbackDeps(false);
  const profile = await rawProfile(id);
  return {
    ...out,
    stepId,
    waits,
    counters: Object.fromEntries(await world.counters(journeyId)),
    record: await feedbackRecord(messageId, classifyFeedback(detail)?.outcome ?? ''),
    resumed: (world.effects.resumed.get(token) ?? []).map((o) => JSON.parse(o).outcome),
    waiter: await deps.outcomes.waiters.get(id, messageId),
    consent: readProfileItem(id, profile).profile.consent[shape.channel],
    topicOptOuts: optOutCounts(profile).get(shape.channel) ?? 0,
  };
}

/** A shape's run with nothing failing, before its tests are made: the path it takes. */
async function cleanRun(shape: FeedbackShape) {
  world.nothingFails();
  return run(shape, Number.POSITIVE_INFINITY, 'before');
}

/** What each shape leaves, whatever the point its handling died at. */
const sameKinds = (a: readonly string[], b: readonly string[]) => JSON.stringify(a) === JSON.stringify(b);

function expectApplied(shape: FeedbackShape, r: Run) {
  expect(r.result?.status).toMatch(/applied|duplicate/);
  expect(r.counters).toEqual(shape.metric === undefined ? {} : { [`${r.stepId}/${shape.metric}`]: 1 });
  expect(r.record).toBeDefined();
  expect(Object.keys(r.record ?? {}).filter((k) => k.toLowerCase().includes('pending'))).toEqual([]);
  expect(r.resumed).toEqual(shape.resumes === undefined ? [] : [shape.resumes]);
  // Resumed, the waiter is dead state and goes; a step waiting for other outcomes keeps waiting.
  expect(r.waiter !== undefined).toBe(r.waits && shape.resumes === undefined);
  if (shape.consent === undefined) expect(r.consent?.status ?? 'subscribed').toBe('subscribed');
  else expect(r.consent).toMatchObject(shape.consent);
  expect(r.topicOptOuts).toBe(shape.topic === undefined ? 0 : 1);
  if (shape.topic !== undefined) expect(r.consent?.topics?.[shape.topic]).toBe(false);
}

// Every shape's clean run, as the file is collected. Shapes whose handling takes the same requests
// in the same order die the same ways: the first of each such path is tried at every point, and
// stands for the others.
type Run = Awaited<ReturnType<typeof run>>;
const CLEAN: { shape: FeedbackShape; kind: string; clean: Run }[] = [];
for (const shape of FEEDBACK_SHAPES) CLEAN.push({ shape, kind: shape.kind, clean: await cleanRun(shape) });
const DYING = new Set(firstOfEachPath(CLEAN.map(({ clean }) => clean.path)));
const SHAPES = CLEAN.map((c, index) => ({
  ...c,
  points: DYING.has(index) ? crashPointsOf(c.clean.path) : [],
  // The shape tried at every point of this one's path.
  diesAs: CLEAN.find((other, first) => DYING.has(first) && sameKinds(other.clean.path, c.clean.path))?.kind,
}));

describe.each(SHAPES)('$kind', ({ shape, clean, points, diesAs }) => {
  it(`applies it when nothing fails, in ${clean.requests} requests dying as ${diesAs}'s do`, () => {
    expect(clean.died).toBe(false);
    expect(clean.result?.status).toBe('applied');
    expectApplied(shape, clean);
  });

  if (points.length > 0)
    it.each(points)(
      'at request $point, $landing it lands: counted once, resumed once, consent changed once, settled',
      async ({ point, landing }) => {
        const r = await run(shape, point, landing);
        expect(r.died).toBe(point < clean.requests);
        expectApplied(shape, r);
      },
    );
});
