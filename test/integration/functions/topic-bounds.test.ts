import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerDocumentCalls } from '#functions/_lib/clients/document-calls.ts';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { itemSize } from '#functions/_lib/profile-compaction.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { MAX_JOURNEY_TOPIC_OPT_OUTS, MAX_TOPIC_OPT_OUTS } from '#shared/ingest/limits.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * Topic opt-outs are never dropped once kept, so each channel keeps at most
 * MAX_TOPIC_OPT_OUTS of them: events naming ever new topics (a preference
 * centre that makes a topic per product, a sync gone wrong) leave the
 * profile writable, with what was left out in the rejected queue.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('topic-bounds');
});
afterAll(async () => db.stop());

async function rawItem(userId: string) {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId } }));
  return out.Item ?? {};
}

function optOuts(item: Record<string, unknown>): string[] {
  return Object.keys(item).filter((key) => key.startsWith('ct:email:') && item[key] === false);
}

/** 50 opt-outs of long, new topic names (the most one event sets). */
function manyOptOuts(batch: number): Record<string, boolean> {
  const topics: Record<string, boolean> = {};
  for (let i = 0; i < 50; i++) topics[`${'t'.repeat(240)}-${batch}-${i}`] = false;
  return topics;
}

describe('topic opt-outs of one customer', () => {
  it('stay within the cap per channel however many new topics events name', async () => {
    // arrange
    const { deps, sqs } = ingestDeps(db);
    await ingestEvent(deps, identify('u-topics', { consent: { topics: { newsletter: false } } }));
    // act: events of 50 new topics of 250 characters each (a profile without the cap failed every write after 31)
    for (let batch = 0; batch < 4; batch++)
      await ingestEvent(deps, identify('u-topics', { consent: { topics: manyOptOuts(batch) } }));
    const past = await rawItem('u-topics');
    // The customer opts in again after those opt-outs.
    const last = await ingestEvent(
      deps,
      identify('u-topics', { plan: 'pro', consent: { email: true } }, '2026-11-24T09:59:30Z'),
    );
    // assert
    const item = await rawItem('u-topics');
    expect(last.status).toBe('recorded');
    expect(item['t:plan']).toBe('pro');
    expect(optOuts(item)).toHaveLength(MAX_TOPIC_OPT_OUTS);
    expect(item['ct:email:newsletter']).toBe(false);
    expect(itemSize(item)).toBeLessThan(40 * 1024);
    const reported = sqs
      .commandCalls(SendMessageCommand)
      .map((call) => call.args[0].input.MessageBody ?? '')
      .filter((body) => body.includes(`at most ${MAX_TOPIC_OPT_OUTS} topics opted out of per channel`));
    // The second batch found room for 49, the third and fourth for none: the opt-outs left out of the
    // topics opted out of the whole channel (fewer messages, never more), until the customer opted in again.
    expect(reported).toHaveLength(3);
    expect(reported[0]).toContain('so the whole email channel was opted out instead');
    expect(past['cs:email']).toBe('unsubscribed');
    expect(past['cr:email']).toMatch(/^unsubscribed from t{240}-3-0, .*past the 100 topics a profile keeps/);
    expect(item['cs:email']).toBe('subscribed');
  });

  it('keeps updating topics it holds, and an opt-in makes room for a new opt-out', async () => {
    // arrange: a profile at the cap
    const { deps } = ingestDeps(db);
    for (let batch = 0; batch < 2; batch++)
      await ingestEvent(deps, identify('u-full', { consent: { topics: manyOptOuts(batch) } }));
    const first = `${'t'.repeat(240)}-0-0`;
    // act
    const refused = await ingestEvent(deps, identify('u-full', { consent: { topics: { extra: false } } }));
    const atCap = await rawItem('u-full');
    // Each a little later than the one before.
    await ingestEvent(
      deps,
      identify('u-full', { consent: { topics: { [first]: true } } }, '2026-11-24T09:59:10Z'),
    );
    await ingestEvent(
      deps,
      identify('u-full', { consent: { topics: { extra: false, [first]: false } } }, '2026-11-24T09:59:20Z'),
    );
    // assert
    const item = await rawItem('u-full');
    expect(refused.status).toBe('recorded');
    expect(atCap['cs:email']).toBe('unsubscribed');
    expect(atCap['cr:email']).toMatch(/^unsubscribed from extra, past the 100 topics/);
    expect(atCap['ct:email:extra']).toBeUndefined();
    expect(item['ct:email:extra']).toBe(false);
    // Opted in again: past the topics a channel keeps, an opt-in is no value at all.
    expect(item[`ct:email:${first}`]).not.toBe(false);
    expect(optOuts(item)).toHaveLength(MAX_TOPIC_OPT_OUTS);
  });

  it('stay within the cap when an anonymous profile joins the customer, whose channel is opted out instead', async () => {
    // arrange: a visitor and a customer, each at the cap with topics of their own
    const { deps, sqs } = ingestDeps(db);
    const anonymous = (traits: Record<string, unknown>, userId?: string) => ({
      ...identify(userId ?? 'unused', traits),
      ...(userId === undefined ? { userId: undefined } : {}),
      anonymousId: 'a-topics',
    });
    for (let batch = 0; batch < 2; batch++) {
      await ingestEvent(deps, anonymous({ consent: { topics: manyOptOuts(batch) } }));
      await ingestEvent(deps, identify('u-joined', { consent: { topics: manyOptOuts(10 + batch) } }));
    }
    // act
    await ingestEvent(deps, anonymous({ plan: 'pro' }, 'u-joined'));
    // assert
    const item = await rawItem('u-joined');
    expect((await rawItem('anon:a-topics')).aliasOf).toBe('u-joined');
    expect(optOuts(item)).toHaveLength(MAX_TOPIC_OPT_OUTS);
    // The visitor's opt-outs had no room: the customer gets none of those topics, so no email at all.
    expect(item['cs:email']).toBe('unsubscribed');
    expect(item['cr:email']).toMatch(
      /^unsubscribed from t{240}-\d-0, .* on a profile that joined this one, past the 100 topics/,
    );
    const profile = await deps.profiles.get('u-joined');
    expect(profile.profile.consent.email?.status).toBe('unsubscribed');
    const reported = sqs
      .commandCalls(SendMessageCommand)
      .map((call) => call.args[0].input.MessageBody ?? '')
      .filter((body) => body.includes('on a profile that joined this one'));
    expect(reported).toHaveLength(1);
  });
});

