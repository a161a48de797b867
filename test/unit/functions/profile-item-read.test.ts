import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packSeen } from '#functions/_lib/profile-counter.ts';
import { readProfileItem } from '#functions/_lib/profile-item.ts';
import { PushToken } from '#shared/profile/profile.ts';

/**
 * A stored profile is external data: each attribute is read by its prefix,
 * and a value of the wrong shape is ignored, never taken for another kind.
 */

const AT = Date.parse('2026-03-02T08:00:00.000Z');

describe('reading a profile item', () => {
  it('reads every attribute of the current layout by its prefix', () => {
    // arrange
    const item = {
      userId: 'u-1',
      'c:Cart Updated': packSeen(3, AT),
      'l:Cart Updated': AT + 60_000,
      'd:Cart Updated:k6c': 2,
      'x:Order Completed': ['m-1', AT, { total: 12 }],
      'ws:Order Completed': new Set(['a', 'b']),
      'wo:abc': 'Order Completed',
      'mk:u-0': AT,
      'sends:email': [AT, '2026-03-01T08:00:00.000Z'],
      sendsVersion: 2,
      skd: 30,
      't:plan': 'pro',
      'cs:email': 'unsubscribed',
      'cr:email': 'link',
      'ct:sms:news:weekly': false,
      email: 'a@example.com',
    };

    // act
    const state = readProfileItem('u-1', item);

    // assert
    expect(state.profile.events['Cart Updated']).toEqual({
      count: 3,
      first: '2026-03-02T08:00:00.000Z',
      last: '2026-03-02T08:01:00.000Z',
      days: { [new Date(Number.parseInt('k6c', 36) * 86_400_000).toISOString().slice(0, 10)]: 2 },
    });
    expect(state.lastEvents['Order Completed']).toEqual({
      messageId: 'm-1',
      timestamp: '2026-03-02T08:00:00.000Z',
      properties: { total: 12 },
    });
    expect(state.waitingFor['Order Completed']).toBe(2);
    expect(state.waitingOverflow?.abc).toBe('Order Completed');
    expect(state.mergedKeys).toEqual(['u-0']);
    expect(state.sends.email).toEqual(['2026-03-02T08:00:00.000Z', '2026-03-01T08:00:00.000Z']);
    expect(state.sendsVersion).toBe(2);
    expect(state.sendsKeptDays).toBe(30);
    expect(state.profile.traits.plan).toBe('pro');
    expect(state.profile.consent.email).toEqual({ status: 'unsubscribed', reason: 'link' });
    expect(state.profile.consent.sms?.topics?.['news:weekly']).toBe(false);
    expect(state.profile.email).toBe('a@example.com');
  });

  it('ignores values of the wrong shape, whatever their prefix', () => {
    // arrange
    const item = {
      'c:Seen': packSeen(1, AT),
      'l:Seen': '2026-03-02T08:00:00.000Z',
      'd:Seen': 4,
      'x:Seen': ['m-1', 'not a time', {}],
      'sends:email': [AT, Number.NaN],
      'sends:sms': [AT, Number.POSITIVE_INFINITY],
      'sends:fax': [AT],
      'cs:email': 'maybe',
      'cs:fax': 'unsubscribed',
      'wf:Seen': 'two',
      'mk:u-0': 'u-0',
      c: 1,
      'e:': 2,
      'en:Old': 'three',
    };

    // act
    const state = readProfileItem('u-1', item);

    // assert: an event without its last-seen time is no event; the rest is as if absent
    expect(state.profile.events).toEqual({});
    expect(state.lastEvents).toEqual({});
    expect(state.sends).toEqual({ email: [], sms: [], push: [] });
    expect(state.profile.consent).toEqual({ email: { status: 'subscribed' } });
    expect(state.waitingFor).toEqual({});
    expect(state.mergedKeys).toBeUndefined();
    expect(state.profile.traits).toEqual({});
  });

  it('reads the event attributes of the older layouts', () => {
    // arrange
    const item = {
      'en:Old': 2,
      'ef:Old': '2026-03-01T08:00:00.000Z',
      'el:Old': AT,
      'ed:Old:2026-03-02': 2,
      'ex:Old': { messageId: 'm-0', timestamp: '2026-03-02T08:00:00.000Z', properties: {} },
    };

    // act
    const state = readProfileItem('u-1', item);

    // assert
    expect(state.profile.events.Old).toEqual({
      count: 2,
      first: '2026-03-01T08:00:00.000Z',
      last: '2026-03-02T08:00:00.000Z',
      days: { '2026-03-02': 2 },
    });
    expect(state.lastEvents.Old?.messageId).toBe('m-0');
  });
});

describe('reading a profile item’s push tokens', () => {
  it('keeps a token exactly when PushToken would parse it, as PushToken gives it', () => {
    const service = fc.oneof(
      fc.constantFrom(
        'APNS',
        'APNS_SANDBOX',
        'GCM',
        'BAIDU',
        'ADM',
        'apns',
        '',
        'FCM',
        'constructor',
        '__proto__',
      ),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const stored = fc.oneof(service, fc.tuple(service, fc.integer()));
    const tokens = fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constant('')), stored, {
      maxKeys: 5,
    });
    fc.assert(
      fc.property(tokens, (byToken) => {
        const item: Record<string, unknown> = { userId: 'u-1' };
        for (const [token, value] of Object.entries(byToken)) item[`tok:${token}`] = value;
        const expected = Object.entries(byToken).flatMap(([token, value]) => {
          const parsed = PushToken.safeParse({ token, service: Array.isArray(value) ? value[0] : value });
          return parsed.success ? [parsed.data] : [];
        });
        const read = readProfileItem('u-1', item).profile.pushTokens;
        expect(read ?? []).toStrictEqual(expected);
        expect(JSON.stringify(read ?? [])).toBe(JSON.stringify(expected));
      }),
      { numRuns: 500 },
    );
  });
});
