import { SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetClients, setClients } from '#functions/_lib/clients.ts';
import { coldStart } from '#functions/_lib/cold-start.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { lambdaContext } from '../../support/lambda-entry.ts';
import { mockedClient } from '../../support/mocked-clients.ts';

/**
 * Alias calls through the real ingest handler (EventBridge envelope, config
 * from the environment) on dynalite: from a source not trusted with known ids,
 * an alias merges an anonymous visitor into a customer but never one customer
 * into another.
 */

const ENV = [
  'PROFILES_TABLE_NAME',
  'ENROLLMENTS_TABLE_NAME',
  'JOURNEYS_TABLE_NAME',
  'STATS_TABLE_NAME',
] as const;
const EXTRA = ['REJECTED_QUEUE_URL', 'ALIAS_TRUSTED_SOURCES'] as const;
const context = lambdaContext('ingest');
const sqs = mockClient(SQSClient);
let db: LocalDynamo;

beforeAll(async () => {
  db = await startDynalite('alias-trust');
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'journeys-test';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});
afterAll(async () => {
  coldStart();
  resetClients();
  for (const key of [...ENV, ...EXTRA, 'POWERTOOLS_METRICS_DISABLED']) delete process.env[key];
  await db.stop();
});
beforeEach(() => sqs.reset());

/** A cold start of the ingest handler on this file's tables, trusting these sources with known ids (`undefined`: the variable unset). */
function ingestTrusting(sources: readonly string[] | undefined): void {
  coldStart();
  Object.assign(process.env, {
    PROFILES_TABLE_NAME: db.tables.profiles,
    ENROLLMENTS_TABLE_NAME: db.tables.enrollments,
    JOURNEYS_TABLE_NAME: db.tables.journeys,
    STATS_TABLE_NAME: db.tables.stats,
    REJECTED_QUEUE_URL: 'https://sqs.local/rejected',
  });
  if (sources === undefined) delete process.env.ALIAS_TRUSTED_SOURCES;
  else process.env.ALIAS_TRUSTED_SOURCES = JSON.stringify(sources);
  sqs.onAnyCommand().resolves({});
  setClients({ dynamo: db.doc, sfn: mockedClient(SFNClient), sqs: mockedClient(SQSClient) });
}

let counter = 0;
/** The EventBridge event a rule delivers for a customer call from `source`. */
function delivered(source: string, detail: Record<string, unknown>) {
  counter += 1;
  const call = { timestamp: '2026-11-24T09:00:00Z', messageId: `alias-trust-${counter}`, ...detail };
  const envelope = {
    version: '0',
    id: `ev-${counter}`,
    'detail-type': String(detail.type),
    source,
    account: '123456789012',
    time: '2026-11-24T09:00:01Z',
    region: 'eu-west-1',
    resources: [],
    detail: call,
  };
  // As Lambda hands it over: JSON text, parsed (the handler's parser checks its shape).
  return JSON.parse(JSON.stringify(envelope));
}

async function invoke(source: string, detail: Record<string, unknown>) {
  const { handler } = await import('#functions/ingest/handler.ts');
  return handler(delivered(source, detail), context);
}

const identify = (userId: string, traits: Record<string, unknown>) => ({ type: 'identify', userId, traits });
const track = (ids: Record<string, string>, event: string) => ({
  type: 'track',
  ...ids,
  event,
  properties: {},
});
const alias = (previousId: string, userId: string) => ({ type: 'alias', previousId, userId });

async function rawItem(key: string) {
  const out = await db.doc.send(new GetCommand({ TableName: db.tables.profiles, Key: { userId: key } }));
  return out.Item;
}

function rejectedBodies(): string[] {
  return sqs.commandCalls(SendMessageCommand).map((c) => String(c.args[0].input.MessageBody));
}

