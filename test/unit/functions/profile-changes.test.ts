import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '#shared/events.ts';
import { profileChanges } from '#shared/profile/changes.ts';

describe('profileChanges', () => {
  it('reads channels, consent, zone and push token from an identify call', () => {
    const event = CustomerEvent.parse({
      type: 'identify',
      userId: 'u',
      messageId: 'm',
      timestamp: '2026-11-24T10:00:00Z',
      traits: {
        email: 'a@b.co',
        phone: '+14155550123',
        consent: { sms: 'unsubscribed', topics: { news: false } },
      },
      context: { timezone: 'Europe/Rome', locale: 'it-IT', device: { token: 'tok', type: 'ios' } },
    });
    expect(profileChanges(event, 'u')).toMatchObject({
      email: 'a@b.co',
      phone: '+14155550123',
      timezone: 'Europe/Rome',
      locale: 'it-IT',
      pushTokens: [{ token: 'tok', service: 'APNS' }],
      consent: [{ channel: 'sms', status: 'unsubscribed' }],
      topics: [{ channel: 'email', topic: 'news', subscribed: false }],
    });
  });

  it('leaves out a reserved trait whose value is not of its kind, with the reason and its path, and applies the rest', () => {
    const event = CustomerEvent.parse({
      type: 'identify',
      userId: 'u',
      messageId: 'm3',
      timestamp: '2026-11-24T10:00:00Z',
      traits: {
        email: 'a@b.co',
        phone: '+14155550123',
        consent: { email: 'subscribed' },
        firstName: 'Ada',
        timezone: 'Eastern',
        locale: 'english',
      },
      context: { timezone: 'America/New_York' },
    });
    const changes = profileChanges(event, 'u');
    expect(changes).toMatchObject({
      email: 'a@b.co',
      phone: '+14155550123',
      consent: [{ channel: 'email', status: 'subscribed' }],
      // The context's zone, not the trait the profile cannot use.
      timezone: 'America/New_York',
      droppedTraits: [
        { trait: 'timezone', reason: 'must be an IANA time zone such as Europe/Rome or America/New_York' },
        { trait: 'locale', reason: 'must be a locale such as en-US or it' },
      ],
    });
    expect(changes.locale).toBeUndefined();
    expect(Object.keys(changes.traits).sort()).toEqual(['consent', 'email', 'firstName', 'phone']);
  });

  it.each([
    ['email', 'peter at example', 'must be an email address such as ada@example.com'],
    ['email', 42, 'must be a string: an email address such as ada@example.com'],
    ['phone', 'call me', 'must be a phone number such as +14155550100'],
    ['timezone', 'GMT+0530', 'must be an IANA time zone such as Europe/Rome or America/New_York'],
  ])('leaves out %s %j', (trait, value, reason) => {
    const event = CustomerEvent.parse({
      type: 'identify',
      userId: 'u',
      messageId: 'm4',
      timestamp: '2026-11-24T10:00:00Z',
      traits: { [trait]: value, firstName: 'Ada' },
    });
    const changes = profileChanges(event, 'u');
    expect(changes.droppedTraits).toEqual([{ trait, reason }]);
    expect(changes.traits).toEqual({ firstName: 'Ada' });
    expect([changes.email, changes.phone, changes.timezone]).toEqual([undefined, undefined, undefined]);
  });

  it('takes empty and null reserved traits as "no value", as CDPs send them', () => {
    const event = CustomerEvent.parse({
      type: 'identify',
      userId: 'u',
      messageId: 'm5',
      timestamp: '2026-11-24T10:00:00Z',
      traits: { email: null, phone: '', timezone: null, locale: '' },
    });
    const changes = profileChanges(event, 'u');
    expect(changes.droppedTraits).toEqual([]);
    expect(changes.cleared).toEqual(['email']);
  });

  it('counts a track event on its UTC day and keeps a snapshot', () => {
    const event = CustomerEvent.parse({
      type: 'track',
      userId: 'u',
      event: 'Order Completed',
      messageId: 'm2',
      timestamp: '2026-11-24T23:30:00-02:00',
      properties: { total: 9 },
    });
    expect(profileChanges(event, 'u').track).toEqual({
      event: 'Order Completed',
      day: '2026-11-25',
      snapshot: { messageId: 'm2', timestamp: '2026-11-25T01:30:00.000Z', properties: { total: 9 } },
    });
  });
});
