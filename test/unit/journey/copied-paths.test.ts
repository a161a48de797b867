import { describe, expect, it } from 'vitest';
import { requiredEventPaths, requiredTriggerPaths } from '#shared/journey/requirements.ts';
import { Journey } from '#shared/journey/schema.ts';

/**
 * The values a step's Task copies with a Step Functions path (an
 * updateProfile's set, an emit's properties, a webhook's body and query)
 * fail the execution when missing. The trigger's must be there to enroll;
 * an awaited event's must be there to answer the wait whose answer they read.
 */

function journey(steps: Record<string, unknown>, start: string) {
  return Journey.parse({
    id: 'j',
    name: 'J',
    trigger: { type: 'event', event: 'Order Completed' },
    start,
    steps,
  });
}

describe('values copied by Step Functions paths', () => {
  it('the trigger must carry those a webhook sends, as those an emit or updateProfile copies', () => {
    // arrange
    const j = journey(
      {
        crm: {
          type: 'webhook',
          connection: 'crm',
          url: 'https://crm.example.com/v1/orders',
          body: { total: { from: 'trigger.properties.total' } },
          query: { order: { from: 'trigger.properties.orderId' } },
          next: 'done',
        },
        done: { type: 'exit' },
      },
      'crm',
    );
    // act / assert
    expect(requiredTriggerPaths(j)).toEqual(['trigger.properties.orderId', 'trigger.properties.total']);
  });

  it("an awaited event must carry those copied while it is the execution's answer", () => {
    // arrange: two waits; the second's answer replaces the first's, its timeout keeps it
    const j = journey(
      {
        paid: { type: 'waitForEvent', event: 'Paid', timeout: 'P1D', onEvent: 'tag', onTimeout: 'done' },
        tag: {
          type: 'updateProfile',
          set: { paidWith: { from: 'event.properties.method' } },
          next: 'shipped',
        },
        shipped: {
          type: 'waitForEvent',
          event: 'Shipped',
          timeout: 'P3D',
          onEvent: 'tell',
          onTimeout: 'late',
        },
        tell: {
          type: 'emit',
          event: 'Shipment Noted',
          properties: { carrier: { from: 'event.properties.carrier' } },
          next: 'done',
        },
        late: {
          type: 'webhook',
          connection: 'crm',
          url: 'https://crm.example.com/v1/late',
          body: {
            amount: { from: 'event.properties.amount' },
            order: { from: 'trigger.properties.orderId' },
          },
          next: 'done',
        },
        done: { type: 'exit' },
      },
      'paid',
    );
    // act / assert
    expect(requiredEventPaths(j, 'paid')).toEqual(['event.properties.amount', 'event.properties.method']);
    expect(requiredEventPaths(j, 'shipped')).toEqual(['event.properties.carrier']);
    expect(requiredEventPaths(j, 'tag')).toEqual([]);
  });
});
