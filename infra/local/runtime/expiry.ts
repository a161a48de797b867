import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deleteExpired } from '../services/dynamodb/ttl.ts';
import type { JourneyClock } from './clock.ts';

/** How often, in wall time, `npm start` deletes expired items while it follows the wall clock. */
export const EXPIRY_SWEEP_MS = 10 * 60_000;

/**
 * DynamoDB TTL for the local tables: expired items are deleted when the
 * runtime starts (journey time is where the data directory left it) and,
 * while journey time follows the wall clock (`npm start`), every
 * {@link EXPIRY_SWEEP_MS}. On the deterministic clock (tests, `journeys test`)
 * only at start, so a run's timeline never depends on when a sweep ran.
 * Returns the function that stops the sweeps.
 */
export async function expireItems(
  client: DynamoDBClient,
  clock: JourneyClock,
  onError: (message: string) => void,
): Promise<() => void> {
  const sweep = () =>
    deleteExpired(client, clock.nowMs() / 1000).catch((error: unknown) =>
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
