import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import type { RegistryRepository } from '#functions/_lib/registry.ts';
import type { StatsRetention } from '#functions/_lib/stats-retention.ts';
import { putSystemEvent } from '#functions/_lib/system-events.ts';
import { pinnedName, type TemplateSnapshots } from '#functions/_lib/templates.ts';
import { hex128 } from '#shared/hash.ts';
import { experimentStates } from '#shared/ingest/experiments.ts';
import { earlierEndings, liveFields } from '#shared/ingest/live-journey.ts';
import type { Bindings } from '#shared/journey/compile/bindings.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import {
  intendedIdOfName,
  JOURNEY_ID_RULE,
  journeyIdOfKey,
  misnamedJourneyOfKey,
  notJsonJourneyOfKey,
  rejectionKey,
  templateNameOfKey,
} from '#shared/journey/s3-keys.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { DEFAULT_STATE_MACHINE_PREFIX, stateMachineName } from '#shared/journey/state-machine-name.ts';
import { type Violation, validateJourney } from '#shared/journey/validate.ts';
import type { JsonText } from '#shared/json-text.ts';
import { scheduleAction } from '#shared/segment/schedule.ts';
import { utf8Length } from '#shared/utf8.ts';
import { applySchedule, type ScheduleConfig } from './schedules.ts';
import { claimShare } from './share.ts';
import {
  deleteObject,
  hasCurrentObject,
  parseTemplate,
  putJson,
  readObject,
  templateCatalog,
} from './source.ts';
import { publishJourney } from './state-machine.ts';
import {
  explainTemplates,
  sendsTemplate,
  templateNamesOf,
  versionTemplates,
  withPinnedTemplates,
} from './templates.ts';
import { pruneAfterDeploy, type VersionPolicy } from './versions.ts';

/** The S3 notification EventBridge delivers (the fields this function uses). */
export const S3Notification = z.object({
  'detail-type': z.enum(['Object Created', 'Object Deleted']),
  detail: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), etag: z.string().optional(), 'version-id': z.string().optional() }),
    reason: z.string().optional(),
    'deletion-type': z.string().optional(),
  }),
});
export type S3Notification = z.infer<typeof S3Notification>;

export type DeployDeps = {
  s3: S3Client;
  sfn: SFNClient;
  events: EventBridgeClient;
  registry: RegistryRepository;
  templates: TemplateSnapshots;
  /** Gives the results of versions that stop taking entries their expiry; without it they are kept. */
  stats?: StatsRetention;
  config: {
    eventBus: string;
    roleArn: string;
    /** The stack's prefix of state machine names; `journey-` when absent. */
    namePrefix?: string;
    bindings: Bindings;
    logGroupArn?: string;
    /** The stack's tags, put on each journey's state machine (cost allocation); none when absent. */
    tags?: ReadonlyMap<string, string>;
    /** The webhook connections that exist, name → base URL: a journey naming another is rejected. */
    connections: ReadonlyMap<string, string>;
    /** Which old state machine versions each deploy deletes. */
    versions: VersionPolicy;
  };
  /** Segment-trigger schedules; without it no schedule is managed. */
  schedules?: ScheduleConfig;
  now: () => Date;
};

export type DeployResult =
  | { status: 'ignored'; key: string }
  | { status: 'redeployed'; template: string; results: DeployResult[] }
  /** `journeyStatus`: the version is live as the file says: enrolling (active), paused, a draft or archived. */
  | { status: 'deployed'; journeyId: string; version: string; journeyStatus: Journey['status'] }
  | { status: 'rejected'; journeyId: string; violations: Violation[] }
  | { status: 'archived' | 'unknown'; journeyId: string }
  /** A version of the file was removed, not the file: the live version is still the file's. */
  | { status: 'unchanged'; journeyId: string }
  /** The notification is of a version replaced or deleted since: the newer one's notification counts. */
  | { status: 'superseded'; journeyId: string };

function emit(deps: DeployDeps, detailType: string, detail: Record<string, unknown>): Promise<void> {
  return putSystemEvent(deps.events, deps.config.eventBus, detailType, detail);
}

async function check(deps: DeployDeps, bucket: string, id: string, json: JsonText) {
  if (!json.ok) {
    const message = `The file is ${json.message}.`;
    return { ok: false as const, violations: [{ path: '', code: 'json.invalid' as const, message }] };
  }
  const { catalog, bodies, invalid } = await templateCatalog(deps.s3, bucket, templateNamesOf(json.value));
  const validated = validateJourney(json.value, {
    templates: catalog,
    templateBodies: bodies,
    connections: deps.config.connections,
  });
  const result = validated.ok
    ? validated
    : { ...validated, violations: explainTemplates(validated.violations, json.value, invalid) };
  if (result.ok && result.journey.id !== id) {
    const message = `The journey id "${result.journey.id}" must match its file name (journeys/${id}.json).`;
    return { ok: false as const, violations: [{ path: 'id', code: 'schema.invalid' as const, message }] };
  }
  return result;
}

