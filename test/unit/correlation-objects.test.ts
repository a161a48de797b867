import { describe, expect, it } from 'vitest';
import { CustomerEvent } from '#shared/events.ts';
import { type LiveJourney, liveFields } from '#shared/ingest/live-journey.ts';
import { planIngest, waiterMatches } from '#shared/ingest/plan.ts';
import { Journey } from '#shared/journey/schema.ts';
import type { ProfileState, Waiter } from '#shared/profile/state.ts';

/**
 * A correlation value given as an object (a cart as `{ "id": …, "store": … }`)
 * is the same value whatever order its keys come in: apps serialise objects
 * in their own order, and DynamoDB gives a stored map's keys back in none.
 */

const state: ProfileState = {
  profile: { userId: 'u', traits: {}, consent: {}, events: {} },
  waitingFor: {},
  sends: { email: [], sms: [], push: [] },
  sendsVersion: 0,
  lastEvents: {},
};
const now = new Date('2026-11-24T10:00:00Z');

function ordered(cart: unknown, messageId = 'm-order'): CustomerEvent {
  return CustomerEvent.parse({
    type: 'track',
    userId: 'u',
    event: 'Order Completed',
    messageId,
    timestamp: '2026-11-24T10:00:00Z',
    properties: { cart },
  });
}

const waiter: Waiter = {
  enrollmentId: 'e1',
  journeyId: 'j',
  stepId: 'wait-order',
  event: 'Order Completed',
  match: [
    { path: 'event.properties.cart', value: { store: 'milano', id: 7, lines: [{ sku: 'a', qty: 1 }] } },
  ],
  token: 't',
  startedAt: '2026-11-24T09:00:00Z',
  expiresAt: '2026-11-25T09:00:00Z',
};

function keyedJourney(): LiveJourney {
  const journey = Journey.parse({
    id: 'j',
    name: 'J',
    trigger: { type: 'event', event: 'Cart Updated', correlationKey: 'event.properties.cart' },
    reentry: 'always',
    goal: { event: 'Order Completed', exit: true },
    start: 'x',
    steps: { x: { type: 'exit' } },
  });
  const arn = 'arn:aws:states:eu-west-1:1:stateMachine:journey-j';
  return {
    ...liveFields(journey),
    version: '1',
    versionArn: `${arn}:1`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
  };
}

describe('correlation on an object value', () => {
  it.each([
    [
      'the same keys in another order, at every depth',
      { id: 7, lines: [{ qty: 1, sku: 'a' }], store: 'milano' },
      true,
    ],
    ['another cart', { id: 8, lines: [{ qty: 1, sku: 'a' }], store: 'milano' }, false],
    ['another quantity in its lines', { id: 7, lines: [{ sku: 'a', qty: 2 }], store: 'milano' }, false],
  ])('a waiting step matches %s: %s', (_name, cart, matches) => {
    // act / assert
    expect(waiterMatches(waiter, ordered(cart), state, now)).toBe(matches);
  });

  it('a goal event names the enrollment of its cart whatever the order of the keys', () => {
    // arrange: the enrollment entered for the cart as the app first wrote it
    const journey = keyedJourney();
    const entered = planIngest({
      event: CustomerEvent.parse({
        type: 'track',
        userId: 'u',
        event: 'Cart Updated',
        messageId: 'm-cart',
        timestamp: '2026-11-24T09:00:00Z',
        properties: { cart: { store: 'milano', id: 7 } },
      }),
      userId: 'u',
      state,
      journeys: [journey],
      now,
    }).enroll[0];
    const enrollment = {
      enrollmentId: entered?.enrollmentId ?? '',
      journeyId: 'j',
      version: '1',
      executionArn: 'x',
      enrolledAt: '2026-11-24T09:00:00.000Z',
      correlation: entered?.correlation,
    };
    // act: the order names it with its keys the other way round
    const plan = planIngest({
      event: ordered({ id: 7, store: 'milano' }),
      userId: 'u',
      state,
      journeys: [journey],
      now,
      enrollments: [enrollment],
    });
    // assert
    expect(plan.finish.map((f) => [f.enrollment.enrollmentId, f.outcome])).toEqual([
      [entered?.enrollmentId, 'converted'],
    ]);
  });
});
