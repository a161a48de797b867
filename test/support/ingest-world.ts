import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfileIdentities } from '#functions/_lib/identity.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { CachedRegistry, RegistryRepository } from '#functions/_lib/registry.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import type { AwaitDeps } from '#functions/await-event/await.ts';
import type { IngestDeps } from '#functions/ingest/ingest.ts';
import { registerJourney } from '../integration/functions/harness.ts';
import { type AwsEffects, awsEffects } from './aws-effects.ts';
import { CrashPlan, type RequestKind } from './crash-points.ts';
import { type LocalDynamo, startDynalite } from './dynalite.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { faultyDynamo } from './faulty-dynamo.ts';
import { mockedClient } from './mocked-clients.ts';

/**
 * Real tables (dynalite, behind a fault proxy) for the handlers that read and
 * write the customer's items — ingest, await-event, execution-status — with
 * Step Functions and SQS as `AwsEffects`, so that one CrashPlan covers every
 * request an invocation makes.
 */
export type HandlerWorld = {
  db: LocalDynamo;
  dbProxy: FaultProxy;
  effects: AwsEffects;
  /** The document client through the proxy (`faulty`) or straight to dynalite, for other handlers' repositories. */
  docOf: (faulty: boolean) => DynamoDBDocumentClient;
  /** The handlers' dependencies: through the proxy (`faulty`) or straight to dynalite. */
  ingestDeps: (faulty: boolean, now: () => Date) => IngestDeps;
  awaitDeps: (faulty: boolean, now: () => Date) => AwaitDeps;
  /** Every request passes again and nothing in-process dies: the state between runs. */
  nothingFails: () => void;
  /**
   * Runs an invocation dying at `crash`, then (when it died) again with nothing failing, as its caller
   * retries it: what the last run returned, whether the first died, and the requests it made (how
   * many, and their kinds in order).
   */
  dieThenRetry: <T>(
    crash: CrashPlan,
    invoke: () => Promise<T>,
  ) => Promise<{ result: T | undefined; died: boolean; requests: number; path: RequestKind[] }>;
  /** Every counter of a journey, summed over versions, reasons and shards, by `step/metric` (`-/metric` for the journey's). */
  counters: (journeyId: string) => Promise<Map<string, number>>;
  stop: () => Promise<void>;
};

/** The steps of a journey that waits a day for "Order Completed", then exits. */
export const WAIT_FOR_ORDER = {
  start: 'wait',
  steps: {
    wait: {
      type: 'waitForEvent',
      event: 'Order Completed',
      timeout: 'P1D',
      onEvent: 'done',
      onTimeout: 'done',
    },
    done: { type: 'exit' },
  },
} as const;

function tablesOn(db: LocalDynamo, doc: DynamoDBDocumentClient) {
  const enrollments = new EnrollmentItems(doc, db.tables.enrollments);
  return {
    enrollments,
    profiles: new ProfilesRepository(doc, db.tables.profiles, enrollments),
    stats: new StatsRepository(doc, db.tables.stats),
    registry: new RegistryRepository(doc, db.tables.journeys),
  };
}

export async function startHandlerWorld(prefix: string): Promise<HandlerWorld> {
  const db = await startDynalite(prefix);
  const { proxy: dbProxy, doc: faultyDoc } = await faultyDynamo(db);
  const effects = awsEffects();
  const on = (faulty: boolean) => tablesOn(db, faulty ? faultyDoc : db.doc);
  const nothingFails = () => {
    effects.crash = CrashPlan.never();
    dbProxy.plan(() => 'pass');
  };
  return {
    db,
    dbProxy,
    effects,
    docOf: (faulty) => (faulty ? faultyDoc : db.doc),
    ingestDeps: (faulty, now) => {
      const { enrollments, profiles, stats } = on(faulty);
      return {
        profiles,
        identities: new ProfileIdentities(faulty ? faultyDoc : db.doc, db.tables.profiles, now),
        enrollments,
        // The journeys are read straight from dynalite: a read is a point where nothing has happened
        // yet, and the requests of an invocation stay as many however many journeys a test registers.
        registry: new CachedRegistry(new RegistryRepository(db.doc, db.tables.journeys), 0),
        stats,
        sfn: mockedClient(SFNClient),
        sqs: mockedClient(SQSClient),
        rejectedQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/rejected',
        now,
      };
    },
    awaitDeps: (faulty, now) => {
      const { enrollments, profiles, stats, registry } = on(faulty);
      return {
        profiles,
        enrollments,
        journeys: registry,
        stats,
        sfn: mockedClient(SFNClient),
        now,
      };
    },
    nothingFails,
    dieThenRetry: async (crash, invoke) => {
      effects.crash = crash.onProxies(dbProxy);
      const first = await invoke().catch(() => undefined);
      await dbProxy.idle();
      nothingFails();
      const died = crash.died();
      return { result: died ? await invoke() : first, died, requests: crash.requests(), path: crash.path() };
    },
    counters: async (journeyId) => {
      const rows = await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId);
      const counts = new Map<string, number>();
      for (const row of rows) {
        const key = `${row.stepId ?? '-'}/${row.metric}`;
        counts.set(key, (counts.get(key) ?? 0) + row.count);
      }
      return counts;
    },
    stop: async () => {
      effects.restore();
      await dbProxy.stop();
      await db.stop();
    },
  };
}

/**
 * The hooks of a crash-point file: its world started before its tests (`use`
 * takes it), with a journey that waits for "Order Completed" (`waitingJourney`,
 * when named), stopped after them, and nothing failing as each test begins.
 */
export function crashPointWorld(
  prefix: string,
  use: (world: HandlerWorld) => void,
  waitingJourney?: string,
): void {
  let world: HandlerWorld | undefined;
  beforeAll(async () => {
    world = await startHandlerWorld(prefix);
    use(world);
    if (waitingJourney === undefined) return;
    await registerJourney(world.db, {
      id: waitingJourney,
      name: waitingJourney,
      trigger: { type: 'event', event: 'Wait Started' },
      reentry: { mode: 'always' },
      ...WAIT_FOR_ORDER,
    });
  });
  afterAll(async () => world?.stop());
  beforeEach(() => {
    if (world === undefined) return;
    world.effects.crash = CrashPlan.never();
    world.dbProxy.plan(() => 'pass');
  });
}

/**
 * A crash-point file's world, started as the file is collected (its cases'
 * points can come from a run with nothing failing): stopped after its tests,
 * nothing failing as each test begins, with a journey that waits for "Order
 * Completed" (`waitingJourney`, when named).
 */
export async function collectedCrashPointWorld(
  prefix: string,
  waitingJourney?: string,
): Promise<HandlerWorld> {
  const world = await startHandlerWorld(prefix);
  afterAll(async () => world.stop());
  beforeEach(world.nothingFails);
  if (waitingJourney !== undefined)
    await registerJourney(world.db, {
      id: waitingJourney,
      name: waitingJourney,
      trigger: { type: 'event', event: 'Wait Started' },
      reentry: { mode: 'always' },
      ...WAIT_FOR_ORDER,
    });
  return world;
}