/** What a rejection event may spend on violations: EventBridge refuses an entry over 256 KB. */
const EVENT_VIOLATION_BYTES = 64 * 1024;

/**
 * The rejection as an event: every violation when they fit, else the first
 * ones that do, with how many there are and the report that has them all
 * (a large file can have thousands, each quoting what it names).
 */
function announced<R extends { violations: Violation[] }>(report: R, reportKey: string) {
  const kept: Violation[] = [];
  let bytes = 0;
  for (const violation of report.violations) {
    bytes += utf8Length(JSON.stringify(violation)) + 1;
    if (bytes > EVENT_VIOLATION_BYTES) break;
    kept.push(violation);
  }
  if (kept.length === report.violations.length) return report;
  return { ...report, violations: kept, violationCount: report.violations.length, report: reportKey };
}

async function reject(
  deps: DeployDeps,
  bucket: string,
  source: { key: string; versionId?: string },
  id: string,
  violations: Violation[],
) {
  const report = {
    journeyId: id,
    source: source.key,
    sourceVersionId: source.versionId,
    rejectedAt: deps.now().toISOString(),
    violations,
  };
  await putJson(deps.s3, bucket, rejectionKey(id), report);
  await emit(deps, 'Journey Rejected', announced(report, rejectionKey(id)));
  return { status: 'rejected' as const, journeyId: id, violations };
}

async function created(deps: DeployDeps, n: S3Notification, id: string): Promise<DeployResult> {
  const bucket = n.detail.bucket.name;
  const key = n.detail.object.key;
  const versionId = n.detail.object['version-id'];
  if (versionId === undefined) {
    const object = await readObject(deps.s3, bucket, key);
    return deploy(deps, bucket, { key, versionId: object.versionId }, object.json, id);
  }
  // A notification can arrive late (EventBridge and Lambda retry for hours, in any order):
  // only the file as it is now is deployed, never a version replaced or deleted since.
  const current = (await hasCurrentObject(deps.s3, bucket, key))
    ? await readObject(deps.s3, bucket, key)
    : undefined;
  if (current === undefined) return { status: 'superseded', journeyId: id };
  // A bucket that reports no version (not versioned) cannot say: the notification's version is read.
  if (current.versionId === undefined) {
    const object = await readObject(deps.s3, bucket, key, versionId);
    return deploy(deps, bucket, { key, versionId: object.versionId }, object.json, id);
  }
  if (current.versionId !== versionId) return { status: 'superseded', journeyId: id };
  return deploy(deps, bucket, { key, versionId }, current.json, id);
}

async function deploy(
  deps: DeployDeps,
  bucket: string,
  source: { key: string; versionId?: string },
  json: JsonText,
  id: string,
): Promise<DeployResult> {
  const key = source.key;
  const checked = await check(deps, bucket, id, json);
  // An invalid journey leaves the live version untouched: nothing below runs.
  if (!checked.ok) return reject(deps, bucket, source, id, checked.violations);
  const journey = checked.journey;
  // What live journeys add to every profile is held to its share: a journey past it is rejected.
  // Checked and registered as one step, so two deploys at once cannot both take the last places.
  const share = await claimShare(deps.registry, deps.registry.shares, journey);
  if (share.violations.length > 0) return reject(deps, bucket, source, id, share.violations);
  const pinned = await versionTemplates(deps.s3, bucket, journey);
  if (!pinned.ok) {
    await share.undo();
    return reject(deps, bucket, source, id, pinned.violations);
  }
  // Pinned before compiling: the version's definition names the exact template content it sends.
  const names = await deps.templates.put(id, pinned.templates);
  const previous = await deps.registry.get(id);
  const published = await publishJourney(
    deps.sfn,
    {
      name: stateMachineName(deps.config.namePrefix ?? DEFAULT_STATE_MACHINE_PREFIX, id),
      definition: definitionOf(journey, compile(withPinnedTemplates(journey, names), deps.config.bindings)),
      roleArn: deps.config.roleArn,
      logGroupArn: deps.config.logGroupArn,
      tags: deps.config.tags,
      description: `${key}${source.versionId === undefined ? '' : `@${source.versionId}`}`,
    },
    { stateMachineArn: previous?.stateMachineArn, aliasArn: previous?.aliasArn },
    (stateMachineArn) => pruneAfterDeploy(deps.sfn, stateMachineArn, deps.config.versions),
  );
  const deployedAt = deps.now().toISOString();
  const live = liveFields(journey);
  const experiments = experimentStates(journey, published.version, deployedAt, previous?.experiments);
  // Enrollments of earlier versions still finish on their own goal and exit events.
  const earlier = earlierEndings(previous, published.version, deps.now());
  await deps.registry.putDeployed(
    {
      ...live,
      ...published,
      ...(earlier.length === 0 ? {} : { earlier }),
      experiments,
      sourceKey: key,
      sourceVersionId: source.versionId,
      deployedAt,
    },
    previous,
  );
  // The previous version's templates are kept only as long as its executions can run.
  await deps.templates.retire(id, new Set(names.values()), deps.now());
  // So are the results of the versions that no longer take entries, and a year and a day more.
  await deps.stats?.retire(id, { keep: published.version, at: deps.now() });
  // After the registry write, so a run the schedule starts reads this version.
  if (deps.schedules !== undefined) await applySchedule(deps.schedules, scheduleAction(live, previous));
  await deleteObject(deps.s3, bucket, rejectionKey(id));
  await emit(deps, 'Journey Deployed', {
    journeyId: id,
    version: published.version,
    source: key,
    sourceVersionId: source.versionId,
  });
  // Last, and never failing the deploy: the new version is live whatever happens here.
  await pruneAfterDeploy(deps.sfn, published.stateMachineArn, deps.config.versions);
  return { status: 'deployed', journeyId: id, version: published.version, journeyStatus: journey.status };
}

