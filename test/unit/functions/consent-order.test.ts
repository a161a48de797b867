import { describe, expect, it } from 'vitest';
import {
  channelOptInApplies,
  stampsOptOut,
  topicOptInApplies,
  topicsTimeAfterOptOut,
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

  it("orders a topic opt-in against the channel's last topic opt-out, whichever topic it was", () => {
    const item = { 'ct:email:news': false, 'ct:email:deals': true, 'cta:email': OUT, ta: TRAITS };
    expect(topicOptInApplies(item, 'email', false, EARLIER)).toBe(false);
    expect(topicOptInApplies(item, 'email', false, OUT)).toBe(false);
    expect(topicOptInApplies(item, 'email', false, LATER)).toBe(true);
    // Nothing to undo on a topic not opted out; another channel's time does not order this one.
    expect(topicOptInApplies(item, 'email', true, EARLIER)).toBe(true);
    expect(topicOptInApplies(item, 'email', undefined, EARLIER)).toBe(true);
    expect(topicOptInApplies({ 'cta:sms': LATER }, 'email', false, OUT)).toBe(true);
  });

  it('orders a topic opt-in on an item kept without topic times by its traits', () => {
    expect(topicOptInApplies({ ta: TRAITS }, 'email', false, TRAITS - 1)).toBe(false);
    expect(topicOptInApplies({ ta: TRAITS }, 'email', false, TRAITS)).toBe(true);
  });

  it("keeps the later topic opt-out time, and covers opt-outs kept without one by the traits' time", () => {
    expect(topicsTimeAfterOptOut({ 'cta:email': OUT }, 'email', EARLIER)).toBe(OUT);
    expect(topicsTimeAfterOptOut({ 'cta:email': OUT }, 'email', LATER)).toBe(LATER);
    expect(topicsTimeAfterOptOut({ ta: LATER }, 'email', EARLIER)).toBe(EARLIER);
    const untimed = { 'ct:email:old': false, ta: LATER };
    expect(topicsTimeAfterOptOut(untimed, 'email', EARLIER)).toBe(LATER);
    expect(topicsTimeAfterOptOut(untimed, 'sms', EARLIER)).toBe(EARLIER);
  });

  it('reads a topic value only as the boolean every release stores', () => {
    const { profile } = readProfileItem('u', {
      'ct:email:old': false,
      'ct:email:deals': true,
      'ct:email:odd': OUT,
      'cta:email': OUT,
      'ca:email': OUT,
    });
    expect({ ...profile.consent.email?.topics }).toEqual({ old: false, deals: true });
    expect(profile.consent.email?.status).toBe('subscribed');
  });
});
