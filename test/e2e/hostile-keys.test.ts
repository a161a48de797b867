import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#functions/_lib/clients/dynamo.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import type { LocalRuntime } from '#infra/local/index.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { LOCAL_TABLES } from '#infra/local/runtime/env.ts';
import { closeServer } from '#infra/local/runtime/listen.ts';
import { canonical, hostileBag } from '../support/hostile-keys.ts';
import {
  boot,
  E2E_TIMEOUT,
  executionsOf,
  putEvents,
  quiesce,
  type Sandbox,
  sandbox,
  sentEmails,
  track,
  untilEachEnded,
} from './support/local-runtime.ts';

/**
 * Keys named like JavaScript's prototype members (`constructor`,
 * `prototype`, `toString`, `hasOwnProperty`, `valueOf`) are ordinary data
 * end to end: at any depth of an event's properties and a customer's traits
 * they are ingested, stored and read back exactly, a journey whose step ids,
 * split variants, correlation, context and profile update are named or fed
 * by them runs, and its email renders them. Documents are drawn by
 * fast-check with a fixed seed, one customer each, through one runtime.
 */

const JOURNEY = 'hostile-keys';
type Case = {
  userId: string;
  name: string;
  marker: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
};

/** Each case: hostile properties and traits at several depths, plus the paths the journey reads. */
const CASES: Case[] = fc
  .sample(fc.record({ properties: hostileBag(), traits: hostileBag() }), { seed: 20261201, numRuns: 6 })
  .map(({ properties, traits }, i) => ({
    userId: `hostile-${i}`,
    name: `name ${i}`,
    marker: `marker-${i}`,
    properties: { ...properties, constructor: { name: `name ${i}`, prototype: properties } },
    traits: { ...traits, prototype: { toString: `marker-${i}`, constructor: traits } },
  }));

const journey = {
  id: JOURNEY,
  name: 'Keys named like prototype members',
  status: 'active',
  trigger: {
    type: 'event',
    event: 'Hostile Event',
    where: { path: 'event.properties.constructor.name', exists: true },
  },
  audience: { path: 'profile.traits.prototype.toString', exists: true },
  context: { label: { type: 'string', from: 'trigger.properties.constructor.name', maxLength: 64 } },
  start: 'constructor',
  steps: {
    constructor: {
      type: 'split',
      variants: [
        { name: 'toString', weight: 50, next: 'hasOwnProperty' },
        { name: 'constructor', weight: 50, next: 'hasOwnProperty' },
      ],
    },
    hasOwnProperty: {
      type: 'waitForEvent',
      event: 'Reply',
      match: { 'event.properties.constructor.name': 'trigger.properties.constructor.name' },
      timeout: 'P1D',
      onEvent: 'valueOf',
      onTimeout: 'prototype',
    },
    valueOf: {
      type: 'updateProfile',
      set: { toString: { from: 'trigger.properties.constructor.name' } },
      next: 'toJSON',
    },
    toJSON: {
      type: 'branch',
      branches: [
        {
          name: 'constructor',
          when: {
            all: [
              { path: 'context.label', exists: true },
              { path: 'trigger.properties.constructor.prototype', exists: true },
              { path: 'profile.traits.prototype.constructor', exists: true },
            ],
          },
          next: 'toString',
        },
      ],
      otherwise: 'prototype',
    },
    toString: { type: 'email', template: JOURNEY, next: 'prototype' },
    prototype: { type: 'exit' },
  },
};

const TEXT =
  'name={{ trigger.properties.constructor.name }} marker={{ profile.traits.prototype.toString }} ' +
  'label={{ context.label }} unsubscribe: {{ unsubscribeUrl }}';
const template = {
  channel: 'email',
  subject: 'Keys {{ context.label }}',
  html: `<p>${TEXT}</p>`,
  text: TEXT,
};

/**
 * A webhook whose response holds data under keys named like prototype
 * members, `__proto__` included (the endpoint's JSON, not ours): the
 * mapping reads the fields it names, and a field the response lacks
 * (`hasOwnProperty`) is null, never something JavaScript supplies.
 */
const WEBHOOK = 'hostile-webhook';
const webhookJourney = {
  id: WEBHOOK,
  name: 'A response with keys named like prototype members',
  status: 'active',
  trigger: { type: 'event', event: 'Ask Crm' },
  audience: { path: 'profile.email', exists: true },
  context: {
    tier: { type: 'string', maxLength: 16 },
    coupon: { type: 'string', maxLength: 32 },
    missing: { type: 'string', maxLength: 32 },
  },
  start: 'constructor',
  steps: {
    constructor: {
      type: 'webhook',
      connection: 'crm',
      method: 'POST',
      url: 'https://crm.example.com/v1/tiers',
      body: { userId: { from: 'trigger.userId' } },
      response: {
        tier: 'body.constructor.tier',
        coupon: 'body.prototype.toString',
        missing: 'body.hasOwnProperty',
      },
      onError: 'prototype',
      next: 'valueOf',
    },
    valueOf: {
      type: 'branch',
      branches: [
        {
          name: 'gold',
          when: {
            all: [{ path: 'context.tier', eq: 'gold' }, { not: { path: 'context.missing', exists: true } }],
          },
          next: 'toString',
        },
      ],
      otherwise: 'prototype',
    },
    toString: { type: 'email', template: WEBHOOK, next: 'prototype' },
    prototype: { type: 'exit' },
  },
};
const WEBHOOK_TEXT =
  'tier={{ context.tier }} coupon={{ context.coupon }} missing={{ context.missing | default: "none" }} ' +
  'unsubscribe: {{ unsubscribeUrl }}';