/**
 * The definition a version publishes: the compiled states, with a digest of
 * the goal and exit events, and of the correlation key they are matched at,
 * in its Comment. Ingest reads those from the registry, not from the states,
 * yet an enrollment finishes on its own version's (earlierEndings): an edit
 * of them alone publishes a version of its own, as an edit of the states does
 * (Step Functions answers an unchanged definition with the latest version),
 * and its results count apart.
 */
function definitionOf(journey: Journey, asl: ReturnType<typeof compile>): string {
  if (journey.goal === undefined && journey.exitOn === undefined) return JSON.stringify(asl);
  // Absent, the key leaves the digest as it was before the key was part of it (JSON drops undefined).
  const correlationKey = journey.trigger.type === 'event' ? journey.trigger.correlationKey : undefined;
  const endings = hex128(
    JSON.stringify({ goal: journey.goal, exitOn: journey.exitOn, correlationKey }),
  ).slice(0, 12);
  return JSON.stringify({ ...asl, Comment: `${asl.Comment} (goal and exits ${endings})` });
}

/**
 * A template changed: each journey that sends it is deployed again from its
 * current file, so its next version pins the new template while running
 * enrollments keep the one they started with.
 */
async function templateChanged(deps: DeployDeps, n: S3Notification, template: string): Promise<DeployResult> {
  const bucket = n.detail.bucket.name;
  const content = parseTemplate(template, (await readObject(deps.s3, bucket, n.detail.object.key)).json);
  const results: DeployResult[] = [];
  for (const entry of await deps.registry.listLive()) {
    if (entry.status === 'archived') continue;
    const { json } = await readObject(deps.s3, bucket, entry.sourceKey);
    if (!sendsTemplate(json, template)) continue;
    // Content this journey already pinned (a re-upload, a restart of the local runtime): nothing to publish.
    if (
      typeof content !== 'string' &&
      (await deps.templates.has(entry.journeyId, pinnedName(template, content)))
    )
      continue;
    const object = { key: entry.sourceKey };
    results.push(await created(deps, { ...n, detail: { ...n.detail, object } }, entry.journeyId));
  }
  return { status: 'redeployed', template, results };
}

/**
 * A version of the file was removed while the file stays: an old version (the
 * bucket's lifecycle rule expires them a year after they were replaced), the
 * current one (the previous version is the file again), or a delete marker
 * (the file is back). The file as it is now is what should be live.
 */
async function stillThere(deps: DeployDeps, bucket: string, key: string, id: string): Promise<DeployResult> {
  const object = await readObject(deps.s3, bucket, key);
  const live = await deps.registry.get(id);
  const same =
    live !== undefined &&
    live.status !== 'archived' &&
    object.versionId !== undefined &&
    live.sourceVersionId === object.versionId;
  if (same) return { status: 'unchanged', journeyId: id };
  return deploy(deps, bucket, { key, versionId: object.versionId }, object.json, id);
}

/**
 * A JSON file beside the journeys whose name is not a journey id is never
 * deployed: the report beside it says so (and names the file to save it as),
 * rather than the upload going unanswered. Deleting it deletes the report.
 */
