import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CachedRegistry, type RegistryEntry, RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import type { AwaitDeps } from '#functions/await-event/await.ts';
import type { IngestDeps } from '#functions/ingest/ingest.ts';
import { earlierEndings, liveFields } from '#shared/ingest/live-journey.ts';
import { Journey, type JourneyInput } from '#shared/journey/schema.ts';
import type { AwaitEventInput } from '#shared/tasks/await-event.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { caseId } from '../../support/case-ids.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { mockedClient } from '../../support/mocked-clients.ts';

/** The tables the handlers' repositories use: dynalite's, or the in-memory ones where dynalite is not what a test is about. */
export type Tables = Pick<LocalDynamo, 'doc' | 'tables'>;

export const ACCOUNT_PREFIX = 'arn:aws:states:eu-west-1:123456789012';

/** When registerJourney deploys a version. */
const DEPLOYED_AT = '2026-11-01T00:00:00.000Z';

/** Writes a journey to the registry as if deploy-journey had published version `version`. */
export async function registerJourney(
  db: Tables,
  input: JourneyInput,
  version = '1',
  previous?: RegistryEntry,
) {
  const journey = Journey.parse(input);
  const stateMachineArn = `${ACCOUNT_PREFIX}:stateMachine:journey-${journey.id}`;
  const registry = new RegistryRepository(db.doc, db.tables.journeys);
  const earlier = earlierEndings(previous, version, new Date(DEPLOYED_AT));
  await registry.putDeployed(
    {
      ...liveFields(journey),
      ...(earlier.length === 0 ? {} : { earlier }),
      version,
      versionArn: `${stateMachineArn}:${version}`,
      aliasArn: `${stateMachineArn}:live`,
      stateMachineArn,
      sourceKey: `journeys/${journey.id}.json`,
      deployedAt: DEPLOYED_AT,
    },
    previous,
  );
  return journey;
}

/**
 * A journey whose trigger must carry `properties.plan`: it copies it onto the
 * profile, so an event without one is skipped (`missing`) with the path.
 */
export function planCopyJourney(id: string, event: string): JourneyInput {
  return {
    id,
    name: 'Copies the plan',
    trigger: { type: 'event', event },
    start: 'record',
    steps: {
      record: { type: 'updateProfile', set: { plan: { from: 'trigger.properties.plan' } }, next: 'done' },
      done: { type: 'exit' },
    },
  };
}

/** Ingest dependencies on the tables (dynalite's, as a rule), with Step Functions and SQS mocked (no stand-in for them here). */
export function ingestDeps(db: Tables, now: () => Date = () => new Date('2026-11-24T10:00:00Z')) {
  const sfn = mockClient(SFNClient);
  const sqs = mockClient(SQSClient);
  sfn.onAnyCommand().resolves({});
  sqs.onAnyCommand().resolves({});
  const enrollments = new EnrollmentItems(db.doc, db.tables.enrollments);
  const deps: IngestDeps = {
    profiles: new ProfilesRepository(db.doc, db.tables.profiles, enrollments),
    identities: new ProfileIdentities(db.doc, db.tables.profiles, now),
    enrollments,
    registry: new CachedRegistry(new RegistryRepository(db.doc, db.tables.journeys), 0),
    stats: new StatsRepository(db.doc, db.tables.stats),
    sfn: mockedClient(SFNClient),
    sqs: mockedClient(SQSClient),
    rejectedQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/rejected',
    now,
  };
  return { deps, sfn, sqs };
}

/** Await-event dependencies sharing the tables and clients of ingest's. */
export function awaitDepsOf(db: Tables, deps: IngestDeps): AwaitDeps {
  const { profiles, enrollments, stats, sfn, now } = deps;
  return {
    profiles,
    enrollments,
    journeys: new RegistryRepository(db.doc, db.tables.journeys),
    stats,
    sfn,
    now,
  };
}

/**
 * A track event with a message id of the calling test's own (case-ids.ts): the same on every run,
 * whatever ran before the test in its worker.
 */
export function track(
  userId: string,
  event: string,
  properties: Record<string, unknown> = {},
  timestamp = '2026-11-24T09:59:00Z',
) {
  return { type: 'track', userId, event, properties, timestamp, messageId: `${caseId('m')}-${event}` };
}

export function identify(
  userId: string,
  traits: Record<string, unknown>,
  timestamp = '2026-11-24T09:59:00Z',
) {
  return { type: 'identify', userId, traits, timestamp, messageId: `${caseId('m')}-identify` };
}

/** The input of a waitForEvent step's registration for `userId` (enrollment `e-<userId>`), as compiled journeys send it. */
export function awaitInput(
  userId: string,
  step: Pick<AwaitEventInput, 'journeyId' | 'stepId' | 'event' | 'timeoutSeconds' | 'startedAt' | 'trigger'> &
    Partial<AwaitEventInput>,
): AwaitEventInput {
  return {
    v: CONTRACT_VERSION,
    journeyVersion: '1',
    enrollmentId: `e-${userId}`,
    userId,
    token: `token-${userId}`,
    match: [],
    ...step,
  };
}
