import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { logger } from '#functions/_lib/observability.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { signUnsubscribe } from '#functions/_lib/unsubscribe-links.ts';
import { applyFeedback, type FeedbackDeps } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { handleUnsubscribe, type UnsubscribeDeps } from '#functions/unsubscribe/unsubscribe.ts';
import type { Channel } from '#shared/channels.ts';
import { consentBlock } from '#shared/delivery/policy.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * Consent reaches a profile from events, the unsubscribe page and delivery
 * feedback, each in its own order: an opt-in stamped before an opt-out (a
 * warehouse sync, a redelivered identify arriving late) never undoes it,
 * whichever arrives first; an opt-in stamped after it does.
 */

const KEY = 'consent-order-test-key-of-at-least-32-chars';
/** When every opt-out below happens (the page's and feedback's clock, an event's stamp). */
const OPTED_OUT_AT = new Date('2026-11-24T10:00:00Z');
/** The stamp of an opt-in sent before the opt-out that arrives after it. */
const BEFORE = '2026-11-24T09:30:00Z';
/** The stamp of an opt-in made after the opt-out. */
const AFTER = '2026-11-24T10:03:00Z';
/** When ingest takes the events (every stamp above is before it). */
const INGESTED_AT = new Date('2026-11-24T10:05:00Z');
const TOPIC = 'news';

let db: LocalDynamo;
let page: UnsubscribeDeps & { clock: Date };
let feedback: FeedbackDeps;
beforeAll(async () => {
  db = await startDynalite('consent-order');
  const profiles = new ProfilesRepository(db.doc, db.tables.profiles);
  const keys = { keys: async () => [KEY], reload: async () => undefined };
  page = { profiles, keys, clock: OPTED_OUT_AT, now: () => page.clock };
  feedback = {
    deliveries: new DeliveriesRepository(db.doc, db.tables.deliveries),
    profiles,
    stats: new StatsRepository(db.doc, db.tables.stats),
    now: () => OPTED_OUT_AT,
  };
});
afterAll(async () => db.stop());

const ingest = (event: unknown) => ingestEvent(ingestDeps(db, () => INGESTED_AT).deps, event);

/** A customer known since 09:00 with an address on every channel. */
async function customer(userId: string) {
  await ingest(
    identify(userId, { email: `${userId}@example.com`, phone: '+61412345678' }, '2026-11-24T09:00:00Z'),
  );
}

async function post(claim: { u: string; c: Channel; t?: string }, body: string) {
  const issued = { ...claim, i: Math.floor(page.clock.getTime() / 1000) };
  return handleUnsubscribe(page, {
    method: 'POST',
    query: new URLSearchParams({ t: signUnsubscribe(KEY, issued) }),
    body,
  });
}

async function sent(userId: string, messageId: string, channel: Channel) {
  await feedback.deliveries.linkMessage(
    messageId,
    `e-${userId}#${channel}-1`,
    { userId, journeyId: 'order', version: '1', stepId: `${channel}-1`, channel },
    OPTED_OUT_AT,
  );
}

/** Why a marketing message of the topic on the channel would not go now (undefined: it would). */
async function block(userId: string, channel: Channel, topic?: string) {
  const { profile } = await page.profiles.get(userId);
  return consentBlock(profile, channel, { topic, transactional: false });
}

type Source = {
  name: string;
  channel: Channel;
  topic?: string;
  optOut: (userId: string) => Promise<unknown>;
  /** How the customer opts in again (absent: nothing they send lifts it, as for a complaint). */
  optIn?: (userId: string) => Promise<unknown>;
};

const channelOn = (channel: Channel) => (u: string) => post({ u, c: channel }, 'action=channel-on');

