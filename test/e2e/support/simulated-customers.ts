import * as z from 'zod';
import type { LocalRuntime } from '#infra/local/index.ts';
import type { Customer } from '#infra/simulate/scenario/customers.ts';
import { type CustomerEvent, eventsClient, putEvents } from './local-runtime.ts';

const CustomerEventOf = z.custom<CustomerEvent>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    (value.type === 'track' || value.type === 'identify') &&
    'userId' in value &&
    typeof value.userId === 'string',
);

/**
 * Gives a simulation's customers to the local runtime: every event at its
 * journey time, the events of one instant in the customers' order, as the
 * simulation ingests them; then runs journey time on to `until`.
 */
export async function feedCustomers(
  runtime: LocalRuntime,
  customers: readonly Customer[],
  until: number,
): Promise<void> {
  const events = customers.flatMap((customer) => customer.events);
  events.sort((a, b) => a.at - b.at);
  const client = eventsClient(runtime);
  try {
    for (let i = 0; i < events.length; ) {
      const at = events[i]?.at ?? 0;
      const batch: CustomerEvent[] = [];
      while (i < events.length && events[i]?.at === at) {
        const event = events[i]?.event;
        if (event !== undefined) batch.push(CustomerEventOf.parse(event));
        i += 1;
      }
      await runtime.advanceTo(at);
      for (const event of batch) {
        await putEvents(runtime, [event], client);
        await runtime.settled();
      }
    }
  } finally {
    client.destroy();
  }
  await runtime.advanceTo(until);
}