/**
 * A document client on the same tables whose profile writes wait until
 * `reads` profile reads have been answered: two writers that each read
 * before either writes, the interleaving that lets both count the same room.
 */
function interleaved(reads: number): DynamoDBDocumentClient {
  const client = documentClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let seen = 0;
  let resolve = () => {};
  const allRead = new Promise<void>((done) => {
    resolve = done;
  });
  answerDocumentCalls(client, {
    get: async (input) => {
      const out = await db.doc.send(new GetCommand(input));
      if (input.TableName === db.tables.profiles && ++seen >= reads) resolve();
      return out;
    },
    put: (input) => db.doc.send(new PutCommand(input)),
    update: async (input) => {
      if (input.TableName === db.tables.profiles) await allRead;
      return db.doc.send(new UpdateCommand(input));
    },
    delete: (input) => db.doc.send(new DeleteCommand(input)),
    query: (input) => db.doc.send(new QueryCommand(input)),
  });
  return client;
}

function optOutsOn(item: Record<string, unknown>, channel: string): string[] {
  return Object.keys(item).filter((key) => key.startsWith(`ct:${channel}:`) && item[key] === false);
}

describe('topic opt-outs arriving at once', () => {
  it('cannot both take the last place on a channel', async () => {
    // arrange: a customer one opt-out short of the cap
    const { deps, sqs } = ingestDeps(db);
    const topics = Object.entries(manyOptOuts(0)).concat(Object.entries(manyOptOuts(1)).slice(1));
    for (let at = 0; at < topics.length; at += 50)
      await ingestEvent(
        deps,
        identify('u-race', { consent: { topics: Object.fromEntries(topics.slice(at, at + 50)) } }),
      );
    const racing = { ...deps, profiles: new ProfilesRepository(interleaved(2), db.tables.profiles) };
    // act: two events opting out of a new topic each, both read before either writes
    await Promise.all([
      ingestEvent(racing, identify('u-race', { consent: { topics: { first: false } } })),
      ingestEvent(racing, identify('u-race', { consent: { topics: { second: false } } })),
    ]);
    // assert: one took the last place, the other was counted again, opted out of the channel and reported
    const item = await rawItem('u-race');
    expect(optOutsOn(item, 'email')).toHaveLength(MAX_TOPIC_OPT_OUTS);
    expect(item['cs:email']).toBe('unsubscribed');
    const reported = sqs
      .commandCalls(SendMessageCommand)
      .filter((call) => (call.args[0].input.MessageBody ?? '').includes('topic opt-outs past the cap'));
    expect(reported).toHaveLength(1);
  });

  it('from unsubscribe links: past the cap the channel is opted out instead, and none is lost', async () => {
    // arrange: a customer one journey topic short of the cap on SMS
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, identify('u-links', { phone: '+14155550100' }));
    for (let i = 0; i < MAX_JOURNEY_TOPIC_OPT_OUTS - 1; i++)
      await deps.profiles.setConsent(
        'u-links',
        'sms',
        { topic: `journey-${i}`, subscribed: false },
        new Date('2026-11-24T10:00:00Z'),
      );
    const racing = new ProfilesRepository(interleaved(2), db.tables.profiles);
    // act: two links clicked at once, then a third one
    const outcomes = await Promise.all([
      racing.setConsent(
        'u-links',
        'sms',
        { topic: 'late-1', subscribed: false },
        new Date('2026-11-24T10:00:00Z'),
      ),
      racing.setConsent(
        'u-links',
        'sms',
        { topic: 'late-2', subscribed: false },
        new Date('2026-11-24T10:00:00Z'),
      ),
    ]);
    const third = await deps.profiles.setConsent(
      'u-links',
      'sms',
      { topic: 'late-3', subscribed: false },
      new Date('2026-11-24T10:00:00Z'),
    );
    // assert
    const item = await rawItem('u-links');
    expect(optOutsOn(item, 'sms')).toHaveLength(MAX_JOURNEY_TOPIC_OPT_OUTS);
    expect(outcomes.filter((o) => o.channelInstead !== undefined)).toHaveLength(1);
    expect(third.channelInstead).toMatch(/late-3, past the 20 topics a profile keeps opted out of on sms/);
    expect(item['cs:sms']).toBe('unsubscribed');
    expect(item['cr:sms']).toMatch(/unsubscribed from late-3/);
    // A change that also sets the channel's status counts its topic like any other.
    const both = await deps.profiles.setConsent(
      'u-links',
      'sms',
      {
        status: 'unsubscribed',
        reason: 'a provider unsubscribe',
        topic: 'late-4',
        subscribed: false,
      },
      new Date('2026-11-24T10:00:00Z'),
    );
    expect(both.channelInstead).toMatch(/late-4, past the 20 topics/);
    expect(optOutsOn(await rawItem('u-links'), 'sms')).toHaveLength(MAX_JOURNEY_TOPIC_OPT_OUTS);
    // An opt-out never undone: a topic held keeps updating at the cap.
    expect(
      (
        await deps.profiles.setConsent(
          'u-links',
          'sms',
          { topic: 'journey-0', subscribed: false },
          new Date('2026-11-24T10:00:00Z'),
        )
      ).channelInstead,
    ).toBeUndefined();
  });
});