const SOURCES: Source[] = [
  {
    name: 'one-click on a channel link',
    channel: 'email',
    optOut: (u) => post({ u, c: 'email' }, 'List-Unsubscribe=One-Click'),
    optIn: channelOn('email'),
  },
  {
    name: 'the page button of a channel',
    channel: 'sms',
    optOut: (u) => post({ u, c: 'sms' }, 'action=channel-off'),
    optIn: channelOn('sms'),
  },
  {
    name: 'one-click on a topic link',
    channel: 'email',
    topic: TOPIC,
    optOut: (u) => post({ u, c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click'),
    optIn: (u) => post({ u, c: 'email', t: TOPIC }, 'action=topic-on'),
  },
  {
    name: 'an SES complaint',
    channel: 'email',
    optOut: async (u) => {
      await sent(u, `ses-${u}`, 'email');
      await applyFeedback(feedback, {
        eventType: 'Complaint',
        mail: { messageId: `ses-${u}` },
        complaint: {},
      });
    },
  },
  {
    name: 'an SMS STOP reply',
    channel: 'sms',
    optOut: async (u) => {
      await sent(u, `sms-${u}`, 'sms');
      await applyFeedback(feedback, {
        event_type: '_SMS.FAILURE',
        attributes: { message_id: `sms-${u}`, record_status: 'OPTED_OUT' },
      });
    },
    optIn: channelOn('sms'),
  },
  {
    name: 'an identify with consent.email false',
    channel: 'email',
    optOut: (u) => ingest(identify(u, { consent: { email: false } }, OPTED_OUT_AT.toISOString())),
    optIn: channelOn('email'),
  },
  {
    name: 'an identify with a topic false',
    channel: 'email',
    topic: TOPIC,
    optOut: (u) =>
      ingest(identify(u, { consent: { topics: { [TOPIC]: false } } }, OPTED_OUT_AT.toISOString())),
    optIn: (u) => post({ u, c: 'email', t: TOPIC }, 'action=topic-on'),
  },
  {
    name: 'an identify with unsubscribed true',
    channel: 'email',
    optOut: (u) => ingest(identify(u, { unsubscribed: true }, OPTED_OUT_AT.toISOString())),
    optIn: channelOn('email'),
  },
];

/** Every way an event opts back in: the channel, the topic, and `unsubscribed: false`. */
function optInEvent(userId: string, timestamp: string) {
  return identify(
    userId,
    { consent: { email: true, sms: true, push: true, topics: { [TOPIC]: true } }, unsubscribed: false },
    timestamp,
  );
}

function userOf(source: Source, suffix: string) {
  return `co-${source.name.replaceAll(' ', '-')}-${suffix}`;
}

describe('consent changes apply in the order they happened', () => {
  it.each(SOURCES)(
    'an opt-in stamped before $name, arriving after it, leaves the customer opted out',
    async (source) => {
      // arrange: a customer who opted out at 10:00
      const userId = userOf(source, 'late');
      await customer(userId);
      page.clock = OPTED_OUT_AT;
      await source.optOut(userId);
      const refused = await block(userId, source.channel, source.topic);
      expect(refused).toBeDefined();
      // act: an identify sent at 09:30 (a warehouse sync, a retry) arrives now
      await ingest(optInEvent(userId, BEFORE));
      // assert: the next send is still refused, for the same reason
      expect(await block(userId, source.channel, source.topic)).toBe(refused);
    },
  );

  it.each(SOURCES.filter((s) => s.optIn !== undefined))(
    'an identify stamped after $name opts the customer in again',
    async (source) => {
      // arrange
      const userId = userOf(source, 'newer');
      await customer(userId);
      page.clock = OPTED_OUT_AT;
      await source.optOut(userId);
      // act: the customer opts in again in the app at 10:03
      await ingest(optInEvent(userId, AFTER));
      // assert
      expect(await block(userId, source.channel, source.topic)).toBeUndefined();
    },
  );

  it.each(SOURCES.filter((s) => s.optIn !== undefined))(
    "the page's resubscribe button after $name opts the customer in again",
    async (source) => {
      // arrange
      const userId = userOf(source, 'page');
      await customer(userId);
      page.clock = OPTED_OUT_AT;
      await source.optOut(userId);
      // act: five minutes later, the customer changes their mind on the page
      page.clock = INGESTED_AT;
      await source.optIn?.(userId);
      // assert
      expect(await block(userId, source.channel, source.topic)).toBeUndefined();
    },
  );

  it('an opt-in refused as older than the opt-out is said, with the channel, the topic and both times', async () => {
    // arrange: opted out of email and of its news at 10:00
    const userId = 'co-said';
    await customer(userId);
    await ingest(
      identify(userId, { consent: { email: false, topics: { [TOPIC]: false } } }, OPTED_OUT_AT.toISOString()),
    );
    const info = vi.spyOn(logger, 'info');
    // act: an opt-in to both sent at 09:30 arrives
    const answer = await ingest(
      identify(userId, { consent: { email: true, topics: { [TOPIC]: true } } }, BEFORE),
    );
    // assert
    const said = info.mock.calls.filter(
      ([message]) => message === 'opt-in older than the opt-out: not applied',
    );
    info.mockRestore();
    const refused = [
      {
        userId,
        channel: 'email',
        optInAt: new Date(BEFORE).toISOString(),
        optedOutAt: OPTED_OUT_AT.toISOString(),
      },
      {
        userId,
        channel: 'email',
        topic: TOPIC,
        optInAt: new Date(BEFORE).toISOString(),
        optedOutAt: OPTED_OUT_AT.toISOString(),
      },
    ];
    expect(answer).toMatchObject({ status: 'recorded', refusedOptIns: refused });
    expect(said.map(([, fields]) => fields)).toEqual(refused);
  });

  it('an opt-out applies whatever its time, and a late opt-out does not let an older opt-in through', async () => {
    // arrange: opted out at 10:00 on the page
    const userId = 'co-late-out';
    await customer(userId);
    page.clock = OPTED_OUT_AT;
    await post({ u: userId, c: 'email' }, 'List-Unsubscribe=One-Click');
    await post({ u: userId, c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click');
    // act: an opt-out sent at 09:00 arrives, then an opt-in sent at 09:30
    await ingest(
      identify(userId, { consent: { email: false, topics: { [TOPIC]: false } } }, '2026-11-24T09:00:00Z'),
    );
    await ingest(optInEvent(userId, BEFORE));
    // assert: what the 10:00 opt-outs said still holds
    expect(await block(userId, 'email')).toBe('unsubscribed from email');
    await ingest(identify(userId, { consent: { email: true } }, AFTER));
    expect(await block(userId, 'email', TOPIC)).toBe(`unsubscribed from topic ${TOPIC}`);
  });

  it('an opt-out wins a tie: an opt-in of the same moment is not applied, and the page says so', async () => {
    // arrange: an identify opting out at 10:00
    const userId = 'co-tie';
    await customer(userId);
    await ingest(identify(userId, { consent: { email: false } }, OPTED_OUT_AT.toISOString()));
    // act: the page's resubscribe on a clock that reads the same millisecond
    page.clock = OPTED_OUT_AT;
    const out = await post({ u: userId, c: 'email' }, 'action=channel-on');
    // assert
    expect(out.body).toContain('changed at the same moment');
    expect(await block(userId, 'email')).toBe('unsubscribed from email');
  });

  it('opts in from the page over a topic an event opted in to, and out again from its link', async () => {
    // arrange: a topic opted in to by an identify (a value of another type than an opt-out's time)
    const userId = 'co-topic-true';
    await customer(userId);
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: true } } }, BEFORE));
    page.clock = OPTED_OUT_AT;
    // act
    const on = await post({ u: userId, c: 'email', t: TOPIC }, 'action=topic-on');
    await post({ u: userId, c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click');
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: true } } }, BEFORE));
    // assert
    expect(on.body).toContain(`subscribed to ${TOPIC} again`);
    expect(await block(userId, 'email', TOPIC)).toBe(`unsubscribed from topic ${TOPIC}`);
  });

  it('refuses an opt-in to a topic stamped before another topic of the channel was opted out', async () => {
    // arrange: news opted out by an event stamped 09:00 that arrives late, deals by its link at 10:00
    const userId = 'co-topics-one-time';
    await customer(userId);
    page.clock = OPTED_OUT_AT;
    await post({ u: userId, c: 'email', t: 'deals' }, 'List-Unsubscribe=One-Click');
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: false } } }, '2026-11-24T09:00:00Z'));
    // act + assert: the channel keeps one topic time, so an opt-in to news of 09:30 stays out
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: true } } }, BEFORE));
    expect(await block(userId, 'email', TOPIC)).toBe(`unsubscribed from topic ${TOPIC}`);
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: true } } }, AFTER));
    expect(await block(userId, 'email', TOPIC)).toBeUndefined();
    expect(await block(userId, 'email', 'deals')).toBe('unsubscribed from topic deals');
  });

  it("applies the page's opt-in to a topic not opted out, whatever the channel's topic time", async () => {
    // arrange: deals opted out at 10:05 by its link
    const userId = 'co-topic-not-out';
    await customer(userId);
    page.clock = INGESTED_AT;
    await post({ u: userId, c: 'email', t: 'deals' }, 'List-Unsubscribe=One-Click');
    // act: a resubscribe to news, never opted out of, on a page whose clock reads 10:00
    page.clock = OPTED_OUT_AT;
    const on = await post({ u: userId, c: 'email', t: TOPIC }, 'action=topic-on');
    // assert: nothing to undo, so nothing refused
    expect(on.body).toContain(`subscribed to ${TOPIC} again`);
    expect(await block(userId, 'email', TOPIC)).toBeUndefined();
    expect(await block(userId, 'email', 'deals')).toBe('unsubscribed from topic deals');
  });

  it('an opt-in stamped before an opt-out never undoes it, however the two writes interleave', async () => {
    // arrange: customers each opting out on the page while an older opt-in is being applied
    const users = Array.from({ length: 6 }, (_, i) => `co-race-${i}`);
    for (const userId of users) await customer(userId);
    page.clock = OPTED_OUT_AT;
    // act: both at once, in both orders
    await Promise.all(
      users.map((userId, i) => {
        const out = () => post({ u: userId, c: 'email' }, 'List-Unsubscribe=One-Click');
        const late = () => ingest(optInEvent(userId, BEFORE));
        return Promise.all(i % 2 === 0 ? [out(), late()] : [late(), out()]);
      }),
    );
    // assert
    for (const userId of users) expect(await block(userId, 'email')).toBe('unsubscribed from email');
  });
});

