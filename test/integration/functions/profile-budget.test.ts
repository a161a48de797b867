import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_DAYS, itemSize, MAX_MERGED_KEYS } from '#functions/_lib/profile-compaction.ts';
import { FOLD_AFTER, foldedAttribute, packDays } from '#functions/_lib/profile-day-history.ts';
import { MAX_WAITING_STEPS } from '#functions/_lib/profile-waiting.ts';
import { GUARD_ATTRIBUTES, GUARD_TURN } from '#functions/_lib/redelivery-guard.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { memoryDynamo } from '#infra/simulate/dynamo/memory-dynamo.ts';
import { parseCustomerEvent } from '#shared/events.ts';
import {
  MAX_JOURNEY_TOPIC_OPT_OUTS,
  MAX_TOPIC_OPT_OUTS,
  MAX_TRAITS_PER_PROFILE,
  traitProblem,
} from '#shared/ingest/limits.ts';
import { MAX_AWAITED_EVENT_NAMES, MAX_COUNTED_EVENT_NAMES } from '#shared/ingest/profile-share.ts';
import { profileChanges } from '#shared/profile/changes.ts';
import { consentChanges } from '#shared/profile/consent-traits.ts';
import { caseId } from '../../support/case-ids.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * The largest profile the limits allow: every per-profile cap filled with
 * names and values as large as the edge accepts them, in the characters that
 * take the most bytes in UTF-8 (3-byte CJK, 4-byte emoji). DynamoDB counts
 * names and values in bytes and refuses every write to an item past 400 KB:
 * such a profile must stay under it, so its customer can still opt out.
 */

const USER = 'u-largest';
const DYNAMO_ITEM_LIMIT = 400 * 1024;
const CJK = '界';
const EMOJI = '😀';
/** Events live journeys await (snapshots, waiting summaries) and count over a window (daily counts): all they may. */
const AWAITED = MAX_AWAITED_EVENT_NAMES;
const COUNTED = MAX_COUNTED_EVENT_NAMES;
/** Topics named by journeys, opted out of on SMS and push by unsubscribe links: all a channel keeps. */
const JOURNEY_TOPICS = MAX_JOURNEY_TOPIC_OPT_OUTS;
/** A day's count in the daily counts: larger counts take more bytes. */
const DAY_COUNT = 100_000;
/** The handlers' clock in ingestDeps. */
const NOW = Date.parse('2026-11-24T10:00:00Z');

/** The longest `prefix + unit × n` that `accepts` takes (the limits are monotone in n). */
function largest(prefix: string, unit: string, accepts: (text: string) => boolean, most = 8192): string {
  return prefix + unit.repeat(largestCount(prefix, unit, accepts, most));
}

function largestCount(
  prefix: string,
  unit: string,
  accepts: (text: string) => boolean,
  most: number,
): number {
  let low = 0;
  let high = most;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (accepts(prefix + unit.repeat(mid))) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Distinct names of one kind, each as long as `accepts` allows: an index of fixed width, then `unit`s. */
function names(count: number, accepts: (text: string) => boolean, most = 8192): string[] {
  const width = String(count).length;
  const index = (i: number) => `${String(i).padStart(width, '0')}-`;
  const cjk = largestCount(index(0), CJK, accepts, most);
  const emoji = largestCount(index(0), EMOJI, accepts, most);
  return Array.from({ length: count }, (_, i) =>
    i % 2 === 0 ? index(i) + CJK.repeat(cjk) : index(i) + EMOJI.repeat(emoji),
  );
}

/** The largest value of one shape a trait may hold: `build(n)` for the largest n traitProblem accepts. */
function largestValue<T>(build: (n: number) => T): T {
  let low = 0;
  let high = 4096;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (traitProblem('v', build(mid)) === undefined) low = mid;
    else high = mid - 1;
  }
  return build(low);
}

const stored = (value: unknown) => itemSize({ v: value }) - 1;

/** Empty lists nested `depth` deep: DynamoDB stores each in 4 bytes, JSON in 2. */
const nested = (depth: number): unknown => (depth === 0 ? [] : [nested(depth - 1)]);

/** The trait value DynamoDB stores largest among those a trait may hold. */
function largestTraitValue(): unknown {
  const candidates = [
    largestValue((n) => CJK.repeat(n)),
    largestValue((n) => EMOJI.repeat(n)),
    largestValue((n) => Array.from({ length: n }, () => 0)),
    largestValue((n) => Array.from({ length: n }, () => nested(13))),
  ];
  return candidates.reduce((a, b) => (stored(b) > stored(a) ? b : a));
}

const acceptsAnonymousId = (anonymousId: string) =>
  parseCustomerEvent({ ...identify(USER, {}), anonymousId }).ok;
