import { describe, expect, it } from 'vitest';
import { customerIdOf, MAX_EVENT_NAME_LENGTH, parseCustomerEvent } from '#shared/events.ts';

/** A track call as Segment forwards it from analytics.js (shape of Segment's spec examples). */
const segmentTrack = {
  anonymousId: '23adfd82-aa0f-45a7-a756-24f2a7a4c895',
  channel: 'client',
  context: {
    ip: '108.0.78.21',
    library: { name: 'analytics.js', version: '2.11.1' },
    locale: 'en-US',
    page: { path: '/checkout', referrer: '', title: 'Checkout', url: 'https://shop.example.com/checkout' },
    timezone: 'America/New_York',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15',
  },
  event: 'Order Completed',
  integrations: { All: true, Mixpanel: false },
  messageId: 'ajs-next-1732442400000-2f3c8a7e-6b1d-4e0a-9c55-0d8e1f7a3b21',
  originalTimestamp: '2026-11-24T10:00:00.120Z',
  properties: {
    checkout_id: 'fksdjfsdjfisjf9sdfjsd9f',
    order_id: '50314b8e9bcf000000000000',
    total: 27.5,
    currency: 'USD',
    products: [{ product_id: '507f1f77bcf86cd799439011', sku: '45790-32', price: 19, quantity: 1 }],
  },
  receivedAt: '2026-11-24T10:00:01.266Z',
  sentAt: '2026-11-24T10:00:01.169Z',
  timestamp: '2026-11-24T10:00:00.217Z',
  type: 'track',
  userId: 'user-1234',
  version: 2,
};

