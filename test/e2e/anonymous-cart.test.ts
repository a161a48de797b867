import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import { profileKeys } from '#shared/tables.ts';
import {
  boot,
  E2E_TIMEOUT,
  eventsClient,
  executionsOf,
  identify,
  runUntil,
  type Sandbox,
  sandbox,
  sentEmails,
  zoneWhereHourIs,
} from './support/local-runtime.ts';

const JOURNEY = 'cart-abandonment';

let box: Sandbox;
let runtime: LocalRuntime;
beforeAll(async () => {
  box = await sandbox([JOURNEY]);
  runtime = await boot(box, { inMemory: true });
}, E2E_TIMEOUT);
afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

/** Sends one event as an app does, with the ids it has (a visitor has only an anonymousId). */
async function send(event: Record<string, unknown>) {
  const client = eventsClient(runtime);
  const detail = { messageId: randomUUID(), timestamp: runtime.services.clock.now().toISOString(), ...event };
  try {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: CUSTOMER_EVENT_SOURCE,
            DetailType: String(event.type),
            Detail: JSON.stringify(detail),
            EventBusName: 'customer-events',
          },
        ],
      }),
    );
    expect(out.FailedEntryCount ?? 0).toBe(0);
  } finally {
    client.destroy();
  }
  await runtime.settled();
}

describe('local runtime: a cart left while anonymous, ordered after signing in', () => {
  it('the order stops the reminder of the cart the visitor left: no email', async () => {
    // arrange: a visitor fills a cart, then signs in at checkout
    const zone = zoneWhereHourIs(10, runtime.services.clock.now());
    const cart = { cartId: 'c-visitor', total: 48 };
    await send({ type: 'track', anonymousId: 'v-e2e', event: 'Cart Updated', properties: cart });
    await send({ ...identify('shopper-e2e', zone), anonymousId: 'v-e2e' });
    // act: they order within the hour, under their customer id
    await send({ type: 'track', userId: 'shopper-e2e', event: 'Order Completed', properties: cart });
    const [run] = await runUntil(runtime, "the visitor's enrollment ended", async () => {
      const runs = await executionsOf(runtime, JOURNEY, profileKeys.anonymous('v-e2e'));
      return runs.length > 0 && runs.every((r) => r.status !== 'RUNNING') ? runs : undefined;
    });
    // assert: stopped by the goal before its reminder
    expect(run?.status).toBe('ABORTED');
    expect(await sentEmails(runtime, 'shopper-e2e@example.com')).toEqual([]);
  });
});
