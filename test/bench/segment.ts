import { DEFAULT_START_RATE } from '#shared/segment/pace.ts';
import { runLoadModel } from '../support/segment-load/model.ts';

const QUOTA = { refillPerSecond: 300, burst: 800 };

/**
 * Segment entry against the StartExecution quota (the load model: real
 * worker code, modelled SQS / Lambda / Step Functions on a virtual clock).
 * Prints model time, not wall time: what a run would take on AWS.
 */
export async function runSegmentBench(): Promise<void> {
  console.log(`quota: ${QUOTA.refillPerSecond}/s refill, burst ${QUOTA.burst}; rate ${DEFAULT_START_RATE}/s`);
  const cases = [
    { label: '1M profiles, default rate', profiles: 1_000_000 },
    // A journey that keeps everyone waiting: entry pauses at 90% of the million open executions.
    {
      label: '1M profiles kept waiting, default limit (2 h)',
      profiles: 1_000_000,
      openSeconds: Number.POSITIVE_INFINITY,
      horizonSeconds: 2 * 3600,
    },
    { label: '100k profiles, rate set to 900/s', profiles: 100_000, rate: 900 },
    { label: '100k profiles, ingest starting 60/s meanwhile', profiles: 100_000, ingestPerSecond: 60 },
  ];
  for (const { label, ...options } of cases) {
    const started = performance.now();
    const run = await runLoadModel({ ...options, bucket: QUOTA });
    const minutes = (run.entrySeconds / 60).toFixed(1);
    console.log(
      `${label.padEnd(48)} entry ${minutes} min  executions ${run.executions}  lost ${run.lost}  ` +
        `twice ${run.startedTwice}  throttled ${run.throttled}  peak ${run.peakPerSecond}/s  ` +
        `redelivered ${run.redelivered}  dead letters ${run.deadLetters}` +
        (run.cutOff
          ? `  still queued at the horizon ${run.queuedCustomers} (paused batches ${run.pausedBatches})`
          : '') +
        `  (modelled in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
}