describe('alias from a source not trusted with known ids (the default)', () => {
  it("refuses to merge one known customer into another, with the reason, and leaves the victim's profile whole", async () => {
    // arrange: two signed-up customers; the attacker sends alias from the browser SDK's source
    ingestTrusting(undefined);
    await invoke('journeys.customer', identify('victim-1', { email: 'victim@example.com', plan: 'pro' }));
    await invoke('journeys.customer', identify('mallory-1', { email: 'mallory@example.com' }));
    const victimBefore = await rawItem('victim-1');
    // act
    const result = await invoke('journeys.customer', alias('victim-1', 'mallory-1'));
    await invoke('journeys.customer', track({ userId: 'victim-1' }, 'Order Completed'));
    // assert: refused into the rejected queue with the reason naming the setting
    expect(result).toMatchObject({ status: 'rejected', problems: [{ field: 'previousId' }] });
    const [body] = rejectedBodies();
    expect(JSON.parse(String(body))).toMatchObject({
      problems: [{ field: 'previousId', message: expect.stringContaining('aliasTrustedSources') }],
      event: { type: 'alias', previousId: 'victim-1', userId: 'mallory-1' },
    });
    // the victim keeps their profile, their address and their later events; the attacker gets none of it
    const victim = await rawItem('victim-1');
    expect(victim).not.toHaveProperty('aliasOf');
    expect(victim?.email).toBe(victimBefore?.email);
    expect(victim?.['t:plan']).toBe('pro');
    expect(victim).toHaveProperty(['c:Order Completed']);
    const mallory = await rawItem('mallory-1');
    expect(mallory?.email).toBe('mallory@example.com');
    expect(mallory).not.toHaveProperty('t:plan');
    expect(mallory).not.toHaveProperty(['c:Order Completed']);
    expect(Object.keys(mallory ?? {}).filter((key) => key.startsWith('mk:'))).toEqual([]);
  });

  it('does not make a userId with no profile yet an alias: its customer, once they arrive, has their own profile', async () => {
    // arrange
    ingestTrusting(undefined);
    await invoke('journeys.customer', identify('mallory-2', { email: 'mallory@example.com' }));
    // act: the attacker claims an id before its customer signs up; then the customer's events arrive
    const result = await invoke('journeys.customer', alias('future-2', 'mallory-2'));
    await invoke('journeys.customer', identify('future-2', { email: 'future@example.com' }));
    // assert
    expect(result.status).toBe('recorded');
    expect(await rawItem('future-2')).toMatchObject({ userId: 'future-2', email: 'future@example.com' });
    expect(await rawItem('future-2')).not.toHaveProperty('aliasOf');
    expect((await rawItem('mallory-2'))?.email).toBe('mallory@example.com');
  });

  it('still merges an anonymous visitor into the customer they became', async () => {
    // arrange: a visitor browses, then signs up (the browser SDK sends alias with its anonymous id)
    ingestTrusting(undefined);
    await invoke('journeys.customer', track({ anonymousId: 'visitor-3' }, 'Page Viewed'));
    await invoke('journeys.customer', identify('cust-3', { email: 'cust@example.com' }));
    // act
    const result = await invoke('journeys.customer', alias('visitor-3', 'cust-3'));
    // assert
    expect(result.status).toBe('recorded');
    expect(await rawItem('anon:visitor-3')).toMatchObject({ aliasOf: 'cust-3' });
    expect((await rawItem('cust-3'))?.['c:Page Viewed']).toBeDefined();
    expect(rejectedBodies()).toEqual([]);
  });
});

describe('alias from a source listed in aliasTrustedSources', () => {
  it("merges an old userId into the new one (an id migration from the app's backend), and only from that source", async () => {
    // arrange
    ingestTrusting(['acme.backend']);
    await invoke('journeys.customer', identify('old-4', { email: 'ana@example.com', plan: 'pro' }));
    await invoke('journeys.customer', identify('new-4', {}));
    await invoke('journeys.customer', identify('old-5', { email: 'bo@example.com' }));
    await invoke('journeys.customer', identify('new-5', {}));
    // act
    const fromBackend = await invoke('acme.backend', alias('old-4', 'new-4'));
    const fromApps = await invoke('journeys.customer', alias('old-5', 'new-5'));
    // assert
    expect(fromBackend.status).toBe('recorded');
    expect(await rawItem('old-4')).toMatchObject({ aliasOf: 'new-4' });
    expect(await rawItem('new-4')).toMatchObject({ email: 'ana@example.com', 't:plan': 'pro' });
    expect(fromApps.status).toBe('rejected');
    expect(await rawItem('old-5')).not.toHaveProperty('aliasOf');
  });
});