describe('consent order of delivery feedback', () => {
  it('orders a STOP reply by its own time, not by when its feedback was applied', async () => {
    // arrange: an SMS refused as opted out at 10:00, its feedback retried until noon
    const userId = 'co-feedback-time';
    const noon = new Date('2026-11-24T12:00:00Z');
    await customer(userId);
    await sent(userId, `sms-${userId}`, 'sms');
    const stop = {
      event_type: '_SMS.FAILURE',
      attributes: { message_id: `sms-${userId}`, record_status: 'OPTED_OUT' },
    };
    // act
    await applyFeedback({ ...feedback, now: () => noon }, stop, OPTED_OUT_AT.toISOString());
    // assert: an opt-in sent before the STOP stays out; one the customer made at 11:00 applies
    await ingestEvent(ingestDeps(db, () => noon).deps, optInEvent(userId, BEFORE));
    expect(await block(userId, 'sms')).toBe('unsubscribed from sms');
    await ingestEvent(ingestDeps(db, () => noon).deps, optInEvent(userId, '2026-11-24T11:00:00Z'));
    expect(await block(userId, 'sms')).toBeUndefined();
  });
});

describe('consent order on merged profiles', () => {
  async function visitorAndCustomer(anonymousId: string, userId: string, mergedAt: string) {
    await customer(userId);
    await ingest({
      ...identify(userId, { email: 'visitor@example.com' }, mergedAt),
      userId: undefined,
      anonymousId,
    });
    return `anon:${anonymousId}`;
  }

  it("an unsubscribe by the visitor's link after the merge is not undone by an older identify", async () => {
    // arrange: a visitor merged into the customer at 09:10
    const visitor = await visitorAndCustomer('v-after', 'co-merged-after', '2026-11-24T09:05:00Z');
    await ingest(identify('co-merged-after', {}, '2026-11-24T09:10:00Z'));
    await ingest({
      ...identify('co-merged-after', { plan: 'pro' }, '2026-11-24T09:10:00Z'),
      anonymousId: 'v-after',
    });
    // act: the link of a message sent to the visitor, then an identify sent at 09:30
    page.clock = OPTED_OUT_AT;
    await post({ u: visitor, c: 'email' }, 'List-Unsubscribe=One-Click');
    await ingest(optInEvent('co-merged-after', BEFORE));
    // assert
    expect(await block('co-merged-after', 'email')).toBe('unsubscribed from email');
  });

  it("the visitor's opt-out carries its time into the profile it joins", async () => {
    // arrange: the visitor unsubscribes at 10:00; the merge is stamped 09:20 and arrives after it
    const visitor = await visitorAndCustomer('v-before', 'co-merged-before', '2026-11-24T09:05:00Z');
    page.clock = OPTED_OUT_AT;
    await post({ u: visitor, c: 'email' }, 'List-Unsubscribe=One-Click');
    await post({ u: visitor, c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click');
    await ingest({ ...identify('co-merged-before', {}, '2026-11-24T09:20:00Z'), anonymousId: 'v-before' });
    // act: an identify of the customer sent at 09:30
    await ingest(optInEvent('co-merged-before', BEFORE));
    // assert
    expect(await block('co-merged-before', 'email')).toBe('unsubscribed from email');
    await ingest(identify('co-merged-before', { consent: { email: true } }, AFTER));
    expect(await block('co-merged-before', 'email', TOPIC)).toBe(`unsubscribed from topic ${TOPIC}`);
  });
});

describe('consent order on profiles kept before consent times', () => {
  it("carries a visitor's topic opt-out kept without a time into the profile it joins, ordered by the visitor's traits", async () => {
    // arrange: a visitor opted out of news at 10:00 as the earlier layout holds it; the customer of deals at 08:00
    const userId = 'co-legacy-merge';
    await customer(userId);
    await ingest(identify(userId, { consent: { topics: { deals: false } } }, '2026-11-24T08:00:00Z'));
    const visitor = {
      ...identify(userId, { consent: { topics: { [TOPIC]: false } } }, OPTED_OUT_AT.toISOString()),
    };
    await ingest({ ...visitor, userId: undefined, anonymousId: 'v-legacy' });
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tables.profiles,
        Key: { userId: 'anon:v-legacy' },
        UpdateExpression: 'REMOVE #topicsAt',
        ExpressionAttributeNames: { '#topicsAt': 'cta:email' },
      }),
    );
    // act: the merge, stamped 09:20, then an opt-in to news sent at 09:30
    await ingest({ ...identify(userId, {}, '2026-11-24T09:20:00Z'), anonymousId: 'v-legacy' });
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: true } } }, BEFORE));
    // assert
    expect(await block(userId, 'email', TOPIC)).toBe(`unsubscribed from topic ${TOPIC}`);
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: true } } }, AFTER));
    expect(await block(userId, 'email', TOPIC)).toBeUndefined();
  });

  it('orders an opt-in by the time of the traits, as then, and keeps the times from the next change on', async () => {
    // arrange: opted out of email and a topic at 10:00, as a profile of the earlier layout holds it
    const userId = 'co-legacy';
    await customer(userId);
    await ingest(
      identify(userId, { consent: { email: false, topics: { [TOPIC]: false } } }, OPTED_OUT_AT.toISOString()),
    );
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tables.profiles,
        Key: { userId },
        UpdateExpression: 'REMOVE #at, #topicsAt SET #topic = :false',
        ExpressionAttributeNames: {
          '#at': 'ca:email',
          '#topicsAt': 'cta:email',
          '#topic': `ct:email:${TOPIC}`,
        },
        ExpressionAttributeValues: { ':false': false },
      }),
    );
    expect(await block(userId, 'email', TOPIC)).toBe('unsubscribed from email');
    // act + assert: an opt-in older than the traits changes nothing, a newer one applies
    await ingest(optInEvent(userId, BEFORE));
    expect(await block(userId, 'email')).toBe('unsubscribed from email');
    await ingest(identify(userId, { consent: { email: true } }, AFTER));
    expect(await block(userId, 'email', TOPIC)).toBe(`unsubscribed from topic ${TOPIC}`);
    await ingest(identify(userId, { consent: { topics: { [TOPIC]: true } } }, AFTER));
    expect(await block(userId, 'email', TOPIC)).toBeUndefined();
    // From then on the channel keeps its time: an opt-in stamped before that change is not applied.
    await ingest(identify(userId, { consent: { email: false } }, '2026-11-24T10:04:00Z'));
    await ingest(identify(userId, { consent: { email: true } }, AFTER));
    expect(await block(userId, 'email')).toBe('unsubscribed from email');
  });
});

