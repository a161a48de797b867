import { SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSize } from '#functions/_lib/profile-compaction.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { scanProfiles } from '#functions/segment-entry/profiles-scan.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, identify, ingestDeps, registerJourney, track } from './harness.ts';

/** Event streams as apps really send them: odd spellings, clocks that are off. */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('event-edge-cases');
  for (const id of ['signup-a', 'signup-b'])
    await registerJourney(db, {
      id,
      name: id,
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
  await registerJourney(db, {
    id: 'two-a-day',
    name: 'Two a day',
    trigger: { type: 'event', event: 'Ticket Opened', limit: { max: 2, per: 'P1D' } },
    reentry: 'always',
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
  await registerJourney(db, {
    id: 'within-hour',
    name: 'Within the hour',
    trigger: { type: 'event', event: 'Order Shipped', maxAge: 'PT1H' },
    reentry: 'always',
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
  // Waits for the next order after the one that started it: the last order is kept for a late waiter.
  await registerJourney(db, {
    id: 'repeat',
    name: 'Repeat order',
    trigger: { type: 'event', event: 'Order Completed' },
    start: 'again',
    steps: {
      again: {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
  await registerJourney(db, {
    id: 'per-cart',
    name: 'Per cart',
    trigger: { type: 'event', event: 'Cart Saved', correlationKey: 'event.properties.cartId' },
    reentry: { mode: 'once' },
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
});
afterAll(async () => db.stop());

/** A journey clock the test moves by hand. */
function clockAt(iso: string) {
  let at = new Date(iso);
  return {
    now: () => at,
    set: (next: string) => {
      at = new Date(next);
    },
  };
}

describe('ingest: consent as apps spell it', () => {
  it('applies an email opt-out even when a topic next to it is spelled "false"', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(
      deps,
      identify('u-consent-mixed', {
        email: 'ada@example.com',
        consent: { email: false, topics: { news: 'false', deals: 'TRUE' } },
      }),
    );
    const { consent } = (await deps.profiles.get('u-consent-mixed')).profile;
    expect(consent.email).toEqual({ status: 'unsubscribed', topics: { news: false, deals: true } });
  });

  it('reads unsubscribed: "true" as an email opt-out and reports a value it cannot read', async () => {
    const { deps, sqs } = ingestDeps(db);
    await ingestEvent(deps, identify('u-unsub-string', { email: 'ada@example.com', unsubscribed: 'true' }));
    await ingestEvent(deps, identify('u-consent-odd', { consent: { sms: 'perhaps' } }));
    expect((await deps.profiles.get('u-unsub-string')).profile.consent.email?.status).toBe('unsubscribed');
    const kept = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(String(c.args[0].input.MessageBody)));
    expect(kept.flatMap((k) => k.problems.map((p: { field: string }) => p.field))).toEqual([
      'traits.consent',
    ]);
    expect(kept[0].event.traits).toEqual({ consent: { sms: 'perhaps' } });
  });

  it('applies an opt-out that arrives after a newer, unrelated identify', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(
      deps,
      identify('u-late-optout', { consent: { email: true, topics: { news: true } } }, '2026-11-24T08:00:00Z'),
    );
    await ingestEvent(deps, identify('u-late-optout', { plan: 'pro' }, '2026-11-24T09:30:00Z'));
    // Sent at 09:00 from a phone that was offline: after the opt-in, before the plan change.
    await ingestEvent(
      deps,
      identify(
        'u-late-optout',
        { consent: { email: false, topics: { news: false } } },
        '2026-11-24T09:00:00Z',
      ),
    );
    const { consent } = (await deps.profiles.get('u-late-optout')).profile;
    expect(consent.email).toEqual({ status: 'unsubscribed', topics: { news: false } });
  });

  it('reads back a topic whose name holds a colon', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(
      deps,
      identify('u-topic-colon', { consent: { topics: { 'news:weekly': false, 'a:b:c': true } } }),
    );
    const { consent } = (await deps.profiles.get('u-topic-colon')).profile;
    expect(consent.email?.topics).toEqual({ 'news:weekly': false, 'a:b:c': true });
  });
});

describe('ingest: the rejected queue holds what it is given', () => {
  const SQS_MAX_BYTES = 256 * 1024;
  const bodies = (sqs: ReturnType<typeof ingestDeps>['sqs']) =>
    sqs.commandCalls(SendMessageCommand).map((c) => String(c.args[0].input.MessageBody));

  it('an identify of 1,900 traits near the event size limit: 100 apply, the rest are reported in one message SQS takes', async () => {
    const { deps, sqs } = ingestDeps(db);
    const traits = Object.fromEntries(
      Array.from({ length: 1900 }, (_, i) => [`trait ${i}`, 'v'.repeat(110)]),
    );
    const result = await ingestEvent(deps, identify('u-1900-traits', traits));
    expect(result.status).toBe('recorded');
    const [body, ...others] = bodies(sqs);
    expect(others).toEqual([]);
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(SQS_MAX_BYTES);
    expect(JSON.parse(body ?? '{}')).toMatchObject({
      partial: 'the rest of the event was applied',
      moreProblems: 1750,
      event: { type: 'identify', userId: 'u-1900-traits' },
    });
    expect(Object.keys((await deps.profiles.get('u-1900-traits')).profile.traits)).toHaveLength(100);
  });

  it('a rejected event near the size limit is kept with its reasons and identity', async () => {
    const { deps, sqs } = ingestDeps(db);
    const properties = Object.fromEntries(Array.from({ length: 1900 }, (_, i) => [`p${i}`, 1e200 + i]));
    const result = await ingestEvent(deps, {
      ...track('u-big-rejected', 'E', properties),
      filler: 'x'.repeat(200_000),
    });
    expect(result.status).toBe('rejected');
    const [body] = bodies(sqs);
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(SQS_MAX_BYTES);
    expect(JSON.parse(body ?? '{}').event).toMatchObject({ userId: 'u-big-rejected', event: 'E' });
  });
});

describe('ingest: one odd trait leaves only itself out', () => {
  it('applies the email and opt-out of an identify whose other traits have a too-long name, an empty key or deep nesting', async () => {
    const { deps, sqs } = ingestDeps(db);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { level: deep };
    const result = await ingestEvent(
      deps,
      identify('u-odd-trait', {
        email: 'ada@example.com',
        consent: { email: false },
        ['n'.repeat(300)]: 1,
        address: { '': 'x' },
        deep,
        plan: 'pro',
      }),
    );
    expect(result.status).toBe('recorded');
    const { profile } = await deps.profiles.get('u-odd-trait');
    expect(profile).toMatchObject({
      email: 'ada@example.com',
      consent: { email: { status: 'unsubscribed' } },
    });
    expect(Object.keys(profile.traits).sort()).toEqual(['consent', 'email', 'plan']);
    const kept = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(String(c.args[0].input.MessageBody)));
    expect(kept.flatMap((k) => k.problems.map((p: { field: string }) => p.field)).sort()).toEqual(
      ['traits.address', 'traits.deep', `traits.${'n'.repeat(300)}`].sort(),
    );
  });

  it('applies the email, phone and opt-in of an identify whose time zone or locale trait is not one, keeping the previous zone', async () => {
    const { deps, sqs } = ingestDeps(db);
    await ingestEvent(
      deps,
      identify('u-bad-zone', { timezone: 'Europe/Rome', locale: 'it-IT' }, '2026-11-24T09:00:00Z'),
    );
    const result = await ingestEvent(
      deps,
      identify('u-bad-zone', {
        email: 'ada@example.com',
        phone: '+14155550100',
        consent: { email: 'subscribed' },
        timezone: 'GMT+0530',
        locale: 'english',
      }),
    );
    expect(result.status).toBe('recorded');
    const { profile } = await deps.profiles.get('u-bad-zone');
    expect(profile).toMatchObject({
      email: 'ada@example.com',
      phone: '+14155550100',
      consent: { email: { status: 'subscribed' } },
      timezone: 'Europe/Rome',
      locale: 'it-IT',
      traits: { timezone: 'Europe/Rome', locale: 'it-IT' },
    });
    const [kept, ...others] = sqs
      .commandCalls(SendMessageCommand)
      .map((c) => JSON.parse(String(c.args[0].input.MessageBody)));
    expect(others).toEqual([]);
    expect(kept).toMatchObject({
      partial: 'the rest of the event was applied',
      problems: [
        {
          field: 'traits.timezone',
          message: 'must be an IANA time zone such as Europe/Rome or America/New_York',
        },
        { field: 'traits.locale', message: 'must be a locale such as en-US or it' },
      ],
      event: { userId: 'u-bad-zone', traits: { timezone: 'GMT+0530', locale: 'english' } },
    });
  });

  it('keeps the previous address when an identify sets it to one that is not an address', async () => {
    const { deps, sqs } = ingestDeps(db);
    await ingestEvent(
      deps,
      identify('u-bad-email', { email: 'ada@example.com', phone: '+14155550100' }, '2026-11-24T09:00:00Z'),
    );
    const result = await ingestEvent(
      deps,
      identify('u-bad-email', { email: 'ada at example', phone: 'call me', plan: 'pro' }),
    );
    expect(result.status).toBe('recorded');
    const { profile } = await deps.profiles.get('u-bad-email');
    expect(profile).toMatchObject({
      email: 'ada@example.com',
      phone: '+14155550100',
      traits: { email: 'ada@example.com', phone: '+14155550100', plan: 'pro' },
    });
    const fields = sqs
      .commandCalls(SendMessageCommand)
      .flatMap((c) =>
        JSON.parse(String(c.args[0].input.MessageBody)).problems.map((p: { field: string }) => p.field),
      );
    expect(fields).toEqual(['traits.email', 'traits.phone']);
  });

  it('still rejects a __proto__ key inside a trait, which JavaScript cannot hold as data', async () => {
    const { deps } = ingestDeps(db);
    const traits = JSON.parse('{"address": {"__proto__": {"city": "Rome"}}, "email": "ada@example.com"}');
    const result = await ingestEvent(deps, identify('u-proto-trait', traits));
    expect(result).toMatchObject({ status: 'rejected', problems: [{ field: 'traits.address.__proto__' }] });
  });
});

describe('ingest: traits set to null', () => {
  it('removes the address an identify sets to null, unless a newer event set it', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(
      deps,
      identify('u-null', { email: 'old@example.com', phone: '+14155550100' }, '2026-11-24T09:00:00Z'),
    );
    await ingestEvent(deps, identify('u-null', { email: null, plan: null }, '2026-11-24T09:10:00Z'));
    // An older identify clearing the phone comes late: the newer phone stays.
    await ingestEvent(deps, identify('u-null', { phone: null }, '2026-11-24T08:00:00Z'));
    const { profile } = await deps.profiles.get('u-null');
    expect(profile.email).toBeUndefined();
    expect(profile.phone).toBe('+14155550100');
    expect(profile.traits).toMatchObject({ email: null, plan: null, phone: '+14155550100' });
  });
});

describe('ingest: event times from clocks that are off', () => {
  it('an event stamped in the future (years or minutes ahead) does not freeze later traits or last seen', async () => {
    for (const ahead of ['2031-06-01T00:00:00Z', '2026-11-24T10:05:00Z']) {
      const userId = `u-future-${ahead}`;
      const clock = clockAt('2026-11-24T10:00:00Z');
      const { deps } = ingestDeps(db, clock.now);
      await ingestEvent(deps, identify(userId, { plan: 'trial' }, ahead));
      await ingestEvent(deps, track(userId, 'Page Viewed', {}, ahead));
      clock.set('2026-11-24T10:01:00Z');
      await ingestEvent(deps, identify(userId, { plan: 'pro' }, '2026-11-24T10:00:30Z'));
      await ingestEvent(deps, track(userId, 'Page Viewed', {}, '2026-11-24T10:00:30Z'));
      const { profile } = await deps.profiles.get(userId);
      expect(profile.traits.plan).toBe('pro');
      expect(profile.events['Page Viewed']).toMatchObject({
        count: 2,
        first: '2026-11-24T10:00:00.000Z',
        last: '2026-11-24T10:00:30.000Z',
      });
    }
  });

  it('a late event moves first seen back but not last seen, and an older identify does not overwrite newer traits', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, track('u-late', 'Opened', {}, '2026-11-24T09:30:00+01:00'));
    await ingestEvent(deps, track('u-late', 'Opened', {}, '2026-11-24T08:00:00Z'));
    await ingestEvent(deps, identify('u-late', { plan: 'pro' }, '2026-11-24T09:00:00Z'));
    await ingestEvent(deps, identify('u-late', { plan: 'free', city: 'Rome' }, '2026-11-24T04:00:00-04:00'));
    const { profile } = await deps.profiles.get('u-late');
    expect(profile.events.Opened).toMatchObject({
      count: 2,
      first: '2026-11-24T08:00:00.000Z',
      last: '2026-11-24T08:30:00.000Z',
    });
    expect(profile.traits).toEqual({ plan: 'pro', city: 'Rome' });
  });
});

describe('ingest: ids and correlation values as long as events carry them', () => {
  it("refuses a userId that would share an anonymous visitor's profile", async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, { ...track('ignored', 'Seen'), userId: undefined, anonymousId: 'dev-7' });
    const result = await ingestEvent(deps, track('anon:dev-7', 'Purchased'));
    expect(result).toMatchObject({ status: 'rejected', problems: [{ field: 'userId' }] });
    expect(Object.keys((await deps.profiles.get('anon:dev-7')).profile.events)).toEqual(['Seen']);
  });

  it('enrolls per correlation value even when the value is longer than a sort key holds', async () => {
    const { deps } = ingestDeps(db);
    const cartA = `cart-a-${'x'.repeat(2000)}`;
    const cartB = `cart-b-${'x'.repeat(2000)}`;
    const first = await ingestEvent(deps, track('u-long-cart', 'Cart Saved', { cartId: cartA }));
    const again = await ingestEvent(deps, track('u-long-cart', 'Cart Saved', { cartId: cartA }));
    const other = await ingestEvent(deps, track('u-long-cart', 'Cart Saved', { cartId: cartB }));
    expect([first, again, other].map((r) => (r.status === 'rejected' ? -1 : r.enrolled.length))).toEqual([
      1, 0, 1,
    ]);
  });
});

