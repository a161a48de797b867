import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalRuntime } from '#infra/local/index.ts';
import { readActivity } from '#infra/local/runtime/activity.ts';
import { splitBucket } from '#shared/journey/enrollment.ts';
import { AWS_CLI } from './aws-cli.ts';
import { type CustomerEvent, entry } from './local-runtime.ts';

const run = promisify(execFile);

/**
 * The first customer id `<prefix>-<n>` whose bucket at a split step falls in
 * [from, to): the variant a test needs, computed rather than hoped for.
 */
export function customerInBucket(
  journeyId: string,
  stepId: string,
  prefix: string,
  [from, to]: [number, number],
): string {
  for (let n = 0; n < 10_000; n++) {
    const id = `${prefix}-${n}`;
    const bucket = splitBucket(journeyId, stepId, id);
    if (bucket >= from && bucket < to) return id;
  }
  throw new Error(`No customer id with prefix ${prefix} falls in buckets ${from}-${to - 1}`);
}

/** Sends events with the AWS CLI v2 (`aws events put-events --entries file://…`) to the local endpoint. */
export async function putEventsWithCli(runtime: LocalRuntime, events: CustomerEvent[]): Promise<unknown> {
  const file = join(runtime.options.dataDir, `cli-entries-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(events.map((e) => entry(runtime, e))));
  const { stdout } = await run(
    AWS_CLI,
    ['events', 'put-events', '--endpoint-url', runtime.endpoints.eventbridge, '--entries', `file://${file}`],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: runtime.options.dataDir,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
      },
    },
  );
  return JSON.parse(stdout);
}

/** The send-message results of one execution, in order, with the journey time each was recorded at. */
export async function sendsOf(runtime: LocalRuntime, execution: string) {
  await runtime.services.activity.flushed();
  return (await readActivity(runtime.options.dataDir))
    .filter((a) => a.execution === execution && a.resource.endsWith('journeys-send-message'))
    .map((a) => ({ at: a.at, state: a.state, output: a.output, error: a.error }));
}
