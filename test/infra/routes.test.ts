import { describe, expect, it } from 'vitest';
import {
  customerEventsPattern,
  type EventPattern,
  journeyObjectPattern,
  matchesPattern,
  sesDeliveryPattern,
  smsDeliveryPattern,
} from '#infra/routes.ts';

const s3Event = (detailType: string, bucket: string, key: string) => ({
  version: '0',
  source: 'aws.s3',
  'detail-type': detailType,
  detail: { bucket: { name: bucket }, object: { key, size: 120 } },
});

const sesEvent = (detailType: string, configurationSet: string) => ({
  source: 'aws.ses',
  'detail-type': detailType,
  detail: {
    eventType: 'Delivery',
    mail: { messageId: 'm-1', tags: { 'ses:configuration-set': [configurationSet], campaign: ['x'] } },
  },
});

describe('matchesPattern', () => {
  const cases: { name: string; pattern: EventPattern; event: unknown; expected: boolean }[] = [
    { name: 'exact value', pattern: { source: ['a'] }, event: { source: 'a' }, expected: true },
    {
      name: 'one of several values',
      pattern: { source: ['a', 'b'] },
      event: { source: 'b' },
      expected: true,
    },
    { name: 'other value', pattern: { source: ['a'] }, event: { source: 'c' }, expected: false },
    { name: 'missing field', pattern: { source: ['a'] }, event: { other: 'a' }, expected: false },
    { name: 'number is not its string', pattern: { n: [1] }, event: { n: '1' }, expected: false },
    { name: 'number', pattern: { n: [1] }, event: { n: 1 }, expected: true },
    { name: 'boolean', pattern: { ok: [false] }, event: { ok: false }, expected: true },
    { name: 'prefix', pattern: { k: [{ prefix: 'jo' }] }, event: { k: 'journeys/a' }, expected: true },
    { name: 'prefix miss', pattern: { k: [{ prefix: 'jo' }] }, event: { k: 'x/journeys' }, expected: false },
    { name: 'suffix', pattern: { k: [{ suffix: '.json' }] }, event: { k: 'a.json' }, expected: true },
    {
      name: 'suffix miss',
      pattern: { k: [{ suffix: '.json' }] },
      event: { k: 'a.json.bak' },
      expected: false,
    },
    { name: 'filter on a non-string', pattern: { k: [{ prefix: '1' }] }, event: { k: 12 }, expected: false },
    {
      name: 'wildcard',
      pattern: { k: [{ wildcard: 'j/*.json' }] },
      event: { k: 'j/t/a.json' },
      expected: true,
    },
    {
      name: 'wildcard, empty run',
      pattern: { k: [{ wildcard: 'j/*.json' }] },
      event: { k: 'j/.json' },
      expected: true,
    },
    {
      name: 'wildcard miss',
      pattern: { k: [{ wildcard: 'j/*.json' }] },
      event: { k: 'j/a.jsonx' },
      expected: false,
    },
    {
      name: 'wildcard keeps dots literal',
      pattern: { k: [{ wildcard: '*.json' }] },
      event: { k: 'ajson' },
      expected: false,
    },
    { name: 'nested', pattern: { d: { e: ['x'] } }, event: { d: { e: 'x', f: 1 } }, expected: true },
    { name: 'nested miss', pattern: { d: { e: ['x'] } }, event: { d: { e: 'y' } }, expected: false },
    { name: 'nested on a scalar', pattern: { d: { e: ['x'] } }, event: { d: 'x' }, expected: false },
    { name: 'array value, any element', pattern: { t: ['b'] }, event: { t: ['a', 'b'] }, expected: true },
    { name: 'array value, no element', pattern: { t: ['c'] }, event: { t: ['a', 'b'] }, expected: false },
    {
      name: 'every field must match',
      pattern: { a: ['1'], b: ['2'] },
      event: { a: '1', b: '3' },
      expected: false,
    },
    { name: 'not an object', pattern: { a: ['1'] }, event: 'a', expected: false },
    { name: 'empty pattern matches any object', pattern: {}, event: { a: 1 }, expected: true },
  ];

  it.each(cases)('$name', ({ pattern, event, expected }) => {
    // act / assert
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

describe('routes', () => {
  it.each([
    { detailType: 'track', type: 'track', source: 'journeys.customer', expected: true },
    { detailType: 'identify', type: 'identify', source: 'journeys.customer', expected: true },
    // Not for ingest to take, but for it to reject with the reason: the bus would drop them unseen.
    { detailType: 'Order Completed', type: 'track', source: 'journeys.customer', expected: true },
    { detailType: 'page', type: 'page', source: 'journeys.customer', expected: true },
    { detailType: 'track', type: undefined, source: 'journeys.customer', expected: true },
    { detailType: 'track', type: 'track', source: 'other.app', expected: false },
    { detailType: 'Journey Deployed', type: undefined, source: 'journeys.system', expected: false },
  ])(
    'customer events: $source $detailType (type $type) → $expected',
    ({ detailType, type, source, expected }) => {
      const event = { source, 'detail-type': detailType, detail: type === undefined ? {} : { type } };
      expect(matchesPattern(customerEventsPattern, event)).toBe(expected);
    },
  );

  it.each([
    { detailType: 'Object Created', bucket: 'b', key: 'journeys/cart.json', expected: true },
    { detailType: 'Object Deleted', bucket: 'b', key: 'journeys/cart.json', expected: true },
    {
      detailType: 'Object Created',
      bucket: 'b',
      key: 'journeys/templates/cart-reminder.json',
      expected: true,
    },
    // Every object under journeys/: deploy-journey answers a journey saved as .JSON, .json.txt or .yaml with a report.
    { detailType: 'Object Created', bucket: 'b', key: 'journeys/cart.JSON', expected: true },
    { detailType: 'Object Created', bucket: 'b', key: 'journeys/cart.json.txt', expected: true },
    { detailType: 'Object Created', bucket: 'b', key: 'journeys/cart.yaml', expected: true },
    { detailType: 'Object Created', bucket: 'b', key: 'other/cart.json', expected: false },
    { detailType: 'Object Created', bucket: 'other', key: 'journeys/cart.json', expected: false },
    { detailType: 'Object Restore Completed', bucket: 'b', key: 'journeys/cart.json', expected: false },
  ])(
    'journey objects: $detailType s3://$bucket/$key → $expected',
    ({ detailType, bucket, key, expected }) => {
      expect(matchesPattern(journeyObjectPattern('b'), s3Event(detailType, bucket, key))).toBe(expected);
    },
  );

  it.each([
    { detailType: 'Email Delivered', configurationSet: 'journeys', expected: true },
    { detailType: 'Email Bounced', configurationSet: 'journeys', expected: true },
    { detailType: 'Email Complaint Received', configurationSet: 'journeys', expected: true },
    { detailType: 'Email Delivered', configurationSet: 'billing', expected: false },
    { detailType: 'Sending Status Disabled', configurationSet: 'journeys', expected: false },
  ])(
    'SES events: $detailType via $configurationSet → $expected',
    ({ detailType, configurationSet, expected }) => {
      expect(matchesPattern(sesDeliveryPattern('journeys'), sesEvent(detailType, configurationSet))).toBe(
        expected,
      );
    },
  );

  it('routes SMS delivery receipts from End User Messaging', () => {
    const receipt = {
      source: 'aws.sms-voice',
      'detail-type': 'Text Message Delivery Status Updated',
      detail: { eventType: 'TEXT_DELIVERED', messageId: 'm-1', isFinal: true },
    };
    const registration = { ...receipt, 'detail-type': 'Registration Status Change' };
    expect([
      matchesPattern(smsDeliveryPattern('journeys'), receipt),
      matchesPattern(smsDeliveryPattern('journeys'), registration),
    ]).toEqual([true, false]);
  });
});