describe('ingest: what devices and topics add stays bounded', () => {
  async function storedItem(userId: string) {
    const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
    return out.Item ?? {};
  }

  it('keeps the ten most recently registered push tokens of an app that registers one per launch', async () => {
    const { deps } = ingestDeps(db);
    const at = (i: number) => new Date(Date.parse('2026-11-24T08:00:00Z') + i * 1000).toISOString();
    const token = (i: number) => `${'f'.repeat(150)}-${i}`;
    for (let i = 0; i < 60; i++)
      await ingestEvent(deps, {
        ...track('u-launches', 'App Opened', {}, at(i)),
        context: { device: { token: token(i), type: 'android' } },
      });
    // The first device comes back: registered again, it is recent again.
    await ingestEvent(deps, {
      ...track('u-launches', 'App Opened', {}, at(61)),
      context: { device: { token: token(0), type: 'android' } },
    });
    const { profile } = await deps.profiles.get('u-launches');
    expect((profile.pushTokens ?? []).map((t) => t.token).sort()).toEqual(
      [0, 52, 53, 54, 55, 56, 57, 58, 59, 51].map(token).sort(),
    );
    expect(itemSize(await storedItem('u-launches'))).toBeLessThan(3000);
  });

  it('takes the time zone of a context whose device has no token yet', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, {
      ...track('u-device-no-token', 'App Opened'),
      context: {
        timezone: 'Asia/Tokyo',
        locale: 'ja-JP',
        device: { id: 'd-1', model: 'Pixel', type: 'android' },
      },
    });
    expect((await deps.profiles.get('u-device-no-token')).profile).toMatchObject({
      timezone: 'Asia/Tokyo',
      locale: 'ja-JP',
    });
  });

  it('keeps every topic opt-out while explicit opt-ins past fifty topics are dropped', async () => {
    const { deps } = ingestDeps(db);
    const at = (i: number) => new Date(Date.parse('2026-11-24T08:00:00Z') + i * 1000).toISOString();
    for (let i = 0; i < 20; i++) {
      const topics = Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`topic-${i}-${j}`, j !== 0]));
      await ingestEvent(deps, identify('u-topics', { consent: { topics } }, at(i)));
    }
    const topics = (await deps.profiles.get('u-topics')).profile.consent.email?.topics ?? {};
    const optOuts = Object.keys(topics).filter((t) => topics[t] === false);
    expect(optOuts.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `topic-${i}-0`).sort());
    expect(Object.keys(topics).length).toBeLessThanOrEqual(50);
  });
});