/**
 * How the release before consent times reads a stored topic value, frozen
 * here as the contract both releases share: only a boolean is read, and only
 * `false` stops a send (anything else reads as opted in). A rollback, or old
 * instances still running during a rolling deploy, read what this release writes.
 */
function previousReleaseOptedOut(value: unknown): boolean {
  return typeof value === 'boolean' && value === false;
}

describe('topic opt-outs stay readable by the previous release', () => {
  async function storedTopics(userId: string): Promise<[string, unknown][]> {
    const { Item } = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
    return Object.entries(Item ?? {}).filter(([key]) => key.startsWith('ct:'));
  }

  const PATHS: { name: string; optOut: (userId: string) => Promise<unknown> }[] = [
    {
      name: 'an identify with a topic false',
      optOut: (u) => ingest(identify(u, { consent: { topics: { [TOPIC]: false } } }, BEFORE)),
    },
    {
      name: 'one-click on a topic link',
      optOut: (u) => post({ u, c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click'),
    },
    { name: "the page's topic button", optOut: (u) => post({ u, c: 'email', t: TOPIC }, 'action=topic-off') },
    {
      name: 'an SES topic unsubscribe',
      optOut: async (u) => {
        await sent(u, `ses-topic-${u}`, 'email');
        await applyFeedback(feedback, {
          eventType: 'Subscription',
          mail: { messageId: `ses-topic-${u}` },
          subscription: {
            newTopicPreferences: {
              topicSubscriptionStatus: [{ topicName: TOPIC, subscriptionStatus: 'OPT_OUT' }],
            },
          },
        });
      },
    },
    {
      name: 'the same topic opted out of again, by an event then a link',
      optOut: async (u) => {
        await ingest(identify(u, { consent: { topics: { [TOPIC]: false } } }, BEFORE));
        await post({ u, c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click');
        await ingest(identify(u, { consent: { topics: { [TOPIC]: false } } }, AFTER));
      },
    },
  ];

  it.each(PATHS)('stores the opt-out of $name as `false`', async ({ name, optOut }) => {
    // arrange
    const userId = `co-prev-${name.replaceAll(' ', '-')}`;
    await customer(userId);
    page.clock = OPTED_OUT_AT;
    // act
    await optOut(userId);
    // assert
    const topics = await storedTopics(userId);
    expect(topics).toEqual([[`ct:email:${TOPIC}`, false]]);
    expect(topics.every(([, value]) => previousReleaseOptedOut(value))).toBe(true);
  });

  it('stores topic opt-outs a merge carries into the profile a visitor joins as `false`', async () => {
    // arrange: a visitor opted out of two topics, the customer of one of them, each by its link
    const userId = 'co-prev-merged';
    await customer(userId);
    await ingest({
      ...identify(userId, { email: 'v@example.com' }, BEFORE),
      userId: undefined,
      anonymousId: 'v-prev',
    });
    page.clock = OPTED_OUT_AT;
    await post({ u: 'anon:v-prev', c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click');
    await post({ u: 'anon:v-prev', c: 'email', t: 'deals' }, 'List-Unsubscribe=One-Click');
    page.clock = INGESTED_AT;
    await post({ u: userId, c: 'email', t: TOPIC }, 'List-Unsubscribe=One-Click');
    // act
    await ingest({ ...identify(userId, {}, AFTER), anonymousId: 'v-prev' });
    // assert
    const topics = new Map(await storedTopics(userId));
    expect(topics).toEqual(
      new Map([
        [`ct:email:${TOPIC}`, false],
        ['ct:email:deals', false],
      ]),
    );
  });
});
