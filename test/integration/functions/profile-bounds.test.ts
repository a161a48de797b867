import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionStatusHook, runGrowth } from '../../bench/growth-run.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

/**
 * One customer's long, varied stream through the real ingest handler with
 * ten live journeys: waits resume and time out, enrollments end by goal,
 * by themselves and on their own schedule. The profile stays under its bound
 * and nothing is left behind once its execution ended.
 */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('bounds');
});
afterAll(async () => db.stop());

describe('a customer with a long history', () => {
  it('keeps a bounded profile and leaves no waiter or enrollment of an ended execution', async () => {
    // act: 400 events, 90 s apart (ten hours of a very active customer)
    const { result, running, doc, tables } = await runGrowth(db.inProcess, 400, executionStatusHook);
    // assert: the profile
    expect(result.failures).toBe(0);
    // The item after every event stays within 4 KB, so an event that triggers nothing costs at most 4 write units.
    expect(result.maxSize).toBeLessThanOrEqual(4096);
    expect(result.unitsPerQuietEvent).toBeLessThanOrEqual(4);
    // One write per event; one more every 32 events turns the redelivery guard's lists, and now and
    // then one removes what outlived its use (compaction).
    expect(result.writesPerQuietEvent).toBeGreaterThan(1.02);
    expect(result.writesPerQuietEvent).toBeLessThan(1.05);
    // No reads, not even for the customer's first identify: it creates the profile with its 31 traits and their count.
    expect(result.quietReads).toBe(0);
    // assert: what the enrollments table still holds belongs to running executions, or waits for a goal
    const items = (await doc.send(new ScanCommand({ TableName: tables.enrollments ?? '' }))).Items ?? [];
    const waiters = items.filter((i) => String(i.sk).startsWith('w#'));
    const enrollments = items.filter((i) => String(i.sk).startsWith('e#'));
    expect(waiters.filter((w) => !running.has(String(w.enrollmentId)))).toEqual([]);
    const leftOver = enrollments.filter((e) => !running.has(String(e.enrollmentId)));
    expect(leftOver.every((e) => typeof e.endedAt === 'string' && typeof e.goalUntil === 'string')).toBe(
      true,
    );
    expect(enrollments.length).toBeGreaterThan(0);
  }, 300_000);
});