describe('ingest: an event that triggers several journeys, retried by EventBridge', () => {
  it('counts each entry once when a start failed and the redelivery starts it', async () => {
    const { deps, sfn } = ingestDeps(db);
    const event = track('u-two-journeys', 'Signed Up');
    // Other tests' customers sign up too: this event's entries are what it adds.
    const stats = new StatsRepository(db.doc, db.tables.stats);
    const journeys = ['signup-a', 'signup-b'];
    const entered = async (journeyId: string) =>
      (await stats.funnel(journeyId)).find((r) => r.metric === 'enrolled')?.count ?? 0;
    const before = await Promise.all(journeys.map(entered));
    // The second start is throttled: the handler fails and EventBridge redelivers the event.
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({})
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({});
    await expect(ingestEvent(deps, event)).rejects.toThrow('Rate exceeded');
    const retry = await ingestEvent(deps, event);
    expect(retry.status).toBe('duplicate');
    for (const [i, journeyId] of journeys.entries())
      expect([journeyId, (await entered(journeyId)) - (before[i] ?? 0)]).toEqual([journeyId, 1]);
  });
  it('a redelivered trigger stamped ahead of its arrival finds the enrollment its first delivery started', async () => {
    // Step Functions answers a repeated start with the same name and input as the first,
    // and refuses one whose input differs (ExecutionAlreadyExists) even while it runs.
    const clock = clockAt('2026-11-24T10:00:00Z');
    const { deps, sfn } = ingestDeps(db, clock.now);
    const started = new Map<string, string | undefined>();
    let lost = true;
    sfn.on(StartExecutionCommand).callsFake((input: { name: string; input?: string }) => {
      if (started.has(input.name) && started.get(input.name) !== input.input)
        throw Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
      started.set(input.name, input.input);
      // The first start went through, but its answer was lost: the handler fails and is invoked again.
      if (lost) {
        lost = false;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }
      return {};
    });
    const stats = new StatsRepository(db.doc, db.tables.stats);
    const entered = async () =>
      (await stats.funnel('signup-a')).find((r) => r.metric === 'enrolled')?.count ?? 0;
    const before = await entered();
    // A device clock ten minutes ahead; the retry comes two minutes later.
    const event = track('u-clock-ahead', 'Signed Up', {}, '2026-11-24T10:10:00Z');
    await expect(ingestEvent(deps, event)).rejects.toThrow('socket hang up');
    clock.set('2026-11-24T10:02:00Z');
    const retry = await ingestEvent(deps, event);
    expect(retry.status).toBe('duplicate');
    expect(retry.status !== 'rejected' && retry.enrolled).toHaveLength(2);
    expect((await entered()) - before).toBe(1);
  });
});

