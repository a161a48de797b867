import { parentPort, workerData } from 'node:worker_threads';
import * as z from 'zod';
import { Journey } from '#shared/journey/schema.ts';
import { Template } from '#shared/templates.ts';
import { Scenario } from '../scenario/spec.ts';
import { runShard } from './shard.ts';

/**
 * A worker thread's entry: runs the shard of customers it is given and
 * posts its progress now and then, then its totals (see shards.ts).
 */

export const ShardRequest = z.object({
  journey: Journey,
  templates: z.map(z.string(), Template),
  scenario: Scenario,
  customers: z.number().int().positive(),
  shard: z.number().int().nonnegative(),
  of: z.number().int().positive(),
});
export type ShardRequest = z.input<typeof ShardRequest>;

const port = parentPort;
if (port === null) throw new Error('shard-worker.ts runs as a worker thread');
const request = ShardRequest.parse(workerData);
const totals = await runShard({
  ...request,
  progress: (entered, now) => port.postMessage({ kind: 'progress', entered, now: now.getTime() }),
});
port.postMessage({ kind: 'done', totals });
