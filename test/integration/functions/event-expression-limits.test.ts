import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { parseCustomerEvent } from '#shared/events.ts';
import { profileChanges } from '#shared/profile/changes.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * DynamoDB refuses an update or condition expression over 4 KB (dynalite
 * does not check): whatever an event the edge accepts holds, each write
 * ingest makes for it must stay within that, on every path (new traits,
 * known ones, an older event filling gaps).
 */

const MAX_EXPRESSION = 4096;

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('event-expression-limits');
});
afterAll(async () => db.stop());

/** Keeps the length of each expression the document client sends, until the returned stop is called. */
function recordExpressions(lengths: number[]): () => void {
  const name = 'expressionLengths';
  db.doc.middlewareStack.add(
    (next) => async (args) => {
      const input: object = args.input;
      for (const key of ['UpdateExpression', 'ConditionExpression']) {
        const expression: unknown = Reflect.get(input, key);
        if (typeof expression === 'string') lengths.push(expression.length);
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return () => db.doc.middlewareStack.remove(name);
}

/** The most an identify-carrying track event can set: many traits, every reserved one, consent with many topics. */
function largestEvent(userId: string, messageId: string, timestamp: string, prefix: string) {
  const traits: Record<string, unknown> = Object.fromEntries(
    Array.from({ length: 150 }, (_, i) => [`${prefix}-${i}`, i]),
  );
  Object.assign(traits, {
    email: 'ada@example.com',
    phone: '+14155550100',
    timezone: 'Europe/Rome',
    locale: 'it-IT',
    unsubscribed: true,
    consent: {
      email: false,
      sms: 'false',
      push: true,
      topics: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`topic-${i}`, i % 2 === 0])),
    },
  });
  const parsed = parseCustomerEvent({
    type: 'track',
    event: 'Order Completed',
    userId,
    messageId,
    timestamp,
    properties: { total: 1 },
    traits,
    context: { device: { token: 'a'.repeat(64), type: 'ios' } },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const live = { awaited: new Set(['Order Completed']), counted: new Set(['Order Completed']) };
  return profileChanges(parsed.event, userId, live);
}

describe('ingest writes: within DynamoDB expression limits for the largest events', () => {
  it('a new profile, a known one, and an older event filling its gaps', async () => {
    const lengths: number[] = [];
    const stop = recordExpressions(lengths);
    const profiles = new ProfilesRepository(db.doc, db.tables.profiles);
    const now = new Date('2026-11-24T10:00:00Z');
    const first = largestEvent('u-largest', 'm-1', '2026-11-24T09:00:00Z', 'a');
    // The reserved traits and the consent are kept ahead of the hundred others.
    expect(first.consent).toEqual([
      { channel: 'sms', status: 'unsubscribed' },
      { channel: 'push', status: 'subscribed' },
      { channel: 'email', status: 'unsubscribed' },
    ]);
    expect(first.topics).toHaveLength(50);
    expect(first.email).toBe('ada@example.com');
    // A newer event first: the largest one then arrives late and takes the stale path with every trait new.
    const newer = parseCustomerEvent({
      type: 'track',
      event: 'Order Completed',
      userId: 'u-largest',
      messageId: 'm-0',
      timestamp: '2026-11-24T09:30:00Z',
      properties: {},
    });
    if (!newer.ok) throw new Error('invalid');
    await profiles.recordEvent(profileChanges(newer.event, 'u-largest'), now);
    await profiles.recordEvent(first, now);
    // Newer again, with traits the profile has and some it lacks (over its cap).
    await profiles.recordEvent(largestEvent('u-largest', 'm-2', '2026-11-24T09:45:00Z', 'b'), now);
    stop();
    expect(lengths.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_EXPRESSION);
    const { profile } = await profiles.get('u-largest');
    expect(profile.consent.email).toMatchObject({ status: 'unsubscribed' });
    // A hundred traits, and the reserved ones (email, phone, timezone, locale) that always apply.
    const reserved = new Set(['email', 'phone', 'timezone', 'locale']);
    expect(Object.keys(profile.traits).filter((trait) => !reserved.has(trait))).toHaveLength(100);
  });
});
