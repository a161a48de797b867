import { join } from 'node:path';
import * as z from 'zod';
import type { BusEvent, LocalBus } from '../services/eventbridge/bus.ts';
import { folderKeys, s3Notification } from '../services/s3/notifications.ts';
import { objectInfo } from '../services/s3/s3.ts';
import { LOCAL_NAMES } from './env.ts';
import type { ResolvedOptions } from './options.ts';

const ObjectEvent = z.object({ object: z.object({ key: z.string() }) });
const DeployResult = z
  .object({
    status: z.string().optional(),
    journeyId: z.string().optional(),
    version: z.union([z.string(), z.number()]).optional(),
    violations: z.array(z.object({ path: z.string().optional(), message: z.string() })).optional(),
    results: z.array(z.unknown()).optional(),
  })
  .loose();

/**
 * Announces every file of the journeys folder as a created object, one at a
 * time, and waits for each deploy: on start the folder is the bucket's state.
 */
export async function deployFolder(
  bus: Pick<LocalBus, 'put' | 'idle'>,
  options: Pick<ResolvedOptions, 'journeysDir'>,
): Promise<void> {
  const keys = await folderKeys(options.journeysDir);
  // Templates first: a journey's deploy checks the templates it names.
  const ordered = [
    ...keys.filter((k) => k.includes('/templates/')),
    ...keys.filter((k) => !k.includes('/templates/')),
  ];
  for (const key of ordered) {
    const file = join(options.journeysDir, key.slice('journeys/'.length));
    const info = await objectInfo(options.journeysDir, file).catch(skipRemoved);
    // Gone since the folder was listed: the deploy of a fixed journey deletes its rejection report.
    if (info === undefined) continue;
    await bus.put([s3Notification(LOCAL_NAMES.bucket, key, info)]);
    await bus.idle();
  }
}

function skipRemoved(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}

/** Prints what the deploy handler made of an object: the version it published, or every violation. */
export function reportDeploy(event: BusEvent, result: unknown, log: (line: string) => void): unknown {
  const key = ObjectEvent.safeParse(event.detail).data?.object.key ?? '(unknown object)';
  const parsed = DeployResult.safeParse(result);
  if (!parsed.success || parsed.data.status === undefined) return result;
  const { status, journeyId, version, violations = [] } = parsed.data;
  // Templates, the JSON Schema and demo data share the folder; they are not journeys to report.
  if (status === 'ignored') return result;
  // A template no journey newly pins: nothing was published.
  if (status === 'redeployed' && (parsed.data.results ?? []).length === 0) return result;
  // The file of a journey that was never deployed is gone: nothing was archived.
  if (status === 'unknown') {
    log(`· ${key} removed (${journeyId ?? 'its journey'} was never deployed: nothing to archive)`);
    return result;
  }
  if (violations.length > 0) {
    log(`✗ ${key} ${status}: ${violations.length} problem${violations.length === 1 ? '' : 's'}`);
    for (const v of violations) log(`    ${v.path ?? ''}${v.path ? ': ' : ''}${v.message}`);
    return result;
  }
  const what = journeyId === undefined ? '' : ` ${journeyId}${version === undefined ? '' : ` v${version}`}`;
  log(`✓ ${key} ${status}${what}`);
  return result;
}
