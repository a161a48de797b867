import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '#functions/_lib/observability.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestDelivery, ingestEvent } from '#functions/ingest/ingest.ts';
import { enrollmentName } from '#shared/journey/enrollment.ts';
import { METRICS } from '#shared/metrics.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { WAIT_FOR_ORDER } from '../../support/ingest-world.ts';
import { AB_SPLIT_THEN_EXIT } from '../../support/journey-steps.ts';
import { awaitDepsOf, identify, ingestDeps, registerJourney, track } from './harness.ts';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('ingest');
  await registerJourney(db, {
    id: 'cart',
    name: 'Cart',
    trigger: {
      type: 'event',
      event: 'Cart Updated',
      where: { path: 'event.properties.total', gte: 20 },
      correlationKey: 'event.properties.cartId',
    },
    reentry: { mode: 'once' },
    goal: { event: 'Order Completed', within: 'P7D' },
    exitOn: [{ event: 'Unsubscribed' }],
    ...AB_SPLIT_THEN_EXIT,
  });
  // Re-entry without a correlation key: one customer can be in it several times at once.
  await registerJourney(db, {
    id: 'browse',
    name: 'Browse',
    trigger: { type: 'event', event: 'Product Viewed' },
    reentry: { mode: 'always' },
    goal: { event: 'Order Placed', within: 'P7D', value: 'event.properties.total' },
    ...AB_SPLIT_THEN_EXIT,
  });
  // A journey whose step waits for "Order Completed": its last occurrence is kept for a late waiter.
  await registerJourney(db, {
    id: 'follow-up',
    name: 'Follow-up',
    trigger: { type: 'event', event: 'Follow-up Requested' },
    ...WAIT_FOR_ORDER,
  });
});
afterAll(async () => db.stop());

describe('ingest: what is not an EventBridge event', () => {
  it('says so, rather than faulting the customer event inside (invoked with the event alone, or a failure record)', async () => {
    const { deps, sqs } = ingestDeps(db);
    // A developer invoking the function with the Segment event itself, as it would sit in `detail`.
    const event = track('u-invoked', 'Cart Updated', { total: 42 });
    const result = await ingestDelivery(deps, {
      success: false,
      error: { message: 'id: expected string' },
      originalEvent: event,
    });
    expect(result).toEqual({
      status: 'rejected',
      problems: [
        {
          field: '(envelope)',
          message: expect.stringContaining('is not an EventBridge event'),
        },
      ],
    });
    const [sent] = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(c.args[0].input.MessageBody ?? '{}'));
    expect(sent.problems).toEqual(result.status === 'rejected' ? result.problems : []);
    expect(sent.event).toEqual(event);
    // A delivery in the envelope is read as ever.
    const delivered = await ingestDelivery(deps, {
      success: true,
      data: { detail: track('u-invoked', 'Page Read') },
    });
    expect(delivered.status).toBe('recorded');
  });
});

