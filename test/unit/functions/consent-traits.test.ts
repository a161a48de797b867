import { describe, expect, it } from 'vitest';
import { consentChanges } from '#shared/profile/consent-traits.ts';

describe('consentChanges: consent traits in the spellings apps send', () => {
  it('reads "false", "TRUE" and "Unsubscribed" as the opt-outs and opt-ins they mean', () => {
    const out = consentChanges({
      consent: {
        email: 'false',
        sms: ' TRUE ',
        push: 'Unsubscribed',
        topics: { news: 'false', deals: true },
      },
    });
    expect(out.consent).toEqual([
      { channel: 'email', status: 'unsubscribed' },
      { channel: 'sms', status: 'subscribed' },
      { channel: 'push', status: 'unsubscribed' },
    ]);
    expect(out.topics).toEqual([
      { channel: 'email', topic: 'news', subscribed: false },
      { channel: 'email', topic: 'deals', subscribed: true },
    ]);
    expect(out.problems).toEqual([]);
  });

  it('applies every value it understands when another is not, and reports that one', () => {
    // One topic in an unknown spelling must not hide the email opt-out next to it.
    const out = consentChanges({
      consent: { email: false, sms: 'maybe', topics: { news: 'no thanks', deals: false } },
    });
    expect(out.consent).toEqual([{ channel: 'email', status: 'unsubscribed' }]);
    expect(out.topics).toEqual([{ channel: 'email', topic: 'deals', subscribed: false }]);
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]?.trait).toBe('consent');
    expect(out.problems[0]?.reason).toContain('consent.sms is "maybe"');
    expect(out.problems[0]?.reason).toContain('consent.topics.news is "no thanks"');
  });

  it('reads a channel named in another letter case, an opt-out winning over an opt-in of the same channel', () => {
    // "SMS": false from a form is the customer saying no to SMS.
    const out = consentChanges({ consent: { Email: 'unsubscribed', SMS: false, ' Push ': true } });
    expect(out.consent).toEqual([
      { channel: 'email', status: 'unsubscribed' },
      { channel: 'sms', status: 'unsubscribed' },
      { channel: 'push', status: 'subscribed' },
    ]);
    expect(out.problems).toEqual([]);
    expect(consentChanges({ consent: { email: true, EMAIL: 'false' } }).consent).toEqual([
      { channel: 'email', status: 'unsubscribed' },
    ]);
  });

  it('reports a consent key that is neither a channel nor topics, and applies the rest', () => {
    const out = consentChanges({
      consent: { whatsapp: false, newsletter: false, Topics: { deals: false }, email: true },
    });
    expect(out.consent).toEqual([{ channel: 'email', status: 'subscribed' }]);
    expect(out.topics).toEqual([{ channel: 'email', topic: 'deals', subscribed: false }]);
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]?.reason).toContain('consent.whatsapp is not a channel');
    expect(out.problems[0]?.reason).toContain('consent.newsletter is not a channel');
    expect(out.problems[0]?.reason).toContain('(the rest was applied)');
  });

  it('reads unsubscribed: "true" as an email opt-out, false as nothing, and reports other values', () => {
    expect(consentChanges({ unsubscribed: 'true' }).consent).toEqual([
      { channel: 'email', status: 'unsubscribed' },
    ]);
    expect(consentChanges({ unsubscribed: true }).consent).toEqual([
      { channel: 'email', status: 'unsubscribed' },
    ]);
    expect(consentChanges({ unsubscribed: 'false' })).toEqual({ consent: [], topics: [], problems: [] });
    expect(consentChanges({ unsubscribed: 'yes please' }).problems.map((p) => p.trait)).toEqual([
      'unsubscribed',
    ]);
  });

  it('changes nothing for null or absent values, and reports a consent that is not an object', () => {
    expect(consentChanges({ consent: { email: null, topics: null } })).toEqual({
      consent: [],
      topics: [],
      problems: [],
    });
    expect(consentChanges({ consent: null, unsubscribed: null })).toEqual({
      consent: [],
      topics: [],
      problems: [],
    });
    expect(consentChanges({ consent: 'no' }).problems.map((p) => p.trait)).toEqual(['consent']);
  });

  it('takes a topic named like an object property as an ordinary topic', () => {
    const topics = JSON.parse('{"constructor": false, "toString": "false"}');
    expect(consentChanges({ consent: { topics } }).topics.map((t) => [t.topic, t.subscribed])).toEqual([
      ['constructor', false],
      ['toString', false],
    ]);
  });
});
