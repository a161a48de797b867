/**
 * Where a simulation's worker threads start: the source module, and the
 * name of its bundle beside the CLI's main.mjs (infra/cli/bundle/build.ts
 * builds it, shards.ts starts it).
 */
export const SHARD_SOURCE = 'infra/simulate/run/shard-worker.ts';
export const SHARD_BUNDLE = 'simulate-shard.mjs';
