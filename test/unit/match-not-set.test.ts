import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '#shared/events.ts';
import { waiterMatches } from '#shared/ingest/plan.ts';
import type { ProfileState, Waiter } from '#shared/profile/state.ts';

/**
 * A `waitForEvent` match on a context variable that is not set (null: a
 * webhook answered without the field, a copy that did not fit) correlates
 * with nothing: an event that carries null at that path, or lacks it, is no
 * more this enrollment's answer than another customer's order is.
 */

const state: ProfileState = {
  profile: { userId: 'u', traits: {}, consent: {}, events: {} },
  waitingFor: {},
  sends: { email: [], sms: [], push: [] },
  sendsVersion: 0,
  lastEvents: {},
};
const now = new Date('2026-11-24T10:00:00Z');

function waiterFor(value: unknown): Waiter {
  return {
    enrollmentId: 'e1',
    journeyId: 'j',
    stepId: 'resolved',
    event: 'Ticket Resolved',
    match: [{ path: 'event.properties.ticketId', value }],
    token: 't',
    startedAt: '2026-11-24T09:00:00Z',
    expiresAt: '2026-11-25T09:00:00Z',
  };
}

function resolved(properties: Record<string, unknown>): CustomerEvent {
  return CustomerEvent.parse({
    type: 'track',
    userId: 'u',
    event: 'Ticket Resolved',
    messageId: 'm1',
    timestamp: '2026-11-24T10:00:00Z',
    properties,
  });
}

describe('waitForEvent match on a value not set', () => {
  it.each([
    ['an event with null there', { ticketId: null }],
    ['an event without it', {}],
    ['an event with a ticket', { ticketId: 't-1' }],
  ])('the step waiting on null is not answered by %s', (_name, properties) => {
    // act / assert
    expect(waiterMatches(waiterFor(null), resolved(properties), state, now)).toBe(false);
  });

  it('a set value is still answered by the same value, and not by null', () => {
    // act / assert
    expect(waiterMatches(waiterFor('t-1'), resolved({ ticketId: 't-1' }), state, now)).toBe(true);
    expect(waiterMatches(waiterFor('t-1'), resolved({ ticketId: null }), state, now)).toBe(false);
  });
});