/** An identify call as Segment forwards it. */
const segmentIdentify = {
  anonymousId: '507f191e810c19729de860ea',
  channel: 'browser',
  context: { ip: '8.8.8.8', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' },
  integrations: {},
  messageId: '022bb90c-bbac-11e4-8dfc-aa07a5b093db',
  receivedAt: '2026-11-24T10:00:01.266Z',
  sentAt: '2026-11-24T10:00:01.169Z',
  timestamp: '2026-11-24T10:00:00.217Z',
  traits: {
    name: 'Peter Gibbons',
    email: 'peter@example.com',
    phone: '+1 (555) 010-0199',
    timezone: 'America/Chicago',
    plan: 'premium',
    logins: 5,
    address: { street: '6th St', city: 'San Francisco', state: 'CA', postalCode: '94103', country: 'USA' },
    consent: { email: true, sms: 'unsubscribed', topics: { newsletter: true } },
  },
  type: 'identify',
  userId: '97980cfea0067',
  version: '1.1',
};

/** A track call as RudderStack's JavaScript SDK sends it (context.timezone is a GMT offset there). */
const rudderTrack = {
  anonymousId: '8d872292709c6fbe',
  channel: 'web',
  context: {
    app: {
      build: '1.0.0',
      name: 'RudderLabs JavaScript SDK',
      namespace: 'com.rudderlabs.javascript',
      version: '3.11.0',
    },
    library: { name: 'RudderLabs JavaScript SDK', version: '3.11.0' },
    locale: 'en-GB',
    os: { name: '', version: '' },
    screen: { density: 2, width: 1440, height: 900 },
    timezone: 'GMT+0530',
    traits: { email: 'alex@example.com' },
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  },
  event: 'Cart Updated',
  integrations: { All: true },
  messageId: '0bab70e8-0ad8-4e62-9b93-47ee3b8b0c56',
  originalTimestamp: '2026-03-29T00:59:59.999Z',
  properties: { cartId: 'c-42', total: 64.9, revenue: 64.9 },
  receivedAt: '2026-03-29T01:00:00.412+00:00',
  request_ip: '[::1]',
  rudderId: '3c1a7bd5-9d5d-4ec1-b6d3-4aa46f6d0f0b',
  sentAt: '2026-03-29T01:00:00.101Z',
  timestamp: '2026-03-29T01:00:00.310+05:30',
  type: 'track',
  userId: 'alex-7',
};

/** An identify call from a RudderStack mobile SDK: anonymous user, IANA zone in context. */
const rudderIdentify = {
  anonymousId: 'b0e8b7f4-69e7-4a8c-8ef2-2d3cf0ce3d21',
  channel: 'mobile',
  context: {
    device: {
      id: 'b0e8b7f4',
      manufacturer: 'Google',
      model: 'Pixel 8',
      token: 'fcm-token-1',
      type: 'android',
    },
    locale: 'it-IT',
    timezone: 'Europe/Rome',
    traits: { anonymousId: 'b0e8b7f4-69e7-4a8c-8ef2-2d3cf0ce3d21' },
  },
  messageId: '1732442400-6f3d1c0e-0b52-4b1e-9b7a-7f1b0d2e3c4d',
  originalTimestamp: '2026-10-25T00:30:00.000Z',
  sentAt: '2026-10-25T00:30:01.000Z',
  timestamp: '2026-10-25T00:30:00.500Z',
  traits: { email: '', locale: 'it_IT', firstName: 'Giulia' },
  type: 'identify',
  userId: null,
};

describe('parseCustomerEvent: payloads as CDPs send them', () => {
  it.each([
    { name: 'Segment track', payload: segmentTrack, customer: 'user-1234' },
    { name: 'Segment identify', payload: segmentIdentify, customer: '97980cfea0067' },
    { name: 'RudderStack track', payload: rudderTrack, customer: 'alex-7' },
    {
      name: 'RudderStack anonymous identify',
      payload: rudderIdentify,
      customer: 'anon:b0e8b7f4-69e7-4a8c-8ef2-2d3cf0ce3d21',
    },
  ])('accepts a $name', ({ payload, customer }) => {
    // act
    const result = parseCustomerEvent(payload);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(customerIdOf(result.event)).toBe(customer);
    expect(result.event.messageId).toBe(payload.messageId);
    expect(result.event.timestamp).toBe(payload.timestamp);
  });

  it('drops the top-level fields CDPs add and the product does not use', () => {
    const result = parseCustomerEvent(rudderTrack);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(Object.keys(result.event).sort()).toStrictEqual(
      ['anonymousId', 'context', 'event', 'messageId', 'properties', 'timestamp', 'type', 'userId'].sort(),
    );
  });

  it('keeps track properties and identify traits as sent', () => {
    const track = parseCustomerEvent(segmentTrack);
    const identify = parseCustomerEvent(segmentIdentify);
    if (!track.ok || !identify.ok) throw new Error('expected both to parse');
    expect(track.event.type === 'track' && track.event.properties).toStrictEqual(segmentTrack.properties);
    expect(identify.event.traits).toStrictEqual(segmentIdentify.traits);
  });

  it('drops a context time zone that is not an IANA zone, and keeps an IANA one', () => {
    const rudder = parseCustomerEvent(rudderTrack);
    const mobile = parseCustomerEvent(rudderIdentify);
    if (!rudder.ok || !mobile.ok) throw new Error('expected both to parse');
    expect(rudder.event.context?.timezone).toBeUndefined();
    expect(rudder.event.context?.locale).toBe('en-GB');
    expect(mobile.event.context?.timezone).toBe('Europe/Rome');
  });

  it.each([
    { name: 'a null userId', patch: { userId: null }, userId: undefined },
    { name: 'a blank userId', patch: { userId: '  ' }, userId: undefined },
    { name: 'a numeric userId', patch: { userId: 1234 }, userId: '1234' },
    { name: 'a userId with spaces around', patch: { userId: ' u-1 ' }, userId: 'u-1' },
  ])('reads $name', ({ patch, userId }) => {
    const result = parseCustomerEvent({ ...segmentTrack, ...patch });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.event.userId).toBe(userId);
  });

  it.each([
    { name: 'null properties', patch: { properties: null }, properties: {} },
    { name: 'no properties', patch: { properties: undefined }, properties: {} },
  ])('reads $name as empty', ({ patch, properties }) => {
    const result = parseCustomerEvent({ ...segmentTrack, ...patch });
    if (!result.ok || result.event.type !== 'track') throw new Error('expected a track event');
    expect(result.event.properties).toStrictEqual(properties);
  });
});

