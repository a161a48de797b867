import { describe, expect, it } from 'vitest';
import {
  channelOptInApplies,
  stampsOptOut,
  topicOptInApplies,
  topicOptOutValue,
} from '#functions/_lib/consent-order.ts';
import { readProfileItem } from '#functions/_lib/profile-item.ts';

/** How a consent change is ordered against what a profile item holds (the plan of a write read first). */

const OUT = Date.parse('2026-11-24T10:00:00Z');
const TRAITS = Date.parse('2026-11-24T09:00:00Z');
const EARLIER = OUT - 60_000;
const LATER = OUT + 60_000;

describe('ordering consent changes', () => {
  it('applies a channel opt-in only when newer than its last change; a tie goes to the opt-out', () => {
    const item = { 'cs:email': 'unsubscribed', 'ca:email': OUT, ta: TRAITS };
    expect(channelOptInApplies(item, 'email', EARLIER)).toBe(false);
    expect(channelOptInApplies(item, 'email', OUT)).toBe(false);
    expect(channelOptInApplies(item, 'email', LATER)).toBe(true);
  });

  it('orders an item kept without times by its traits, and a channel never set lets any opt-in fill it', () => {
    const legacy = { 'cs:email': 'unsubscribed', ta: TRAITS };
    expect(channelOptInApplies(legacy, 'email', TRAITS - 1)).toBe(false);
    expect(channelOptInApplies(legacy, 'email', TRAITS)).toBe(true);
    expect(channelOptInApplies({ ta: TRAITS }, 'email', EARLIER - 86_400_000)).toBe(true);
    expect(channelOptInApplies(undefined, 'sms', EARLIER)).toBe(true);
  });

  it('stamps an opt-out only when no later change is kept (it applies either way)', () => {
    expect(stampsOptOut({ 'ca:sms': OUT }, 'sms', EARLIER)).toBe(false);
    expect(stampsOptOut({ 'ca:sms': OUT }, 'sms', OUT)).toBe(true);
    expect(stampsOptOut({}, 'sms', EARLIER)).toBe(true);
  });

  it('orders a topic opt-in against the time its opt-out holds, and keeps the later opt-out time', () => {
    expect(topicOptInApplies({}, OUT, EARLIER)).toBe(false);
    expect(topicOptInApplies({}, OUT, LATER)).toBe(true);
    expect(topicOptInApplies({}, true, EARLIER)).toBe(true);
    expect(topicOptInApplies({}, undefined, EARLIER)).toBe(true);
    expect(topicOptInApplies({ ta: TRAITS }, false, TRAITS - 1)).toBe(false);
    expect(topicOptInApplies({ ta: TRAITS }, false, TRAITS)).toBe(true);
    expect(topicOptOutValue(OUT, EARLIER)).toBe(OUT);
    expect(topicOptOutValue(OUT, LATER)).toBe(LATER);
    expect(topicOptOutValue(false, EARLIER)).toBe(EARLIER);
    expect(topicOptOutValue(true, EARLIER)).toBe(EARLIER);
  });

  it('reads a topic opted out of with its time, or without one as kept before, as opted out', () => {
    const { profile } = readProfileItem('u', {
      'ct:email:news': OUT,
      'ct:email:old': false,
      'ct:email:deals': true,
      'ca:email': OUT,
    });
    expect({ ...profile.consent.email?.topics }).toEqual({ news: false, old: false, deals: true });
    expect(profile.consent.email?.status).toBe('subscribed');
  });
});
