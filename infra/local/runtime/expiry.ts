import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { metrics } from '#functions/_lib/observability.ts';
import { METRICS } from '#shared/metrics.ts';
import { deleteExpired, type ExpiredPending } from '../services/dynamodb/ttl.ts';
import type { JourneyClock } from './clock.ts';

/** How often, in wall time, `npm start` deletes expired items while it follows the wall clock. */
export const EXPIRY_SWEEP_MS = 10 * 60_000;

/**
 * DynamoDB TTL for the local tables: expired items are deleted when the
 * runtime starts (journey time is where the data directory left it) and,
 * while journey time follows the wall clock (`npm start`), every
 * {@link EXPIRY_SWEEP_MS}. On the deterministic clock (tests, `journeys test`)
 * only at start, so a run's timeline never depends on when a sweep ran.
 * An item deleted with a count still pending is accounted for as the
 * handlers account for a count they cannot settle: a log line and the
 * CountsUnsettled metric. Returns the function that stops the sweeps.
 */
export async function expireItems(
  client: DynamoDBClient,
  clock: JourneyClock,
  onError: (message: string) => void,
): Promise<() => void> {
  const sweep = () =>
    deleteExpired(client, clock.nowMs() / 1000, undefined, (lost) => onError(unsettledByExpiry(lost))).catch(
      (error: unknown) =>
        onError(`expired items not deleted: ${error instanceof Error ? error.message : String(error)}`),
    );
  await sweep();
  let running = false;
  const timer = setInterval(() => {
    if (running || !clock.followsWallClock) return;
    running = true;
    void sweep().finally(() => {
      running = false;
    });
  }, EXPIRY_SWEEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** A count pending on an item its TTL removed: the CountsUnsettled metric, and the line that says so. */
export function unsettledByExpiry(lost: ExpiredPending): string {
  const single = metrics.singleMetric();
  single.addDimensions({ journey: lost.journeyId ?? '-' });
  single.addMetric(METRICS.countsUnsettled, MetricUnit.Count, 1);
  return (
    `a count is missing from the results of ${lost.journeyId ?? 'a journey'}: ` +
    `${lost.table} item ${lost.key} expired with ${lost.pending.join(', ')} (a retry never wrote it)`
  );
}