describe('waitForEvent: the awaited event and the trigger', () => {
  const waitFor = (userId: string, trigger: unknown, startedAt: string, enrollmentId: string) => ({
    v: CONTRACT_VERSION,
    journeyId: 'repeat',
    journeyVersion: '1',
    enrollmentId,
    userId,
    stepId: 'again',
    token: `token-${enrollmentId}`,
    event: 'Order Completed',
    match: [],
    timeoutSeconds: 3600,
    startedAt,
    trigger,
  });

  it('a step waiting for the trigger event name is not resumed by its own trigger in the same millisecond', async () => {
    const { deps } = ingestDeps(db);
    const trigger = track('u-repeat', 'Order Completed', {}, '2026-11-24T10:00:00Z');
    await ingestEvent(deps, trigger);
    const own = await awaitEvent(
      awaitDepsOf(db, deps),
      waitFor('u-repeat', trigger, '2026-11-24T10:00:00.000Z', 'e-own'),
    );
    expect(own.status).toBe('waiting');
    // Another enrollment's step that began at that millisecond does see it.
    const other = await awaitEvent(
      awaitDepsOf(db, deps),
      waitFor('u-repeat', track('u-repeat', 'Follow-up Requested'), '2026-11-24T10:00:00.000Z', 'e-other'),
    );
    expect(other.status).toBe('resumed');
  });

  it("an event that loses to the step's timeout (same millisecond) is not counted as received", async () => {
    // The event arrives exactly when the hour-long wait ends, and Step Functions took the timeout path.
    const { deps, sfn } = ingestDeps(db, () => new Date('2026-11-24T10:00:00.000Z'));
    await awaitEvent(awaitDepsOf(db, deps), {
      ...waitFor('u-photo-finish', {}, '2026-11-24T09:00:00.000Z', 'e-photo-finish'),
      event: 'Survey Answered',
      timeoutSeconds: 3600,
    });
    // Steps of this journey resumed by the tests above were counted received.
    const received = async () =>
      (await new StatsRepository(db.doc, db.tables.stats).funnel('repeat')).find(
        (r) => r.metric === 'eventReceived',
      )?.count ?? 0;
    const before = await received();
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('timed out'), { name: 'TaskTimedOut' }));
    await ingestEvent(deps, track('u-photo-finish', 'Survey Answered', {}, '2026-11-24T10:00:00.000Z'));
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(await deps.enrollments.waitersFor('u-photo-finish', 'Survey Answered')).toEqual([]);
    expect((await received()) - before).toBe(0);
  });

  it('one event both starts journeys and answers a step waiting in another enrollment', async () => {
    const { deps } = ingestDeps(db);
    const waiting = await awaitEvent(awaitDepsOf(db, deps), {
      ...waitFor('u-both', track('u-both', 'Order Completed'), '2026-11-24T09:00:00.000Z', 'e-waits-signup'),
      event: 'Signed Up',
    });
    const result = await ingestEvent(deps, track('u-both', 'Signed Up', {}, '2026-11-24T09:30:00Z'));
    expect(waiting.status).toBe('waiting');
    expect(result).toMatchObject({ status: 'recorded', resumed: ['e-waits-signup'] });
    expect(result.status === 'rejected' ? [] : result.enrolled).toHaveLength(2);
  });
});