describe('ingest: profile upsert', () => {
  it('merges identify traits, channels, consent and time zone', async () => {
    // arrange
    const { deps } = ingestDeps(db);
    // act
    await ingestEvent(
      deps,
      identify('u-traits', {
        email: 'ada@example.com',
        phone: '+393331234567',
        timezone: 'Europe/Rome',
        plan: 'pro',
        consent: { sms: false, topics: { newsletter: false } },
      }),
    );
    await ingestEvent(deps, identify('u-traits', { firstName: 'Ada' }, '2026-11-24T09:59:30Z'));
    // assert
    const { profile } = await deps.profiles.get('u-traits');
    expect(profile.traits).toMatchObject({ plan: 'pro', firstName: 'Ada' });
    expect(profile).toMatchObject({
      email: 'ada@example.com',
      phone: '+393331234567',
      timezone: 'Europe/Rome',
    });
    expect(profile.consent.sms?.status).toBe('unsubscribed');
    expect(profile.consent.email?.topics).toEqual({ newsletter: false });
  });

  it('counts a redelivered event once', async () => {
    const { deps } = ingestDeps(db);
    const event = track('u-dup', 'Page Viewed');
    const first = await ingestEvent(deps, event);
    const second = await ingestEvent(deps, event);
    expect([first.status, second.status]).toEqual(['recorded', 'duplicate']);
    expect((await deps.profiles.get('u-dup')).profile.events['Page Viewed']?.count).toBe(1);
  });

  it('does not let an older event overwrite newer traits', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, identify('u-order', { plan: 'pro', city: 'Rome' }, '2026-11-24T09:00:00Z'));
    await ingestEvent(deps, identify('u-order', { plan: 'free', country: 'IT' }, '2026-11-24T08:00:00Z'));
    const { profile } = await deps.profiles.get('u-order');
    expect(profile.traits).toEqual({ plan: 'pro', city: 'Rome', country: 'IT' });
  });

  it('caps the traits of a profile: known traits still update, new ones past the cap are kept with the reason', async () => {
    // arrange: 90 traits, then 20 more of which 10 fit, then an update of a known one
    const { deps, sqs } = ingestDeps(db);
    const traits = (from: number, count: number, value: string) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`t${from + i}`, value]));
    // act
    await ingestEvent(deps, identify('u-cap', traits(0, 90, 'a'), '2026-11-24T09:00:00Z'));
    await ingestEvent(deps, identify('u-cap', traits(90, 20, 'b'), '2026-11-24T09:01:00Z'));
    await ingestEvent(deps, identify('u-cap', { ...traits(0, 1, 'c'), t200: 'x' }, '2026-11-24T09:02:00Z'));
    // assert
    const { profile } = await deps.profiles.get('u-cap');
    expect(Object.keys(profile.traits)).toHaveLength(100);
    expect(profile.traits).toMatchObject({ t0: 'c', t99: 'b' });
    expect(profile.traits.t100).toBeUndefined();
    const kept = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(String(c.args[0].input.MessageBody)));
    expect(kept.flatMap((k) => k.problems.map((p: { field: string }) => p.field))).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `traits.t${100 + i}`),
      'traits.t200',
    ]);
  });

  it('logs and counts the report of traits past the cap when the rejected queue fails after the profile write', async () => {
    // arrange: a profile at the cap, and a queue that fails from now on
    const { deps, sqs } = ingestDeps(db);
    const traits = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, 'a']));
    await ingestEvent(deps, identify('u-cap-lost', traits, '2026-11-24T09:00:00Z'));
    sqs
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('queue unavailable'), { name: 'ServiceUnavailable' }));
    const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
    const addDimensions = vi.spyOn(Metrics.prototype, 'addDimensions');
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      // act: a new trait past the cap; then its redelivery (as EventBridge would after a failure)
      const event = identify('u-cap-lost', { t0: 'b', extra: 'x' }, '2026-11-24T09:01:00Z');
      const first = await ingestEvent(deps, event);
      const again = await ingestEvent(deps, event);
      // assert: the event applied; the report, which its redelivery could not send, logged and counted once
      expect([first.status, again.status]).toEqual(['recorded', 'duplicate']);
      expect((await deps.profiles.get('u-cap-lost')).profile.traits.t0).toBe('b');
      expect(addMetric.mock.calls.filter(([name]) => name === METRICS.droppedTraitReportsLost)).toEqual([
        [METRICS.droppedTraitReportsLost, MetricUnit.Count, 1],
      ]);
      expect(addDimensions).toHaveBeenCalledWith({ reason: 'ServiceUnavailable' });
      expect(error).toHaveBeenCalledTimes(1);
      expect(error.mock.calls[0]?.[1]).toMatchObject({
        reason: 'ServiceUnavailable',
        messageId: event.messageId,
        dropped: [{ trait: 'extra', reason: 'a profile keeps at most 100 traits' }],
      });
    } finally {
      addMetric.mockRestore();
      addDimensions.mockRestore();
      error.mockRestore();
    }
  });

  it('keeps exact counters under 50 concurrent events for one customer', async () => {
    const { deps } = ingestDeps(db);
    await Promise.all(Array.from({ length: 50 }, () => ingestEvent(deps, track('u-burst', 'Item Viewed'))));
    const counter = (await deps.profiles.get('u-burst')).profile.events['Item Viewed'];
    expect(counter?.count).toBe(50);
    // No live journey counts "Item Viewed" over a window: no daily counts are kept for it.
    expect(counter?.days).toBeUndefined();
  });

  it('keeps an invalid event with the reasons instead of dropping it', async () => {
    const { deps, sqs } = ingestDeps(db);
    const result = await ingestEvent(deps, {
      type: 'track',
      event: 'X',
      timestamp: 'yesterday',
      messageId: 'bad-1',
    });
    expect(result.status).toBe('rejected');
    const body = JSON.parse(String(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody));
    expect(body.event.messageId).toBe('bad-1');
    expect(body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['timestamp', 'userId']);
  });

  it('throws on an infrastructure error so EventBridge retries', async () => {
    const { deps, sqs } = ingestDeps(db);
    sqs.on(SendMessageCommand).rejects(new Error('queue unavailable'));
    await expect(ingestEvent(deps, { type: 'track' })).rejects.toThrow('queue unavailable');
  });
});

