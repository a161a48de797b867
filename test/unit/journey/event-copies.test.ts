import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * A value copied from the awaited event (`{ "from": "event.…" }` in an
 * updateProfile, emit or webhook) where a customer can arrive without an
 * answered wait — before any wait, or by a timeout — would fail the
 * execution (the path is missing): validation refuses it with its path.
 */

function journey(onTimeout: string, first = 'wait') {
  return {
    id: 'order-copy',
    name: 'Order copy',
    trigger: { type: 'event', event: 'Cart Updated' },
    start: first,
    steps: {
      tag: { type: 'updateProfile', set: { lastOrder: { from: 'event.properties.orderId' } }, next: 'wait' },
      wait: {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'P1D',
        onEvent: 'tell',
        onTimeout,
      },
      tell: {
        type: 'emit',
        event: 'Order Noted',
        properties: { orderId: { from: 'event.properties.orderId' }, kind: 'order' },
        next: 'done',
      },
      nudge: {
        type: 'webhook',
        connection: 'crm',
        url: 'https://crm.example.com/v1/nudge',
        query: { order: { from: 'event.properties.orderId' } },
        next: 'done',
      },
      done: { type: 'exit' },
    },
  };
}

const CONNECTIONS = new Map([['crm', 'https://crm.example.com/v1']]);

function refusals(input: unknown): string[] {
  const result = validateJourney(input, { connections: CONNECTIONS });
  return result.ok ? [] : result.violations.filter((v) => v.code === 'value.source').map((v) => v.path);
}

describe('copies of the awaited event where none may be at hand', () => {
  it('refuses a copy on the timeout path and before any wait, naming each', () => {
    // act
    const refused = refusals({ ...journey('nudge', 'tag') });
    // assert
    expect(refused.sort()).toEqual(['steps.nudge.query.order.from', 'steps.tag.set.lastOrder.from']);
  });

  it('takes a copy every path reaches through the wait’s onEvent', () => {
    // arrange: nothing but the wait leads to the emit
    const { tag: _tag, nudge: _nudge, ...steps } = journey('done').steps;
    // act / assert
    expect(refusals({ ...journey('done'), steps })).toEqual([]);
  });
});