describe('entry limits at their boundaries', () => {
  const enrolled = (r: Awaited<ReturnType<typeof ingestEvent>>) =>
    r.status === 'rejected' ? -1 : r.enrolled.length;

  it('trigger.limit across a leap day: the window is 24 hours back, an entry exactly at its start has left it (as a send leaves a cap)', async () => {
    const clock = clockAt('2028-02-29T10:00:00Z');
    const { deps } = ingestDeps(db, clock.now);
    const open = async (iso: string) => {
      clock.set(iso);
      return enrolled(await ingestEvent(deps, track('u-leap', 'Ticket Opened', {}, iso)));
    };
    const results = [
      await open('2028-02-29T10:00:00.000Z'),
      await open('2028-02-29T12:00:00.000Z'),
      await open('2028-02-29T23:59:59.999Z'),
      await open('2028-03-01T10:00:00.000Z'),
      await open('2028-03-01T10:00:00.001Z'),
    ];
    // A day after the first entry there is room again; a moment later the 12:00 entry and this one fill it.
    expect(results).toEqual([1, 1, 0, 1, 0]);
  });

  it('trigger.maxAge: exactly maxAge old enters, a millisecond older does not, a future stamp enters at arrival', async () => {
    const { deps } = ingestDeps(db, () => new Date('2026-11-24T10:00:00Z'));
    const ship = (iso: string) => ingestEvent(deps, track('u-shipped', 'Order Shipped', {}, iso));
    const results = [
      enrolled(await ship('2026-11-24T09:00:00.000Z')),
      enrolled(await ship('2026-11-24T08:59:59.999Z')),
      enrolled(await ship('2031-01-01T00:00:00.000Z')),
    ];
    expect(results).toEqual([1, 0, 1]);
  });
});

