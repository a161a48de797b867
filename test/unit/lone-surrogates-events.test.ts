import { describe, expect, it } from 'vitest';
import { parseCustomerEvent } from '#shared/events.ts';
import { splitTraits } from '#shared/ingest/limits.ts';

const HALF = 'holds half of a surrogate pair';
const track = (fields: Record<string, unknown>) => ({
  type: 'track',
  userId: 'u-1',
  event: 'Order Completed',
  messageId: 'm-1',
  timestamp: '2026-11-24T10:00:00Z',
  properties: {},
  ...fields,
});

/** Stored through the SDK's UTF-8 encoder, each of these would become another name (U+FFFD in its place). */
describe('an event holding half of a surrogate pair in a name', () => {
  it.each([
    ['the event name', { event: 'Order \ud800Completed' }, 'event'],
    ['the userId', { userId: 'u-\udc00' }, 'userId'],
    ['the anonymousId', { userId: undefined, anonymousId: 'a\ud83d' }, 'anonymousId'],
    ['a property key', { properties: { 'total\ud800': 1 } }, 'properties(key)'],
    ['a nested key', { properties: { cart: { '\udfff': 1 } } }, 'properties.cart(key)'],
  ])('is rejected in %s, with the field named', (_what, fields, field) => {
    // act
    const result = parseCustomerEvent(track(fields));
    // assert
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.filter((p) => p.message.includes(HALF)).map((p) => p.field)).toStrictEqual([field]);
  });

  it('leaves out only the trait whose name or nested key holds one, and takes whole pairs', () => {
    // act
    const { kept, dropped } = splitTraits({
      'plan\ud800': 'pro',
      prefs: { '\udc00x': true },
      mood: '😀',
      'emoji😀': 1,
    });
    // assert
    expect(kept).toStrictEqual([
      ['mood', '😀'],
      ['emoji😀', 1],
    ]);
    expect(dropped.map((d) => d.trait)).toStrictEqual(['plan\ud800', 'prefs']);
    for (const d of dropped) expect(d.reason).toContain(HALF);
  });
});