const acceptsTrait = (name: string) => traitProblem(name, 1) === undefined;
const acceptsEvent = (name: string) => parseCustomerEvent(track(USER, name)).ok;
/** A topic name the profile takes, 50 of them (the most one event sets) in an event the edge accepts. */
function acceptsTopic(topic: string): boolean {
  const changes = consentChanges({ consent: { topics: { [topic]: false } } });
  const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${topic}${i}`, false]));
  return (
    changes.problems.length === 0 &&
    changes.topics.length === 1 &&
    parseCustomerEvent(identify(USER, { consent: { topics: fifty } })).ok
  );
}

function deviceEvent(token: string) {
  return { ...track(USER, 'App Opened'), context: { device: { token, type: 'ios' } } };
}

function acceptsToken(token: string): boolean {
  const parsed = parseCustomerEvent(deviceEvent(token));
  return parsed.ok && profileChanges(parsed.event, USER).pushTokens.length === 1;
}

/** Properties as large as a kept snapshot of an awaited event allows. */
function snapshotProperties(event: string): Record<string, unknown> {
  const awaited = new Set([event]);
  const text = largest('', CJK, (p) => {
    const parsed = parseCustomerEvent(track(USER, event, { p }));
    return parsed.ok && profileChanges(parsed.event, USER, { awaited }).track?.snapshot !== undefined;
  });
  return { p: text };
}

/**
 * The profile is built and written on the in-memory tables: the
 * repositories run on them unchanged (the contract suite holds them to
 * dynalite's answers), and what is measured is each item's size as DynamoDB
 * counts it (itemSize: names and values in UTF-8 bytes). Hundreds of writes
 * to an item of hundreds of KB cost dynalite and the SDK's (de)serialisation
 * most of the file's time, and prove no more: dynalite counts a string's
 * UTF-16 units, a third of a CJK character's bytes, so it takes items
 * DynamoDB refuses. The largest item seen still goes through dynalite and the
 * SDK once, to come back whole.
 */
const memory = memoryDynamo('budget');
let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('budget');
});
afterAll(async () => db.stop());

async function rawItem(userId = USER) {
  const out = await memory.doc.send(new GetCommand({ TableName: memory.tables.profiles, Key: { userId } }));
  return out.Item ?? {};
}

/** A customer of the test's own whose profile is the largest one as built: what a test writes changes only theirs. */
async function copyOfLargest(): Promise<string> {
  const userId = caseId('u-largest');
  await memory.doc.send(
    new PutCommand({ TableName: memory.tables.profiles, Item: { ...(await rawItem()), userId } }),
  );
  return userId;
}

describe('the largest profile the limits allow', () => {
  let deps: ReturnType<typeof ingestDeps>['deps'];
  let traits: string[];
  let topics: string[];
  let reserved: Record<'email' | 'phone' | 'timezone' | 'locale', string>;
  /** The largest each customer's profile was seen, and the item then. */
  const peaks = new Map<string, { size: number; item: Record<string, unknown> }>();
  const measure = async (userId = USER) => {
    const item = await rawItem(userId);
    const size = itemSize(item);
    if (size > (peaks.get(userId)?.size ?? 0)) peaks.set(userId, { size, item });
  };
  const apply = async (event: Record<string, unknown>) => {
    const result = await ingestEvent(deps, event);
    expect(result).toMatchObject({ status: 'recorded' });
    await measure(String(event.userId));
  };

  // The writes the profile still takes, each a test below; the last test makes them all on one profile.
  const updated = () => largestValue((n) => 'u'.repeat(n));
  /** A trait update and an opt-in to a topic, stamped after the opt-outs of the topics. */
  const updateTraitAndOptIn = (userId: string) =>
    apply(
      identify(
        userId,
        { [traits[7] ?? '']: updated(), consent: { topics: { [topics[0] ?? '']: true } } },
        '2026-11-24T09:59:30Z',
      ),
    );
  /** An unsubscribe and an opt-out of a topic past those the profile keeps. */
  const unsubscribeAndOptOut = (userId: string) =>
    apply(
      identify(userId, {
        unsubscribed: true,
        consent: { topics: { [topics[MAX_TOPIC_OPT_OUTS] ?? '']: false } },
      }),
    );
  /** An unsubscribe link's opt-out of one more journey topic on SMS than the channel keeps. */
  const optOutOfJourneyTopic = async (userId: string) => {
    const outcome = await deps.profiles.setConsent(
      userId,
      'sms',
      { topic: topics[JOURNEY_TOPICS] ?? '', subscribed: false },
      new Date('2026-11-24T10:00:00Z'),
    );
    await measure(userId);
    return outcome;
  };

  // The profile is built once: each behaviour below is its own test on it.
  beforeAll(async () => {
    // arrange: the names, values and journeys at their largest; the journey awaits and counts the names seen last
    const events = names(130, acceptsEvent, 1024);
    await registerJourney(memory, {
      id: 'largest',
      name: 'Largest',
      trigger: { type: 'event', event: 'Never' },
      audience: {
        any: events.slice(-COUNTED).map((performed) => ({ performed, atLeast: 1, within: 'P90D' })),
      },
      start: 'w0',
      steps: {
        ...Object.fromEntries(
          events.slice(-AWAITED).map((event, i) => [
            `w${i}`,
            {
              type: 'waitForEvent',
              event,
              timeout: 'P1D',
              onEvent: i + 1 < AWAITED ? `w${i + 1}` : 'done',
              onTimeout: 'done',
            },
          ]),
        ),
        done: { type: 'exit' },
      },
    });
    ({ deps } = ingestDeps(memory));
    const value = largestTraitValue();
    traits = names(MAX_TRAITS_PER_PROFILE, acceptsTrait);
    topics = names(MAX_TOPIC_OPT_OUTS + 50, acceptsTopic);
    const tokens = names(11, acceptsToken);
    const visitors = names(MAX_MERGED_KEYS + 1, acceptsAnonymousId, 2048);
    // act: fill every cap through the ingest path (the item grows last by its largest parts)
    for (const [i, event] of events.entries()) {
      const awaited = i >= events.length - AWAITED;
      await apply(track(USER, event, awaited ? snapshotProperties(event) : {}));
      // Once the item exists: the journeys' topics on SMS and push, which unsubscribe links opt out of
      // one at a time (up to their cap), while each of those writes is still small. A step waiting for
      // each awaited name. And visitors signing in with the longest ids, on one more device than the
      // profile keeps merged ids of, merged while the item is small: the same ids kept, the same peak.
      if (i === 0) {
        for (const anonymousId of visitors) await apply({ ...identify(USER, {}), anonymousId });
        for (const channel of ['sms', 'push'] as const)
          for (const topic of topics.slice(0, JOURNEY_TOPICS))
            await deps.profiles.setConsent(
              USER,
              channel,
              { topic, subscribed: false },
              new Date('2026-11-24T10:00:00Z'),
            );
        // As many as the summary keeps digests of, and one more, which sets the overflow mark.
        for (const awaited of events.slice(-AWAITED))
          for (let step = 0; step <= MAX_WAITING_STEPS; step++)
            await deps.profiles.countWaiting(USER, {
              event: awaited,
              enrollmentId: `e-${step}`,
              stepId: 'wait',
              token: `token-${step}`,
            });
      }
    }
    for (let i = 0; i < 11; i++) await apply(deviceEvent(tokens[i] ?? ''));
    for (let at = 0; at < traits.length; at += 10)
      await apply(identify(USER, Object.fromEntries(traits.slice(at, at + 10).map((t) => [t, value]))));
    for (let at = 0; at < MAX_TOPIC_OPT_OUTS; at += 50) {
      const optOuts = Object.fromEntries(topics.slice(at, at + 50).map((t) => [t, false]));
      await apply(identify(USER, { consent: { topics: optOuts } }));
    }
    // The reserved traits at their largest, on a profile at the trait cap: they always apply.
    reserved = {
      // RFC 5321's longest: a 64-character mailbox and 254 characters in all.
      email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`,
      phone: `+1${'5'.repeat(30)}`,
      timezone: 'America/Argentina/ComodRivadavia',
      locale: largest('en', '-abcdefgh', (locale) => traitProblem('locale', locale) === undefined),
    };
    await apply(identify(USER, reserved));
    const { sendsVersion } = await deps.profiles.get(USER);
    const sends = Array.from({ length: 200 }, (_, i) =>
      new Date(Date.UTC(2026, 10, 24, 9, 0, i)).toISOString(),
    );
    expect(
      await deps.profiles.reserveSends(USER, sendsVersion, { email: sends, sms: sends, push: sends }),
    ).toBe(true);
    // 50 explicit opt-ins past the topics a channel keeps: written, then dropped by compaction
    const optIns = Object.fromEntries(topics.slice(MAX_TOPIC_OPT_OUTS).map((t) => [t, true]));
    await apply(identify(USER, { consent: { topics: optIns } }));
    // The daily counts of every counted name at their largest: the loose days a fold leaves, and a
    // folded value for every other day of the window (written as the layout has them: days of real events
    // would take 91 days of ingest per name).
    const today = Math.floor(NOW / 86_400_000);
    const counted = events.slice(-COUNTED);
    // Ten names a write, as few writes as the request's size allows.
    for (let at = 0; at < counted.length; at += 10) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      for (const [n, event] of counted.slice(at, at + 10).entries()) {
        const loose = Array.from({ length: FOLD_AFTER + 1 }, (_, i) => today - i);
        const folded = new Map<number, number>();
        for (let day = today - HISTORY_DAYS; day < today - FOLD_AFTER; day++) folded.set(day, DAY_COUNT);
        names[`#f${n}`] = foldedAttribute(event);
        values[`:f${n}`] = packDays(folded);
        sets.push(`#f${n} = :f${n}`);
        for (const [i, day] of loose.entries()) {
          names[`#d${n}_${i}`] = `d:${event}:${day.toString(36)}`;
          values[`:d${n}_${i}`] = DAY_COUNT;
          sets.push(`#d${n}_${i} = :d${n}_${i}`);
        }
      }
      await memory.doc.send(
        new UpdateCommand({
          TableName: memory.tables.profiles,
          Key: { userId: USER },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    }
    // The redelivery guard at its largest: both lists at the cap (events arriving together, before
    // a turn lands), each digest of the most digits.
    const digests = Array.from({ length: 2 * GUARD_TURN }, (_, i) => 2 ** 52 - 1 - i);
    await memory.doc.send(
      new UpdateCommand({
        TableName: memory.tables.profiles,
        Key: { userId: USER },
        UpdateExpression: 'SET #r = :d, #p = :d',
        ExpressionAttributeNames: { '#r': GUARD_ATTRIBUTES.recent, '#p': GUARD_ATTRIBUTES.earlier },
        ExpressionAttributeValues: { ':d': digests },
      }),
    );
    await measure();
  }, 300_000);

  it('still applies a trait update and an opt-in to a topic', async () => {
    const userId = await copyOfLargest();
    await updateTraitAndOptIn(userId);
    const item = await rawItem(userId);
    expect(item[`t:${traits[7]}`]).toBe(updated());
    expect(item[`ct:email:${topics[0]}`]).not.toBe(false);
  });

  it('still applies an unsubscribe and an opt-out of a new topic', async () => {
    // arrange: the first topic opted in again (the test above), which leaves room for one more opt-out
    const userId = await copyOfLargest();
    await updateTraitAndOptIn(userId);
    // act
    await unsubscribeAndOptOut(userId);
    // assert
    const item = await rawItem(userId);
    expect(item['cs:email']).toBe('unsubscribed');
    expect(item[`ct:email:${topics[MAX_TOPIC_OPT_OUTS]}`]).toBe(false);
  });

  it('opts the channel out instead for one more journey topic on SMS than it keeps', async () => {
    const userId = await copyOfLargest();
    const past = await optOutOfJourneyTopic(userId);
    expect(past.channelInstead).toBeDefined();
    expect((await rawItem(userId))['cs:sms']).toBe('unsubscribed');
  });

  it('keeps the reserved traits beside every trait at the cap', async () => {
    const item = await rawItem();
    expect(item.locale).toBe(reserved.locale);
    expect(item['t:email']).toBe(reserved.email);
    expect(Object.keys(item).filter((key) => key.startsWith('t:')).length).toBe(MAX_TRAITS_PER_PROFILE + 4);
  });

  it('keeps the ids merged into it up to their cap', async () => {
    const item = await rawItem();
    expect(Object.keys(item).filter((key) => key.startsWith('mk:')).length).toBe(MAX_MERGED_KEYS);
  });

  it('stays under DynamoDB’s 400 KB item at its largest', async () => {
    // arrange: the writes the profile still takes, one after another, on a profile as built
    const userId = await copyOfLargest();
    await updateTraitAndOptIn(userId);
    await unsubscribeAndOptOut(userId);
    await optOutOfJourneyTopic(userId);
    // The largest the profile was, built or written since
    const seen = [peaks.get(USER), peaks.get(userId)].filter((peak) => peak !== undefined);
    const { size, item } = seen.reduce((a, b) => (b.size > a.size ? b : a), { size: 0, item: {} });
    // What the customer controls and what live journeys may add, every cap full, stay under the item limit.
    console.info(`largest profile: ${(size / 1024).toFixed(1)} KB`);
    expect(size).toBeGreaterThan(300 * 1024);
    expect(size).toBeLessThan(DYNAMO_ITEM_LIMIT * 0.95);
    // An item of this shape and size goes through the SDK and dynalite and comes back whole.
    await db.doc.send(new PutCommand({ TableName: db.tables.profiles, Item: item }));
    const { Item } = await db.doc.send(
      new GetCommand({ TableName: db.tables.profiles, Key: { userId: item.userId } }),
    );
    expect(Item).toEqual(item);
  });
});
