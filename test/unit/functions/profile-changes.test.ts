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
