import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemSize } from '#functions/_lib/profile-compaction.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { parseCustomerEvent } from '#shared/events.ts';
import { MAX_TOPIC_OPT_OUTS, MAX_TRAITS_PER_PROFILE, traitProblem } from '#shared/ingest/limits.ts';
import { profileChanges } from '#shared/profile/changes.ts';
import { consentChanges } from '#shared/profile/consent-traits.ts';
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
/** Events a journey awaits (snapshots) and counts over a window (daily counts). */
const AWAITED = 30;
const COUNTED = 30;
/** Topics named by journeys, opted out of on SMS and push by unsubscribe links. */
const JOURNEY_TOPICS = 20;

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

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('budget');
});
afterAll(async () => db.stop());

async function rawItem() {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: USER } }));
  return out.Item ?? {};
}

describe('the largest profile the limits allow', () => {
  it('stays under DynamoDB’s 400 KB item, so an opt-out and a trait update still apply', async () => {
    // arrange: the names, values and journeys at their largest; the journey awaits and counts the names seen last
    const events = names(130, acceptsEvent, 1024);
    await registerJourney(db, {
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
    const { deps } = ingestDeps(db);
    const value = largestTraitValue();
    const traits = names(MAX_TRAITS_PER_PROFILE, acceptsTrait);
    const topics = names(MAX_TOPIC_OPT_OUTS + 50, acceptsTopic);
    const tokens = names(11, acceptsToken);
    let largestSeen = 0;
    const apply = async (event: Record<string, unknown>) => {
      const result = await ingestEvent(deps, event);
      expect(result).toMatchObject({ status: 'recorded' });
      largestSeen = Math.max(largestSeen, itemSize(await rawItem()));
    };
    // act: fill every cap through the ingest path (the item grows last by its largest parts)
    for (const [i, event] of events.entries()) {
      const awaited = i >= events.length - AWAITED;
      await apply(track(USER, event, awaited ? snapshotProperties(event) : {}));
      // Once the item exists: the journeys' topics on SMS and push, which unsubscribe links opt out of
      // one at a time (no cap: journeys name them), while each of those writes is still small.
      if (i === 0)
        for (const channel of ['sms', 'push'] as const)
          for (const topic of topics.slice(0, JOURNEY_TOPICS))
            await deps.profiles.setConsent(USER, channel, { topic, subscribed: false });
    }
    for (let i = 0; i < 11; i++) await apply(deviceEvent(tokens[i] ?? ''));
    for (let at = 0; at < traits.length; at += 10)
      await apply(identify(USER, Object.fromEntries(traits.slice(at, at + 10).map((t) => [t, value]))));
    for (let at = 0; at < MAX_TOPIC_OPT_OUTS; at += 50) {
      const optOuts = Object.fromEntries(topics.slice(at, at + 50).map((t) => [t, false]));
      await apply(identify(USER, { consent: { topics: optOuts } }));
    }
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
    // act: the customer opts in to one topic, updates a trait, then unsubscribes and opts out of a new topic
    const [first] = topics;
    const updated = largestValue((n) => 'u'.repeat(n));
    await apply(identify(USER, { [traits[7] ?? '']: updated, consent: { topics: { [first ?? '']: true } } }));
    const last = topics[MAX_TOPIC_OPT_OUTS] ?? '';
    await apply(identify(USER, { unsubscribed: true, consent: { topics: { [last]: false } } }));
    // assert
    const item = await rawItem();
    expect(item[`t:${traits[7]}`]).toBe(updated);
    expect(item['cs:email']).toBe('unsubscribed');
    expect(item[`ct:email:${last}`]).toBe(false);
    expect(item[`ct:email:${first}`]).not.toBe(false);
    expect(Object.keys(item).filter((key) => key.startsWith('t:')).length).toBe(MAX_TRAITS_PER_PROFILE);
    // The customer-controlled parts and these journeys' share stay well under the item limit.
    expect(largestSeen).toBeLessThan(DYNAMO_ITEM_LIMIT * 0.8);
  }, 300_000);
});
