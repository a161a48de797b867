import { describe, expect, it } from 'vitest';
import { runLoadModel } from '../../support/segment-load/model.ts';

/**
 * The load model: the real fan-out and worker code against Step Functions
 * with the Region's token bucket (300/s refill, burst 800), on a virtual
 * clock. A scaled population, six times the burst so the refill sets the
 * pace; `npm run bench -- segment` runs a million.
 */
const PROFILES = 5_000;
const QUOTA = { refillPerSecond: 300, burst: 800 };

/** The run at the default rate: the first test's subject, and the baseline of the last. */
let atDefaultRate: ReturnType<typeof runLoadModel> | undefined;
function runAtDefaultRate(): ReturnType<typeof runLoadModel> {
  atDefaultRate ??= runLoadModel({ profiles: PROFILES, bucket: QUOTA });
  return atDefaultRate;
}

describe('segment entry under the StartExecution quota', () => {
  it('enters everyone at the configured rate, unthrottled, each once, and announces the end', async () => {
    // act
    const run = await runAtDefaultRate();
    // assert
    expect(run).toMatchObject({
      executions: PROFILES,
      lost: 0,
      startedTwice: 0,
      throttled: 0,
      redelivered: 0,
      deadLetters: 0,
      completedEvents: 1,
      enrolledCounted: PROFILES,
    });
    // Never faster than the bucket allows, and close to 280/s.
    expect(run.entrySeconds).toBeGreaterThan((PROFILES - QUOTA.burst) / QUOTA.refillPerSecond);
    expect(run.entrySeconds).toBeLessThan(PROFILES / 280 + 5);
  });

  it('settles at what Step Functions grants when the rate is set above the quota, losing no one', async () => {
    // act
    const run = await runLoadModel({ profiles: PROFILES, rate: 900, bucket: QUOTA });
    // assert
    expect(run.throttled).toBeGreaterThan(0);
    expect(run).toMatchObject({ lost: 0, startedTwice: 0, deadLetters: 0, enrolledCounted: PROFILES });
    expect(run.entrySeconds).toBeLessThan(PROFILES / 200);
  });

  it('shares the quota with ingest starting its own enrollments, losing no one', async () => {
    // act
    const run = await runLoadModel({ profiles: PROFILES, ingestPerSecond: 60, bucket: QUOTA });
    // assert
    expect(run).toMatchObject({ lost: 0, startedTwice: 0, deadLetters: 0, completedEvents: 1 });
    expect(run.entrySeconds).toBeLessThan(PROFILES / 200);
  });

  it('pauses entry near the open-execution limit and resumes as executions end, dropping no one', async () => {
    // act: the account is past 90% of its million open executions; 50 end per second
    const run = await runLoadModel({
      profiles: 5_000,
      openBefore: 900_500,
      endingPerSecond: 50,
      bucket: QUOTA,
    });
    // assert
    expect(run.pausedBatches).toBeGreaterThan(0);
    expect(run).toMatchObject({
      executions: 5_000,
      lost: 0,
      startedTwice: 0,
      deadLetters: 0,
      completedEvents: 1,
    });
    // Paused items come back after SQS's longest delay (15 minutes).
    expect(run.entrySeconds).toBeGreaterThan(900);
  });

  it('keeps paused work queued, never dead-lettered, while no execution ends', async () => {
    // act: past 90% of the limit, a journey that keeps its customers waiting; cut off after four pauses
    const run = await runLoadModel({
      profiles: 2_000,
      openBefore: 900_500,
      openSeconds: Number.POSITIVE_INFINITY,
      horizonSeconds: 3600,
      bucket: QUOTA,
    });
    // assert: nobody entered, everybody is still on the queue, nothing went to the dead letters
    expect(run).toMatchObject({
      executions: 0,
      cutOff: true,
      queuedCustomers: 2_000,
      lost: 0,
      deadLetters: 0,
    });
    expect(run.pausedBatches).toBeGreaterThan(0);
  });

  it('scans the whole table for a sparse segment and enters only its members', async () => {
    // act: one profile in seven is in the segment
    const run = await runLoadModel({ profiles: 14_000, matchEvery: 7, bucket: QUOTA });
    // assert
    expect(run).toMatchObject({ matched: 2_000, executions: 2_000, lost: 0, startedTwice: 0 });
  });

  it('halves the time in a Region with twice the refill only when the rate is raised with it', async () => {
    // act
    const slow = await runAtDefaultRate();
    const raised = await runLoadModel({
      profiles: PROFILES,
      rate: 560,
      bucket: { refillPerSecond: 600, burst: 800 },
    });
    // assert
    expect(raised).toMatchObject({ lost: 0, throttled: 0 });
    expect(raised.entrySeconds).toBeLessThan(slow.entrySeconds * 0.6);
  });
});