describe('ingest: a trigger redelivered after its enrollment ended', () => {
  it('does not bring back the ended enrollment (a later goal or exit would act on it)', async () => {
    const { deps, sfn } = ingestDeps(db);
    const trigger = track('u-ended', 'Signed Up');
    const first = await ingestEvent(deps, trigger);
    const [enrollmentId] = first.status === 'rejected' ? [] : first.enrolled;
    if (enrollmentId === undefined) throw new Error('not enrolled');
    // The journey exits at once; the execution-status handler ends and removes the enrollment.
    const ended = await deps.enrollments.endCounted('u-ended', enrollmentId, '2026-11-24T10:00:01Z');
    if (ended !== undefined) await deps.enrollments.settleEnd('u-ended', ended.enrollment);
    // EventBridge redelivers the trigger (its first delivery failed later, on something else).
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    await ingestEvent(deps, trigger);
    expect(await deps.enrollments.enrollment('u-ended', enrollmentId)).toBeUndefined();
  });
});

describe('segment runs and merged visitors', () => {
  it('a segment scan sees the merged customer once, not also under the anonymous id that joined them', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, { ...track('ignored', 'Viewed'), userId: undefined, anonymousId: 'dev-merge' });
    await ingestEvent(deps, {
      ...identify('u-merged', { email: 'ada@example.com' }),
      anonymousId: 'dev-merge',
    });
    const seen: string[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await scanProfiles(db.doc, db.tables.profiles, {
        segment: 0,
        totalSegments: 1,
        cursor,
        limit: 100,
      });
      seen.push(...page.profiles.map((p) => p.profile.userId));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(seen).toContain('u-merged');
    expect(seen).not.toContain('anon:dev-merge');
  });
});