type Broken = { name: string; payload: unknown; fields: string[] };

describe('parseCustomerEvent: broken events name their fields', () => {
  const { timestamp: _timestamp, ...trackWithoutTimestamp } = segmentTrack;
  const { messageId: _messageId, ...trackWithoutMessageId } = segmentTrack;
  const cases: Broken[] = [
    { name: 'no timestamp', payload: trackWithoutTimestamp, fields: ['timestamp'] },
    {
      name: 'a timestamp without a zone',
      payload: { ...segmentTrack, timestamp: '2026-11-24T10:00:00' },
      fields: ['timestamp'],
    },
    {
      name: 'an epoch timestamp',
      payload: { ...segmentTrack, timestamp: 1732442400000 },
      fields: ['timestamp'],
    },
    { name: 'no messageId', payload: trackWithoutMessageId, fields: ['messageId'] },
    { name: 'an empty messageId', payload: { ...segmentTrack, messageId: '' }, fields: ['messageId'] },
    {
      name: 'properties that are a list',
      payload: { ...segmentTrack, properties: [1, 2] },
      fields: ['properties'],
    },
    {
      name: 'properties that are text',
      payload: { ...segmentTrack, properties: 'total=3' },
      fields: ['properties'],
    },
    {
      name: 'no customer id',
      payload: { ...segmentTrack, userId: null, anonymousId: null },
      fields: ['userId'],
    },
    {
      name: 'a userId that is an object',
      payload: { ...segmentTrack, userId: { id: 1 } },
      fields: ['userId'],
    },
    {
      name: 'an anonymousId that is a list',
      payload: { ...segmentTrack, anonymousId: ['a'] },
      fields: ['anonymousId'],
    },
    {
      name: 'a track without an event name',
      payload: { ...segmentTrack, event: undefined },
      fields: ['event'],
    },
    { name: 'a blank event name', payload: { ...segmentTrack, event: '   ' }, fields: ['event'] },
    {
      name: 'an event name with a line break',
      payload: { ...segmentTrack, event: 'Order\nCompleted' },
      fields: ['event'],
    },
    {
      name: 'an event name too long',
      payload: { ...segmentTrack, event: 'x'.repeat(MAX_EVENT_NAME_LENGTH + 1) },
      fields: ['event'],
    },
    { name: 'an event name that is a number', payload: { ...segmentTrack, event: 42 }, fields: ['event'] },
    { name: 'a page call', payload: { ...segmentTrack, type: 'page' }, fields: ['type'] },
    { name: 'no type', payload: { ...segmentTrack, type: undefined }, fields: ['type'] },
    { name: 'traits that are a list', payload: { ...segmentIdentify, traits: ['vip'] }, fields: ['traits'] },
    {
      name: 'properties on an identify call',
      payload: { ...segmentIdentify, properties: { a: 1 } },
      fields: ['properties'],
    },
    { name: 'a context that is text', payload: { ...segmentTrack, context: 'web' }, fields: ['context'] },
    {
      name: 'several problems at once',
      payload: {
        ...segmentTrack,
        userId: null,
        anonymousId: null,
        messageId: '',
        timestamp: 'yesterday',
        properties: [],
      },
      fields: ['messageId', 'properties', 'timestamp', 'userId'],
    },
  ];

  it.each(cases)('rejects $name', ({ payload, fields }) => {
    // act
    const result = parseCustomerEvent(payload);
    // assert
    if (result.ok) throw new Error('expected problems');
    expect([...new Set(result.problems.map((problem) => problem.field))].sort()).toStrictEqual(fields);
    for (const problem of result.problems) expect(problem.message).not.toBe('');
  });

  it.each([
    ['an invalid email', { email: 'peter at example' }],
    ['an email that is a number', { email: 42 }],
    ['a phone with letters', { phone: 'call me' }],
    ['a time zone that is an offset', { timezone: 'GMT+0530' }],
    ['a time zone that is not an IANA name', { timezone: 'Eastern' }],
    ['a malformed locale', { locale: 'english' }],
  ])('takes an event with %s trait: the profile leaves that trait out, not the event', (_name, traits) => {
    expect(parseCustomerEvent({ ...segmentIdentify, traits }).ok).toBe(true);
    expect(parseCustomerEvent({ ...segmentTrack, traits }).ok).toBe(true);
  });

  it.each([null, 'track', 42, [segmentTrack]])('rejects %j, which is not an event object', (payload) => {
    expect(parseCustomerEvent(payload)).toStrictEqual({
      ok: false,
      problems: [{ field: '(event)', message: 'must be a JSON object in the Segment spec shape' }],
    });
  });

  it('says what a timestamp must look like', () => {
    const result = parseCustomerEvent({ ...segmentTrack, timestamp: '24/11/2026' });
    expect(result).toStrictEqual({
      ok: false,
      problems: [
        { field: 'timestamp', message: 'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z' },
      ],
    });
  });
});

