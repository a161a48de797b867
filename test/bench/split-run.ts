/**
 * A split journey run end to end on the local runtime, then its report:
 * 600 shoppers (or the number given) abandon a cart, the cart-abandonment journey reminds them by
 * email, waits a day for an order, then splits SMS / push / holdout; some
 * order afterwards (more after an SMS). Deterministic clock, fresh data, any
 * free ports. `npx tsx test/bench/split-run.ts [shoppers]` prints `journeys report`'s text.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startLocal } from '#infra/local/index.ts';
import { readJourneyStats } from '#infra/local/inspect/results.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { CUSTOMER_EVENT_SOURCE } from '#shared/events.ts';
import { splitBucket } from '#shared/journey/enrollment.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { buildReport } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const JOURNEY = 'cart-abandonment';
const SHOPPERS = Number(process.argv[2] ?? 600);
const HOUR = 3_600_000;
/** Who orders after the split: a fixed share per variant, picked by a stable spread over the shoppers. */
const ORDER_RATE = (bucket: number) => (bucket < 45 ? 0.34 : bucket < 90 ? 0.15 : 0.1);

const dataDir = await mkdtemp(join(tmpdir(), 'split-run-data-'));
const journeysDir = await mkdtemp(join(tmpdir(), 'split-run-journeys-'));
await cp(join(import.meta.dirname, '..', '..', 'journeys'), journeysDir, { recursive: true });
const ports = { dynamodb: 0, eventbridge: 0, sfn: 0, ses: 0, pinpoint: 0, s3: 0, sqs: 0, console: 0 };
const runtime = await startLocal({
  dataDir,
  journeysDir,
  ports,
  clock: 'deterministic',
  startAt: '2026-03-02T09:00:00Z',
  watch: false,
  log: () => {},
});
const bus = new EventBridgeClient(localClientConfig(runtime.endpoints.eventbridge));
let sequence = 0;

async function put(events: Record<string, unknown>[]): Promise<void> {
  const timestamp = runtime.services.clock.now().toISOString();
  for (let i = 0; i < events.length; i += 10) {
    const entries = events.slice(i, i + 10).map((e) => ({
      Source: CUSTOMER_EVENT_SOURCE,
      DetailType: String(e.type),
      EventBusName: 'customer-events',
      Detail: JSON.stringify({ messageId: `split-run-${sequence++}`, timestamp, ...e }),
    }));
    await bus.send(new PutEventsCommand({ Entries: entries }));
  }
  await runtime.settled();
}

try {
  const shoppers = Array.from({ length: SHOPPERS }, (_, i) => `shopper-${i}`);
  await put(
    shoppers.map((userId, i) => ({
      type: 'identify',
      userId,
      traits: {
        firstName: `Shopper${i}`,
        email: `${userId}@example.com`,
        phone: `+1555020${String(i).padStart(4, '0')}`,
        timezone: 'Europe/Rome',
        consent: { email: true, sms: true, push: true, topics: { 'cart-reminders': true } },
      },
      context: { device: { token: `token-${userId}`, type: 'android' } },
    })),
  );
  const cartOf = (i: number) => ({ cartId: `c-${i}`, total: 40 + (i % 30), currency: 'EUR' });
  await put(
    shoppers.map((userId, i) => ({ type: 'track', userId, event: 'Cart Updated', properties: cartOf(i) })),
  );
  // The reminder (an hour later), the day-long wait for an order, then the split's sends.
  await runtime.advanceTo(runtime.services.clock.nowMs() + 32 * HOUR);
  const ordering = shoppers.flatMap((userId, i) =>
    ((i * 7919) % 100) / 100 < ORDER_RATE(splitBucket(JOURNEY, 'channel-test', userId)) ? [i] : [],
  );
  await put(
    ordering.map((i) => ({
      type: 'track',
      userId: shoppers[i],
      event: 'Order Completed',
      properties: cartOf(i),
    })),
  );
  await runtime.advanceTo(runtime.services.clock.nowMs() + 3 * 24 * HOUR);
  const parsed = validateJourney(JSON.parse(await readFile(join(journeysDir, `${JOURNEY}.json`), 'utf8')));
  if (!parsed.ok) throw new Error(`${JOURNEY}.json is not valid`);
  const local = { kind: 'local' as const, dataDir, endpoint: runtime.endpoints.dynamodb };
  const { counters, days } = await readJourneyStats(local, JOURNEY);
  process.stdout.write(reportText(buildReport(parsed.journey, counters, days)));
} finally {
  bus.destroy();
  await runtime.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(journeysDir, { recursive: true, force: true });
}