describe('ingest: enrollment', () => {
  it('starts the live version once per trigger, with a deterministic name and split buckets', async () => {
    const { deps, sfn } = ingestDeps(db);
    const event = track('u-cart', 'Cart Updated', { total: 30, cartId: 'c1' });
    const first = await ingestEvent(deps, event);
    await ingestEvent(deps, event);
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    const name = enrollmentName({
      journeyId: 'cart',
      customerId: 'u-cart',
      triggerId: event.messageId,
      correlation: 'c1',
    });
    expect(first.status === 'recorded' && first.enrolled).toEqual([name]);
    expect(starts[0]?.stateMachineArn).toMatch(/:stateMachine:journey-cart:1$/);
    expect(starts.every((s) => s.name === name)).toBe(true);
    const input = EnrollmentInput.parse(JSON.parse(String(starts[0]?.input)));
    expect(input).toMatchObject({
      journeyId: 'cart',
      journeyVersion: '1',
      userId: 'u-cart',
      correlation: 'c1',
    });
    expect(Object.keys(input.buckets)).toEqual(['ab']);
    // a redelivery sends the same input, which Step Functions treats as the same execution
    expect(starts.map((s) => s.input)).toEqual(starts.map(() => starts[0]?.input));
  });

  it('applies the trigger filter and the once re-entry policy per correlation value', async () => {
    const { deps } = ingestDeps(db);
    const low = await ingestEvent(deps, track('u-re', 'Cart Updated', { total: 5, cartId: 'c1' }));
    const a = await ingestEvent(deps, track('u-re', 'Cart Updated', { total: 25, cartId: 'c1' }));
    const again = await ingestEvent(deps, track('u-re', 'Cart Updated', { total: 26, cartId: 'c1' }));
    const other = await ingestEvent(deps, track('u-re', 'Cart Updated', { total: 27, cartId: 'c2' }));
    const counts = [low, a, again, other].map((r) => (r.status === 'rejected' ? -1 : r.enrolled.length));
    expect(counts).toEqual([0, 1, 0, 1]);
  });

  it('keeps a once-per-value re-entry record a year, and a once-per-customer one for good', async () => {
    // arrange: one journey enters once per cart, another once per customer
    await registerJourney(db, {
      id: 'welcome-once',
      name: 'Welcome',
      trigger: { type: 'event', event: 'Signed Up' },
      reentry: { mode: 'once' },
      ...AB_SPLIT_THEN_EXIT,
    });
    const { deps } = ingestDeps(db);
    // act
    await ingestEvent(deps, track('u-ttl', 'Cart Updated', { total: 25, cartId: 'c1' }));
    await ingestEvent(deps, track('u-ttl', 'Signed Up'));
    // assert: every cart a customer ever had would otherwise stay an item for good
    const records = await db.doc.send(
      new QueryCommand({
        TableName: db.tables.enrollments,
        KeyConditionExpression: 'userId = :u AND begins_with(sk, :r)',
        ExpressionAttributeValues: { ':u': 'u-ttl', ':r': 'r#' },
      }),
    );
    const expiry = new Map((records.Items ?? []).map((item) => [item.sk, item.expiresAt]));
    const enteredAt = Date.parse('2026-11-24T10:00:00Z') / 1000;
    expect(expiry.get('r#cart#c1')).toBe(enteredAt + 366 * 24 * 3600);
    expect(expiry.has('r#welcome-once')).toBe(true);
    expect(expiry.get('r#welcome-once')).toBeUndefined();
  });

  it('stops the enrollment and counts one conversion when the goal event arrives mid-wait', async () => {
    const { deps, sfn } = ingestDeps(db);
    const trigger = track('u-goal', 'Cart Updated', { total: 40, cartId: 'c9' });
    // Other tests' customers convert in the journey too: this goal's conversions are what it adds.
    const convertedBefore = await countOf('cart', 'converted');
    await ingestEvent(deps, trigger);
    const goal = track('u-goal', 'Order Completed', { cartId: 'c9' }, '2026-11-24T09:59:50Z');
    const first = await ingestEvent(deps, goal);
    const again = await ingestEvent(deps, goal);
    const stops = sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn);
    const name = enrollmentName({
      journeyId: 'cart',
      customerId: 'u-goal',
      triggerId: trigger.messageId,
      correlation: 'c9',
    });
    expect(stops[0]).toBe(`arn:aws:states:eu-west-1:123456789012:execution:journey-cart:${name}`);
    const left = await deps.enrollments.enrollment('u-goal', name);
    expect(left).toMatchObject({ converted: true, stoppedBy: 'goal' });
    // the answer names the conversion once: the redelivery counted none
    expect(first).toMatchObject({ converted: [name] });
    expect(again).toMatchObject({ converted: [] });
    expect((await countOf('cart', 'converted')) - convertedBefore).toBe(1);
  });

  it('neither converts nor stops an enrollment for a goal event stamped before it began (a replayed order)', async () => {
    // arrange: the cart at 09:59:00; an order placed at 09:58:59 arrives after it (a late import)
    const { deps, sfn } = ingestDeps(db);
    const trigger = track('u-replay', 'Cart Updated', { total: 40, cartId: 'c7' });
    await ingestEvent(deps, trigger);
    const name = enrollmentName({
      journeyId: 'cart',
      customerId: 'u-replay',
      triggerId: trigger.messageId,
      correlation: 'c7',
    });
    const convertedBefore = await countOf('cart', 'converted');
    // act
    const replayed = await ingestEvent(
      deps,
      track('u-replay', 'Order Completed', { cartId: 'c7' }, '2026-11-24T09:58:59Z'),
    );
    const placed = await ingestEvent(
      deps,
      track('u-replay', 'Order Completed', { cartId: 'c7' }, '2026-11-24T09:59:00Z'),
    );
    // assert: only the order placed at (or after) the entry converts
    expect(replayed).toMatchObject({ finished: [], converted: [] });
    expect(placed).toMatchObject({ converted: [name] });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
    expect((await countOf('cart', 'converted')) - convertedBefore).toBe(1);
  });

  it('counts one order as one conversion, of the latest entry, when a customer is in a journey three times', async () => {
    // arrange: three entries, no correlation key to tell them apart
    let clock = new Date('2026-11-24T09:00:00Z');
    const { deps, sfn } = ingestDeps(db, () => clock);
    const at = (hhmm: string) => {
      clock = new Date(`2026-11-24T${hhmm}:05Z`);
    };
    const views = ['09:00', '09:10', '09:20'].map((at) =>
      track('u-thrice', 'Product Viewed', {}, `2026-11-24T${at}:00Z`),
    );
    for (const view of views) {
      at(view.timestamp.slice(11, 16));
      await ingestEvent(deps, view);
    }
    const order = track('u-thrice', 'Order Placed', { total: 50 }, '2026-11-24T09:30:00Z');
    // act: the order, a redelivery of it, then a second order
    at('09:30');
    await ingestEvent(deps, order);
    await ingestEvent(deps, order);
    const stopsAfterFirst = sfn.commandCalls(StopExecutionCommand).length;
    at('09:40');
    await ingestEvent(deps, track('u-thrice', 'Order Placed', { total: 20 }, '2026-11-24T09:40:00Z'));
    // assert: every entry stopped by the first order; one conversion and its value per order
    const names = views.map((v) =>
      enrollmentName({ journeyId: 'browse', customerId: 'u-thrice', triggerId: v.messageId }),
    );
    const items = await Promise.all(names.map((n) => deps.enrollments.enrollment('u-thrice', n)));
    expect(items.map((e) => ({ converted: e?.converted, stoppedBy: e?.stoppedBy }))).toEqual([
      { converted: undefined, stoppedBy: 'goal' },
      { converted: true, stoppedBy: 'goal' },
      { converted: true, stoppedBy: 'goal' },
    ]);
    expect(items[2]?.convertedBy).toBe(order.messageId);
    expect(stopsAfterFirst).toBeGreaterThanOrEqual(3);
    const converted = (await new StatsRepository(db.doc, db.tables.stats).funnel('browse')).find(
      (r) => r.metric === 'converted',
    );
    expect(converted).toMatchObject({ count: 2, sum: 70 });
  });

  it('resumes a waiting step with the matching event, once', async () => {
    // arrange: a wait-for-event step registered by await-event
    const { deps, sfn } = ingestDeps(db);
    const waiting = await awaitEvent(awaitDepsOf(db, deps), {
      v: CONTRACT_VERSION,
      journeyId: 'cart',
      journeyVersion: '1',
      enrollmentId: 'e-wait',
      userId: 'u-wait',
      stepId: 'wait-order',
      token: 'token-1',
      event: 'Order Completed',
      match: [{ path: 'event.properties.cartId', value: 'c7' }],
      timeoutSeconds: 86400,
      startedAt: '2026-11-24T09:00:00Z',
      trigger: {},
    });
    // act
    await ingestEvent(deps, track('u-wait', 'Order Completed', { cartId: 'other' }));
    const matching = track('u-wait', 'Order Completed', { cartId: 'c7' });
    await ingestEvent(deps, matching);
    await ingestEvent(deps, matching);
    // assert
    expect(waiting.status).toBe('waiting');
    const resumes = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input);
    expect(resumes).toHaveLength(1);
    expect(resumes[0]?.taskToken).toBe('token-1');
    expect(JSON.parse(String(resumes[0]?.output))).toMatchObject({ messageId: matching.messageId });
    expect(await deps.enrollments.waitersOf('u-wait', 'e-wait')).toEqual([]);
    expect((await deps.profiles.get('u-wait')).waitingFor['Order Completed'] ?? 0).toBe(0);
  });

  it('resumes at once when the awaited event arrived after the step began but before the token', async () => {
    const { deps, sfn } = ingestDeps(db);
    await ingestEvent(deps, track('u-early', 'Order Completed', { cartId: 'c3' }, '2026-11-24T09:30:00Z'));
    const result = await awaitEvent(awaitDepsOf(db, deps), {
      v: CONTRACT_VERSION,
      journeyId: 'cart',
      journeyVersion: '1',
      enrollmentId: 'e-early',
      userId: 'u-early',
      stepId: 'w',
      token: 'token-early',
      event: 'Order Completed',
      match: [{ path: 'event.properties.cartId', value: 'c3' }],
      timeoutSeconds: 3600,
      startedAt: '2026-11-24T09:29:00Z',
      trigger: {},
    });
    expect(result.status).toBe('resumed');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.taskToken).toBe('token-early');
  });

  it('resumes a step waiting for an event no journey triggers on (the profile is read only then)', async () => {
    const { deps, sfn } = ingestDeps(db);
    await awaitEvent(awaitDepsOf(db, deps), {
      v: CONTRACT_VERSION,
      journeyId: 'cart',
      journeyVersion: '1',
      enrollmentId: 'e-survey',
      userId: 'u-survey',
      stepId: 'w',
      token: 'token-survey',
      event: 'Survey Answered',
      match: [],
      timeoutSeconds: 3600,
      startedAt: '2026-11-24T09:00:00Z',
      trigger: {},
    });
    const unrelated = await ingestEvent(deps, track('u-survey', 'Page Viewed'));
    await ingestEvent(deps, track('u-survey', 'Survey Answered', { score: 9 }));
    expect(unrelated).toEqual({
      status: 'recorded',
      enrolled: [],
      resumed: [],
      finished: [],
      converted: [],
      skipped: [],
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      'token-survey',
    ]);
  });
});

