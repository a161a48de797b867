import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import type { Condition } from '#shared/conditions/schema.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps, registerJourney, track } from './harness.ts';

/**
 * Names a customer controls (event names, trait keys, property keys, topics)
 * are data: whatever they are, the shared prototype stays as it was and no
 * other customer's profile or condition result changes.
 */

const SPECIAL = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'count',
  'days',
];
const userName = fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ minLength: 1, maxLength: 20 }));
const json = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null));
const bag = fc.dictionary(userName, fc.oneof(json, fc.dictionary(userName, json, { maxKeys: 3 })), {
  maxKeys: 4,
});

const hostileEvent = (userId: string) =>
  fc.oneof(
    fc
      .record({ name: userName, properties: bag })
      .map(({ name, properties }) => track(userId, name, properties)),
    fc
      .record({ traits: bag, topics: fc.dictionary(userName, fc.boolean(), { maxKeys: 3 }) })
      .map(({ traits, topics }) => identify(userId, { ...traits, consent: { topics } })),
  );

/** Everything observable about Object.prototype: own keys and their values. */
function prototypeSnapshot(): string {
  return Object.getOwnPropertyNames(Object.prototype)
    .sort()
    .map((key) => `${key}:${typeof Object.getOwnPropertyDescriptor(Object.prototype, key)?.value}`)
    .join(',');
}

const CONDITIONS: Condition[] = [
  { performed: 'Order Completed', atLeast: 5, within: 'P30D' },
  { performed: 'Order Completed', atLeast: 1 },
  { performed: '__proto__', atLeast: 1 },
  { performed: 'constructor', atMost: 0 },
  { path: 'profile.traits.plan', eq: 'pro' },
  { path: 'profile.traits.count', exists: true },
  { path: 'profile.events.toString.count', exists: true },
];

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('proto');
  await registerJourney(db, {
    id: 'loyal',
    name: 'Loyal',
    trigger: { type: 'event', event: 'Order Completed' },
    audience: { performed: 'Order Completed', atLeast: 5, within: 'P30D' },
    reentry: { mode: 'always' },
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
});
afterAll(async () => db.stop());

describe('prototype safety of customer-controlled names', () => {
  it('leaves Object.prototype and other customers untouched whatever the names', async () => {
    // arrange: a bystander with two orders and a plan
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, identify('bystander', { plan: 'free' }));
    for (let i = 0; i < 2; i++) await ingestEvent(deps, track('bystander', 'Order Completed'));
    const now = new Date('2026-11-24T10:00:00Z');
    const resultsFor = async () => {
      const { profile } = await deps.profiles.get('bystander');
      return CONDITIONS.map((c) => evaluateCondition(c, { profile, event: {}, trigger: {}, now }));
    };
    const before = await resultsFor();
    const prototype = prototypeSnapshot();
    let attacker = 0;
    // act / assert
    await fc.assert(
      fc.asyncProperty(fc.array(hostileEvent('x'), { minLength: 1, maxLength: 4 }), async (events) => {
        attacker += 1;
        for (const event of events) {
          const result = await ingestEvent(deps, { ...event, userId: `attacker-${attacker}` });
          expect(['recorded', 'rejected', 'duplicate']).toContain(result.status);
          if (result.status === 'rejected') expect(result.problems.length).toBeGreaterThan(0);
        }
        await deps.profiles.get(`attacker-${attacker}`);
        expect(prototypeSnapshot()).toBe(prototype);
        expect(await resultsFor()).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  it('counts an event named like a prototype member as an ordinary event', async () => {
    const { deps } = ingestDeps(db);
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      await ingestEvent(deps, track('named', name));
      await ingestEvent(deps, track('named', name));
    }
    const { profile } = await deps.profiles.get('named');
    expect(Object.getPrototypeOf(profile.events)).toBeNull();
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      expect(Object.getOwnPropertyDescriptor(profile.events, name)?.value).toMatchObject({ count: 2 });
    }
    expect(({} as Record<string, unknown>).count).toBeUndefined();
  });

  it('rejects __proto__ as a key with the field, and keeps constructor as an ordinary trait', async () => {
    const { deps } = ingestDeps(db);
    const withProto = JSON.parse('{"__proto__": {"count": 1}}');
    const rejected = await ingestEvent(deps, track('keys', 'Page Viewed', withProto));
    const constructorTrait = await ingestEvent(deps, identify('keys', { nested: { constructor: 'x' } }));
    expect(rejected).toMatchObject({ status: 'rejected', problems: [{ field: 'properties.__proto__' }] });
    expect(constructorTrait).toMatchObject({ status: 'recorded' });
    const { profile } = await deps.profiles.get('keys');
    expect(JSON.stringify(profile.traits.nested)).toBe('{"constructor":"x"}');
  });
});
