import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { JOURNEY_STATUSES } from '#shared/journey/rules.ts';
import { jsonLocator } from '#shared/json-text.ts';
import type { BusEvent, LocalBus } from '../services/eventbridge/bus.ts';
import { folderKeys, s3Notification } from '../services/s3/notifications.ts';
import { JOURNEYS_PREFIX, objectInfo } from '../services/s3/s3.ts';
import { LOCAL_NAMES } from './env.ts';
import type { ResolvedOptions } from './options.ts';

type JourneyStatus = (typeof JOURNEY_STATUSES)[number];

const ObjectEvent = z.object({ object: z.object({ key: z.string() }) });
const DeployResult = z
  .object({
    status: z.string().optional(),
    journeyId: z.string().optional(),
    version: z.union([z.string(), z.number()]).optional(),
    journeyStatus: z.enum(JOURNEY_STATUSES).optional(),
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
  await deployKeys(bus, options, await folderKeys(options.journeysDir));
}

/**
 * Announces these keys of the journeys folder as created objects, one at a
 * time, templates first (a journey's deploy checks the templates it names),
 * and waits for each deploy.
 */
export async function deployKeys(
  bus: Pick<LocalBus, 'put' | 'idle'>,
  options: Pick<ResolvedOptions, 'journeysDir'>,
  keys: readonly string[],
): Promise<void> {
  const ordered = [
    ...keys.filter((k) => k.includes('/templates/')),
    ...keys.filter((k) => !k.includes('/templates/')),
  ];
  for (const key of ordered) {
    const file = join(options.journeysDir, key.slice(JOURNEYS_PREFIX.length));
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

/** What each journey status means for enrollments, after the version is published. */
const LIVE_AS: Readonly<Record<JourneyStatus, { mark: string; word: string; meaning?: string }>> = {
  active: { mark: '✓', word: 'deployed' },
  paused: { mark: '‖', word: 'paused', meaning: 'no new enrollments; running ones go on' },
  draft: { mark: '·', word: 'draft', meaning: 'validated, not live: no enrollments' },
  archived: { mark: '·', word: 'archived', meaning: 'no new enrollments; running ones finish' },
};

/**
 * The file of an object, relative to the journeys folder: the same name
 * whether the folder is the project's, one given with --journeys-dir or the
 * copy `journeys test` runs a scenario's journeys from.
 */
function fileOf(key: string): string {
  return key.startsWith(JOURNEYS_PREFIX) ? key.slice(JOURNEYS_PREFIX.length) : key;
}

type Violation = { path?: string; message: string; line?: number; column?: number };
type Locate = (violation: Violation & { path: string }) => Violation;

/**
 * Prints what the deploy handler made of an object, named by its file in the
 * journeys folder: the version it published and what the journey's status
 * makes of it, what removing a file did, or every violation — at the line and
 * column of the file where it is written, as `journeys validate` prints them.
 */
export async function reportDeploy(
  event: BusEvent,
  result: unknown,
  options: { log: (line: string) => void; journeysDir: string },
): Promise<unknown> {
  const key = ObjectEvent.safeParse(event.detail).data?.object.key;
  const file = key === undefined ? '(unknown object)' : fileOf(key);
  const rejected = (DeployResult.safeParse(result).data?.violations?.length ?? 0) > 0;
  // The file as the deploy read it (the bucket is the folder); gone or changed since, positions are left out.
  const text =
    rejected && key !== undefined
      ? await readFile(join(options.journeysDir, file), 'utf8').catch(() => undefined)
      : undefined;
  for (const line of deployLines(file, result, text === undefined ? undefined : locatorOf(text)))
    options.log(line);
  return result;
}

/** Where the problems of a JSON text are written; none for a text that is not valid JSON (its message says where). */
function locatorOf(text: string): Locate | undefined {
  try {
    return jsonLocator(text);
  } catch {
    return undefined;
  }
}

/** `  7:53  steps.hello.next: …`: where first, as compilers print it (editors and terminals jump there). */
function violationLine(v: Violation, locate: Locate | undefined): string {
  const at = v.path === undefined || locate === undefined ? v : locate({ ...v, path: v.path });
  const where = at.line === undefined ? '' : `${at.line}:${at.column}  `;
  return `    ${where}${v.path ?? ''}${v.path ? ': ' : ''}${v.message}`;
}

function deployLines(file: string, result: unknown, locate?: Locate): string[] {
  const parsed = DeployResult.safeParse(result);
  if (!parsed.success || parsed.data.status === undefined) return [];
  const { status, journeyId, version, journeyStatus, violations = [], results = [] } = parsed.data;
  // Templates, the JSON Schema and demo data share the folder; they are not journeys to report.
  if (status === 'ignored') return [];
  // A changed template deploys each journey sending it again (none: nothing newly pins it).
  if (status === 'redeployed')
    return results.flatMap((r) => {
      const id = DeployResult.safeParse(r).data?.journeyId;
      return deployLines(`${id ?? '(a journey)'}.json (${file} changed)`, r);
    });
  const journey = journeyId ?? 'its journey';
  // The file of a journey that was never deployed is gone: nothing was archived.
  if (status === 'unknown') return [`· ${file} removed (${journey} was never deployed: nothing to archive)`];
  if (status === 'unchanged') return [`· ${file}: an earlier version removed, ${journey} unchanged`];
  if (status === 'superseded') return [`· ${file}: changed again since, that change is what deploys`];
  if (status === 'archived') return [`· ${file} removed: ${journey} archived (${LIVE_AS.archived.meaning})`];
  if (violations.length > 0)
    return [
      `✗ ${file} ${status}: ${violations.length} problem${violations.length === 1 ? '' : 's'}`,
      ...violations.map((v) => violationLine(v, locate)),
    ];
  const what = journeyId === undefined ? '' : ` ${journeyId}${version === undefined ? '' : ` v${version}`}`;
  const live = status === 'deployed' && journeyStatus !== undefined ? LIVE_AS[journeyStatus] : undefined;
  if (live === undefined) return [`✓ ${file} ${status}${what}`];
  return [`${live.mark} ${file} ${live.word}${what}${live.meaning === undefined ? '' : `: ${live.meaning}`}`];
}