const webhookTemplate = {
  channel: 'email',
  subject: 'Tier {{ context.tier }}',
  html: `<p>${WEBHOOK_TEXT}</p>`,
  text: WEBHOOK_TEXT,
};

/** The CRM's answer: written as text, so `__proto__` is a key of the JSON as any endpoint may send it. */
function crmAnswer(userId: string): string {
  return `{"__proto__": {"tier": "silver"}, "constructor": {"tier": "gold"}, "prototype": {"toString": "CODE-${userId}"}, "toString": {"valueOf": 1}}`;
}

function startCrm(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
    const userId = typeof body === 'object' && body !== null && 'userId' in body ? String(body.userId) : '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(crmAnswer(userId));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let box: Sandbox;
let crm: Server;
let runtime: LocalRuntime;
let profiles: ProfilesRepository;

beforeAll(async () => {
  box = await sandbox([]);
  await writeFile(join(box.journeysDir, `${JOURNEY}.json`), JSON.stringify(journey));
  await writeFile(join(box.journeysDir, 'templates', `${JOURNEY}.json`), JSON.stringify(template));
  await writeFile(join(box.journeysDir, `${WEBHOOK}.json`), JSON.stringify(webhookJourney));
  await writeFile(join(box.journeysDir, 'templates', `${WEBHOOK}.json`), JSON.stringify(webhookTemplate));
  crm = await startCrm();
  const target = `http://127.0.0.1:${(crm.address() as AddressInfo).port}/crm`;
  runtime = await boot(box, {
    connections: new Map([
      [
        'crm',
        {
          baseUrl: 'https://crm.example.com/v1',
          target,
          auth: { type: 'apiKey', header: 'x-api-key', value: 'local-key' },
        },
      ],
    ]),
  });
  profiles = new ProfilesRepository(
    documentClient(localClientConfig(runtime.endpoints.dynamodb)),
    LOCAL_TABLES.profiles,
  );
  await putEvents(
    runtime,
    CASES.map((c) => ({
      type: 'identify',
      userId: c.userId,
      traits: {
        ...c.traits,
        email: `${c.userId}@example.com`,
        timezone: 'Etc/GMT',
        consent: { email: true },
      },
    })),
  );
  await runtime.settled();
  await putEvents(
    runtime,
    CASES.map((c) => track(c.userId, 'Hostile Event', c.properties)),
  );
  await runtime.settled();
  await putEvents(
    runtime,
    CASES.flatMap((c) => [
      track(c.userId, 'Reply', { constructor: { name: c.name } }),
      track(c.userId, 'Ask Crm', {}),
    ]),
  );
  await untilEachEnded(
    runtime,
    CASES.flatMap((c) => [
      { journeyId: JOURNEY, userId: c.userId },
      { journeyId: WEBHOOK, userId: c.userId },
    ]),
  );
  await quiesce(runtime);
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await closeServer(crm);
  await box?.remove();
});

describe('keys named like prototype members, end to end', () => {
  it.each(CASES)('stores and reads back the traits of $userId exactly', async (c) => {
    const { profile } = await profiles.get(c.userId);
    // The identify's reserved traits are kept as traits too; the journey's updateProfile set toString.
    const { toString: set, email, timezone, consent, ...traits } = profile.traits;

    expect(canonical(traits)).toBe(canonical(c.traits));
    expect(email).toBe(`${c.userId}@example.com`);
    expect(set).toBe(c.name);
  });

  it.each(CASES)('runs the journey of $userId to the email, rendered with the values', async (c) => {
    const [run] = await executionsOf(runtime, JOURNEY, c.userId);
    const emails = (await sentEmails(runtime, `${c.userId}@example.com`)).filter((e) =>
      e.subject.startsWith('Keys'),
    );

    expect(run?.status).toBe('SUCCEEDED');
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toBe(`Keys ${c.name}`);
    expect(emails[0]?.body.text).toContain(`name=${c.name} marker=${c.marker} label=${c.name}`);
  });

  it.each(CASES)('maps the webhook response of $userId by the fields it names', async (c) => {
    const [run] = await executionsOf(runtime, WEBHOOK, c.userId);
    const emails = (await sentEmails(runtime, `${c.userId}@example.com`)).filter((e) =>
      e.subject.startsWith('Tier'),
    );

    expect(run?.status).toBe('SUCCEEDED');
    expect(emails.map((e) => e.subject)).toEqual(['Tier gold']);
    expect(emails[0]?.body.text).toContain(`tier=gold coupon=CODE-${c.userId} missing=none`);
  });
});