async function misnamedFile(deps: DeployDeps, n: S3Notification, name: string): Promise<DeployResult> {
  const bucket = n.detail.bucket.name;
  const key = n.detail.object.key;
  if (n['detail-type'] === 'Object Deleted') {
    await deleteObject(deps.s3, bucket, rejectionKey(name));
    return { status: 'ignored', key };
  }
  // Read only to suggest a name: a file that cannot be read is still reported.
  const object = await readObject(deps.s3, bucket, key, n.detail.object['version-id']).catch(() => undefined);
  const value: unknown = object?.json.ok ? object.json.value : undefined;
  const id = typeof value === 'object' && value !== null && 'id' in value ? value.id : undefined;
  const saveAs =
    typeof id === 'string' && journeyIdOfKey(`journeys/${id}.json`) !== undefined
      ? `: save it as journeys/${id}.json`
      : '';
  const message = `The file name "${name}.json" is not a journey id, so it is not deployed: a journey is deployed only from journeys/<id>.json, ${JOURNEY_ID_RULE}${saveAs}.`;
  const violations: Violation[] = [{ path: '(file)', code: 'id.file-name', message }];
  return reject(deps, bucket, { key, versionId: object?.versionId }, name, violations);
}

/**
 * A journey saved beside the others as `cart.JSON`, `cart.json.txt` (an
 * editor added its extension) or `cart.yaml` is never deployed: the report
 * beside it (`journeys/<file name>.rejected.json`) says so and names the file
 * to save it as, rather than the upload going unanswered. The file is not
 * read. Deleting it deletes the report.
 */
async function notJsonFile(deps: DeployDeps, n: S3Notification, name: string): Promise<DeployResult> {
  const bucket = n.detail.bucket.name;
  const key = n.detail.object.key;
  if (n['detail-type'] === 'Object Deleted') {
    await deleteObject(deps.s3, bucket, rejectionKey(name));
    return { status: 'ignored', key };
  }
  const id = intendedIdOfName(name);
  const saveAs = id === undefined ? '' : `: save it, in JSON, as journeys/${id}.json`;
  const message = `The file "${name}" is not deployed: a journey is deployed only from a JSON file named journeys/<id>.json, ${JOURNEY_ID_RULE}, with the extension .json in lowercase${saveAs}.`;
  const violations: Violation[] = [{ path: '(file)', code: 'id.file-name', message }];
  return reject(deps, bucket, { key, versionId: n.detail.object['version-id'] }, name, violations);
}

/**
 * Whether the bucket's lifecycle rules removed a version for good: a replaced
 * version a year old, or the delete marker left alone once every version
 * before it expired. Neither changes the file as it is now (the lifecycle
 * never removes a current version of a versioned bucket), so neither deploys,
 * archives (again) or removes a report.
 */
function lifecycleCleanup(n: S3Notification): boolean {
  return (
    n['detail-type'] === 'Object Deleted' &&
    n.detail.reason === 'Lifecycle Expiration' &&
    n.detail['deletion-type'] === 'Permanently Deleted'
  );
}

/** Handles one S3 notification for the journeys bucket. */
export async function deployFromS3(deps: DeployDeps, notification: S3Notification): Promise<DeployResult> {
  const key = notification.detail.object.key;
  if (lifecycleCleanup(notification)) return { status: 'ignored', key };
  const id = journeyIdOfKey(key);
  const template = templateNameOfKey(key);
  if (template !== undefined && notification['detail-type'] === 'Object Created')
    return templateChanged(deps, notification, template);
  if (id === undefined) {
    const misnamed = misnamedJourneyOfKey(key);
    if (misnamed !== undefined) return misnamedFile(deps, notification, misnamed);
    const notJson = notJsonJourneyOfKey(key);
    return notJson === undefined ? { status: 'ignored', key } : notJsonFile(deps, notification, notJson);
  }
  if (notification['detail-type'] === 'Object Created') return created(deps, notification, id);
  const bucket = notification.detail.bucket.name;
  if (await hasCurrentObject(deps.s3, bucket, key)) return stillThere(deps, bucket, key, id);
  // Deleting the definition archives the journey: no new enrollments, running ones finish.
  const archived = await deps.registry.archive(id, deps.now().toISOString());
  // It takes no place of the profile's share any more.
  await deps.registry.shares.release(id);
  // Its running executions may send its templates for up to a year; then they expire.
  if (archived) await deps.templates.retire(id, new Set(), deps.now());
  if (archived) await deps.stats?.retire(id, { at: deps.now() });
  // A rejection report would go on describing a file that is no longer there.
  await deleteObject(deps.s3, notification.detail.bucket.name, rejectionKey(id));
  if (archived && deps.schedules !== undefined) {
    const entry = await deps.registry.get(id);
    if (entry !== undefined) await applySchedule(deps.schedules, scheduleAction(entry));
  }
  if (archived) await emit(deps, 'Journey Archived', { journeyId: id, source: key });
  return { status: archived ? 'archived' : 'unknown', journeyId: id };
}
