import { describe, expect, it } from 'vitest';
import { addressOf, checkCaps, consentBlock } from '#shared/delivery/policy.ts';
import { Profile } from '#shared/profile/profile.ts';

const none = { email: [], sms: [], push: [] };

describe('consentBlock', () => {
  const profile = Profile.parse({
    userId: 'u',
    consent: {
      email: { status: 'subscribed', topics: { newsletter: false } },
      sms: { status: 'unsubscribed' },
      push: { status: 'suppressed', reason: 'bad token' },
    },
  });
  it.each([
    {
      channel: 'email',
      topic: 'newsletter',
      transactional: false,
      expected: 'unsubscribed from topic newsletter',
    },
    { channel: 'email', topic: 'newsletter', transactional: true, expected: undefined },
    { channel: 'email', topic: 'offers', transactional: false, expected: undefined },
    { channel: 'sms', topic: undefined, transactional: false, expected: 'unsubscribed from sms' },
    { channel: 'sms', topic: undefined, transactional: true, expected: undefined },
    { channel: 'push', topic: undefined, transactional: true, expected: 'push suppressed: bad token' },
  ] as const)(
    '$channel topic=$topic transactional=$transactional',
    ({ channel, topic, transactional, expected }) => {
      expect(consentBlock(profile, channel, { topic, transactional })).toBe(expected);
    },
  );
});

describe('addressOf', () => {
  it('finds no address on an empty profile', () => {
    const profile = Profile.parse({ userId: 'u' });
    expect(['email', 'sms', 'push'].map((c) => addressOf(profile, c as 'email'))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('checkCaps', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('allows a send under the cap and appends it', () => {
    const check = checkCaps(
      { ...none, email: ['2026-11-24T08:00:00.000Z'] },
      [{ max: 2, within: 'P1D' }],
      'email',
      now,
    );
    expect(check).toEqual({
      allowed: true,
      next: { email: ['2026-11-24T08:00:00.000Z', '2026-11-24T12:00:00.000Z'] },
      keptDays: 30,
    });
  });

  it('keeps sends for the longest window asked of the customer, by any journey, and says so', () => {
    // arrange: a 90-day cap once asked for 91 days of sends; an email 60 days ago
    const sends = { ...none, email: ['2026-09-25T12:00:00.000Z', '2026-11-01T12:00:00.000Z'] };
    // act: a send with no caps of its own, then one with a 60-day cap
    const uncapped = checkCaps(sends, [], 'email', now, 91);
    const longer = checkCaps({ ...none }, [{ max: 5, within: 'P120D' }], 'email', now, 91);
    const fresh = checkCaps(sends, [], 'email', now);
    // assert
    expect(uncapped).toEqual({
      allowed: true,
      next: { email: [...sends.email, now.toISOString()] },
      keptDays: 91,
    });
    expect(longer.allowed && longer.keptDays).toBe(121);
    expect(fresh.allowed && fresh.next.email).toStrictEqual(['2026-11-01T12:00:00.000Z', now.toISOString()]);
  });

  it('defers to when the oldest counted send leaves the window, across channels for a global cap', () => {
    const sends = { email: ['2026-11-24T08:00:00.000Z'], sms: ['2026-11-24T09:00:00.000Z'], push: [] };
    const check = checkCaps(sends, [{ max: 2, within: 'P1D' }], 'push', now);
    expect(check).toEqual({ allowed: false, until: new Date('2026-11-25T08:00:00.000Z') });
  });

  it('frees a slot at the instant it defers to, so a deferred send goes out then instead of deferring again', () => {
    // arrange: one email a day, sent at 08:00 yesterday; a second send deferred to 08:00 today
    const sends = { ...none, email: ['2026-11-23T08:00:00.000Z'] };
    const caps = [{ channel: 'email' as const, max: 1, within: 'P1D' }];
    const deferred = checkCaps(sends, caps, 'email', new Date('2026-11-24T07:59:59.999Z'));
    // act: the deferred send runs at the instant it was given
    const atFree = deferred.allowed ? undefined : checkCaps(sends, caps, 'email', deferred.until);
    // assert
    expect(deferred).toEqual({ allowed: false, until: new Date('2026-11-24T08:00:00.000Z') });
    expect(atFree?.allowed).toBe(true);
  });

  it('ignores caps of other channels and sends outside the window', () => {
    const sends = { ...none, sms: ['2026-11-24T11:00:00.000Z'], email: ['2026-11-20T11:00:00.000Z'] };
    const check = checkCaps(
      sends,
      [
        { channel: 'sms', max: 1, within: 'P1D' },
        { channel: 'email', max: 1, within: 'P1D' },
      ],
      'email',
      now,
    );
    expect(check.allowed).toBe(true);
  });
});