describe('customerIdOf', () => {
  it.each([
    { ids: { userId: 'u-1', anonymousId: 'a-1' }, expected: 'u-1' },
    { ids: { anonymousId: 'a-1' }, expected: 'anon:a-1' },
  ])('is $expected', ({ ids, expected }) => {
    const result = parseCustomerEvent({
      type: 'track',
      event: 'E',
      messageId: 'm',
      timestamp: '2026-11-24T10:00:00Z',
      ...ids,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(customerIdOf(result.event)).toBe(expected);
  });
});

describe('parseCustomerEvent: ids as keys', () => {
  const base = { type: 'track', event: 'E', messageId: 'm', timestamp: '2026-11-24T10:00:00Z' };
  it('takes ids up to 1024 bytes of UTF-8, whatever their characters', () => {
    expect(parseCustomerEvent({ ...base, userId: 'x'.repeat(1024) }).ok).toBe(true);
    expect(parseCustomerEvent({ ...base, userId: '字'.repeat(341) }).ok).toBe(true);
    expect(parseCustomerEvent({ ...base, userId: 'ada@example.com#1:ü😀' }).ok).toBe(true);
  });

  it('refuses ids over 1024 bytes, which DynamoDB could not hold as a key', () => {
    // 600 emoji: longer than 1024 in UTF-16 units, not in code points (what a length check counts), 2400 bytes
    for (const id of ['字'.repeat(342), '😀'.repeat(257), '😀'.repeat(600), 'x'.repeat(1025)]) {
      for (const field of ['userId', 'anonymousId']) {
        const result = parseCustomerEvent({ ...base, [field]: id });
        expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([field]);
      }
    }
  });

  it('reads an integer messageId as its string, as it reads ids, and says what a messageId of another kind must be', () => {
    // A backend's row id: the same number on a redelivery, so the same event.
    const numbered = parseCustomerEvent({ ...base, userId: 'u', messageId: 90210 });
    expect(numbered.ok && numbered.event.messageId).toBe('90210');
    for (const messageId of [1.5, { id: 'm' }, true]) {
      expect(parseCustomerEvent({ ...base, userId: 'u', messageId })).toStrictEqual({
        ok: false,
        problems: [
          {
            field: 'messageId',
            message: 'must be a string (or an integer): a unique id per event, kept by a redelivery',
          },
        ],
      });
    }
  });

  it('refuses a userId starting with the anonymous key prefix, not an anonymousId', () => {
    const result = parseCustomerEvent({ ...base, userId: 'anon:42' });
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(['userId']);
    expect(parseCustomerEvent({ ...base, anonymousId: 'anon:42' }).ok).toBe(true);
  });
});

describe('parseCustomerEvent: keys DynamoDB can store', () => {
  it('refuses an empty key at any depth, naming where', () => {
    const base = { type: 'identify', userId: 'u', messageId: 'm', timestamp: '2026-11-24T10:00:00Z' };
    const cases = [{ context: { device: { '': 1 } }, field: 'context.device(key)' }];
    for (const { field, ...patch } of cases) {
      const result = parseCustomerEvent({ ...base, ...patch });
      expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([field]);
    }
    const track = { ...base, type: 'track', event: 'E', properties: { items: [{ '': 2 }] } };
    const result = parseCustomerEvent(track);
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(['properties.items.0(key)']);
  });
});

describe('parseCustomerEvent: numbers DynamoDB can store', () => {
  it("refuses a number past DynamoDB's range, naming where, and takes the largest and smallest it stores", () => {
    const base = {
      type: 'track',
      userId: 'u',
      event: 'E',
      messageId: 'm',
      timestamp: '2026-11-24T10:00:00Z',
    };
    const refused = parseCustomerEvent({ ...base, properties: { big: 1e200, list: [1e-200], ok: 0 } });
    expect(refused.ok ? [] : refused.problems.map((p) => p.field).sort()).toEqual([
      'properties.big',
      'properties.list.0',
    ]);
    expect(parseCustomerEvent({ ...base, properties: { big: 9.99e125, small: -1e-130, zero: -0 } }).ok).toBe(
      true,
    );
  });
});

describe('parseCustomerEvent: timestamps as SDKs write them', () => {
  const at = (timestamp: unknown) => {
    const result = parseCustomerEvent({ type: 'track', userId: 'u', event: 'E', messageId: 'm', timestamp });
    return result.ok ? new Date(result.event.timestamp).toISOString() : result.problems.map((p) => p.field);
  };

  it('reads offsets in the basic form (+0100) and nanoseconds as the instants they are', () => {
    expect(at('2026-11-24T10:00:00.000+0100')).toBe('2026-11-24T09:00:00.000Z');
    expect(at('2026-11-24T10:00:00-0530')).toBe('2026-11-24T15:30:00.000Z');
    expect(at('2026-11-24T10:00:00.123456789Z')).toBe('2026-11-24T10:00:00.123Z');
  });

  it('refuses a time without a zone, an epoch number, or none, with the field named', () => {
    for (const timestamp of ['2026-11-24T10:00:00', 1795514400000, undefined, '2026-11-24T10:00:00+01'])
      expect(at(timestamp)).toEqual(['timestamp']);
  });

  it.each([
    [
      '2026-11-24T10:00:00',
      'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z: "2026-11-24T10:00:00" has no offset, so the instant it names is unknown; add Z for UTC or the sender\'s offset (+01:00)',
    ],
    [
      '2026-11-24 10:00:00.250',
      'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z: "2026-11-24 10:00:00.250" has no offset, so the instant it names is unknown; add Z for UTC or the sender\'s offset (+01:00)',
    ],
    [
      1795514400000,
      'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z, not a number (epoch time): send it as a string, e.g. new Date(1795514400000).toISOString()',
    ],
    [
      '2026-11-24T10:00:00+01',
      'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z: the offset of "2026-11-24T10:00:00+01" needs its minutes (+01:00, not +01)',
    ],
    ['yesterday', 'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z'],
  ])('tells the sender how to fix %s', (timestamp, message) => {
    // act
    const result = parseCustomerEvent({ type: 'track', userId: 'u', event: 'E', messageId: 'm', timestamp });
    // assert
    expect(result).toStrictEqual({ ok: false, problems: [{ field: 'timestamp', message }] });
  });
});

describe('parseCustomerEvent: placeholder and absurd timestamps', () => {
  const problems = (timestamp: string) => {
    const result = parseCustomerEvent({ type: 'track', userId: 'u', event: 'E', messageId: 'm', timestamp });
    return result.ok ? 'accepted' : result.problems;
  };

  it.each([
    '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '1999-12-31T23:59:59.999Z',
    '2000-01-01T00:59:59+01:00',
  ])('refuses %s with the reason', (timestamp) => {
    expect(problems(timestamp)).toStrictEqual([
      {
        field: 'timestamp',
        message:
          'is before 2000-01-01T00:00:00Z: a placeholder (0001-01-01, 1970-01-01) rather than when the event happened; send the time it happened',
      },
    ]);
  });

  it('accepts the first instant of 2000 and later', () => {
    expect(problems('2000-01-01T00:00:00Z')).toBe('accepted');
    expect(problems('2000-01-01T01:00:00+01:00')).toBe('accepted');
  });
});