describe('ingest: re-entry policies', () => {
  beforeAll(async () => {
    const base = { name: 'R', start: 'done', steps: { done: { type: 'exit' as const } } };
    await registerJourney(db, {
      ...base,
      id: 'always',
      trigger: { type: 'event', event: 'Always' },
      reentry: { mode: 'always' },
    });
    await registerJourney(db, {
      ...base,
      id: 'cooldown',
      trigger: { type: 'event', event: 'Cooldown' },
      reentry: { mode: 'after', cooldown: 'P1D' },
    });
    await registerJourney(db, {
      ...base,
      id: 'cooldown-rome',
      trigger: { type: 'event', event: 'Cooldown Rome' },
      reentry: { mode: 'after', cooldown: 'P1D' },
      settings: { defaultTimezone: 'Europe/Rome' },
    });
  });

  it.each([
    {
      event: 'Always',
      times: ['2026-11-24T10:00:00Z', '2026-11-24T10:01:00Z', '2026-11-24T10:02:00Z'],
      enrolled: [1, 1, 1],
    },
    {
      event: 'Cooldown',
      times: ['2026-11-24T10:00:00Z', '2026-11-24T20:00:00Z', '2026-11-25T10:00:01Z'],
      enrolled: [1, 0, 1],
    },
    {
      // A daily schedule or habit: the cooldown is over at its last instant, not a moment later.
      event: 'Cooldown',
      user: 'u-daily',
      times: ['2026-11-24T10:00:00Z', '2026-11-25T09:59:59.999Z', '2026-11-25T10:00:00Z'],
      enrolled: [1, 0, 1],
    },
    {
      // A daily 09:00 run in Rome across the spring change: 23 hours apart, a day on the journey's calendar.
      event: 'Cooldown Rome',
      user: 'u-spring',
      times: ['2026-03-28T08:00:00Z', '2026-03-29T06:59:59Z', '2026-03-29T07:00:00Z'],
      enrolled: [1, 0, 1],
    },
    {
      // A rate(1 day) run across the autumn change: 24 hours apart, 23 on the journey's calendar.
      event: 'Cooldown Rome',
      user: 'u-autumn',
      times: ['2026-10-24T07:00:00Z', '2026-10-25T06:59:59Z', '2026-10-25T07:00:00Z'],
      enrolled: [1, 0, 1],
    },
  ])('$event $user', async ({ event, user, times, enrolled }) => {
    const counts: number[] = [];
    for (const at of times) {
      const { deps } = ingestDeps(db, () => new Date(at));
      const result = await ingestEvent(deps, track(user ?? `u-${event}`, event, {}, at));
      counts.push(result.status === 'rejected' ? -1 : result.enrolled.length);
    }
    expect(counts).toEqual(enrolled);
  });
});

/** One journey-level counter, shards summed. */
async function countOf(journeyId: string, metric: string): Promise<number> {
  const rows = await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId);
  return (
    rows.find((r) => r.metric === metric && r.stepId === undefined && r.variant === undefined)?.count ?? 0
  );
}
