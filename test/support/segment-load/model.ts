import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { RegistryEntry } from '#functions/_lib/registry.ts';
import type { SegmentDeps } from '#functions/segment-entry/deps.ts';
import { OpenExecutions } from '#functions/segment-entry/headroom.ts';
import { processRecords } from '#functions/segment-entry/records.ts';
import { startRun } from '#functions/segment-entry/run.ts';
import { SEGMENT_BATCH_SIZE, SEGMENT_WORKER_CONCURRENCY } from '#infra/constructs/segment-entry.ts';
import { SEGMENT_EVENT_SOURCE } from '#infra/local/runtime/services.ts';
import { liveFields } from '#shared/ingest/live-journey.ts';
import { Journey } from '#shared/journey/schema.ts';
import { DEFAULT_START_RATE, STARTS_IN_FLIGHT, workerPace } from '#shared/segment/pace.ts';
import { SegmentWork } from '#shared/segment/work.ts';
import { AB_SPLIT_THEN_EXIT } from '../journey-steps.ts';
import { ModelQueue } from './queue.ts';
import { ThrottledStepFunctions } from './step-functions.ts';
import { ModelTables } from './stores.ts';
import { seeded, VirtualTime } from './virtual-time.ts';

export type LoadModelOptions = {
  /** Profiles in the table; `matchEvery` of them are in the segment (1 = all). */
  profiles: number;
  matchEvery?: number;
  /** The configured start rate (the stack's segmentStartRate). */
  rate?: number;
  workers?: number;
  /** Executions already open in the account when the run starts, and how many end per second. */
  openBefore?: number;
  endingPerSecond?: number;
  /**
   * How long each execution the run starts stays open, in seconds. The
   * model's journey (a split, then exit) ends within one (the default);
   * a journey that keeps customers waiting for days is `Infinity`.
   */
  openSeconds?: number;
  /** Model time after which the run is cut off with its remaining work still queued (default 24 hours). */
  horizonSeconds?: number;
  /** Starts per second ingest makes on the same quota meanwhile. */
  ingestPerSecond?: number;
  bucket?: { refillPerSecond: number; burst: number };
};

export type LoadModelResult = {
  profiles: number;
  matched: number;
  /** Distinct executions started. */
  executions: number;
  /** Customers of the segment with no execution and no longer queued: dropped. */
  lost: number;
  /** Customers with more than one execution. */
  startedTwice: number;
  /** Starts of an execution that already existed (answered as the first: a retry after an unclear reply). */
  repeatedStarts: number;
  /** From the scheduled invocation to the last start, in model seconds. */
  entrySeconds: number;
  throttled: number;
  peakPerSecond: number;
  redelivered: number;
  deadLetters: number;
  completedEvents: number;
  /** Worker invocations that found entry paused (open executions near the limit). */
  pausedBatches: number;
  enrolledCounted: number;
  /** The run was still at work at the horizon (paused entry waits for executions that never end). */
  cutOff: boolean;
  /** Customers of enroll items still on the queue at the end. */
  queuedCustomers: number;
};

const RUN = '2026-11-27T09:00:00.000Z';
const SCAN_LATENCY_MS = 40;
const SQS_LATENCY_MS = 8;
const INVOKE_MS = 15;
const POLL_MS = 200;

function registryEntry(): RegistryEntry {
  const journey = Journey.parse({
    id: 'black-friday',
    name: 'Black Friday',
    trigger: {
      type: 'segment',
      schedule: 'rate(1 day)',
      segment: { path: 'profile.traits.plan', eq: 'plus' },
    },
    reentry: { mode: 'once' },
    ...AB_SPLIT_THEN_EXIT,
  });
  const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:journey-black-friday';
  return RegistryEntry.parse({
    ...liveFields(journey),
    version: '1',
    versionArn: `${arn}:1`,
    aliasArn: `${arn}:live`,
    stateMachineArn: arn,
    sourceKey: 'journeys/black-friday.json',
    deployedAt: '2026-11-01T00:00:00.000Z',
  });
}

function queuedCustomers(queue: ModelQueue): number {
  let customers = 0;
  for (const body of queue.pending()) {
    const work = SegmentWork.parse(JSON.parse(body));
    if (work.kind === 'enroll') customers += work.userIds.length;
  }
  return customers;
}

/** A profiles table of `profiles` customers read as parallel Scan segments do. */
function scanAnswer(options: Required<Pick<LoadModelOptions, 'profiles' | 'matchEvery'>>) {
  return (input: {
    Segment?: number;
    TotalSegments?: number;
    Limit?: number;
    ExclusiveStartKey?: Record<string, unknown>;
  }) => {
    const segment = input.Segment ?? 0;
    const total = input.TotalSegments ?? 1;
    const from = typeof input.ExclusiveStartKey?.next === 'number' ? input.ExclusiveStartKey.next : segment;
    const items: Record<string, unknown>[] = [];
    let i = from;
    for (; i < options.profiles && items.length < (input.Limit ?? 100); i += total)
      items.push({ userId: `u-${i}`, 't:plan': i % options.matchEvery === 0 ? 'plus' : 'free' });
    return { Items: items, ...(i < options.profiles ? { LastEvaluatedKey: { next: i } } : {}) };
  };
}

/**
 * Runs one segment run through the real fan-out and worker code, with SQS,
 * Lambda's event source, Step Functions and the tables modelled on a virtual
 * clock, and reports what Step Functions saw.
 */
export async function runLoadModel(options: LoadModelOptions): Promise<LoadModelResult> {
  const matchEvery = options.matchEvery ?? 1;
  const workers = options.workers ?? SEGMENT_WORKER_CONCURRENCY;
  const rate = options.rate ?? DEFAULT_START_RATE;
  const openSeconds = options.openSeconds ?? 1;
  const time = new VirtualTime();
  const stepFunctions = new ThrottledStepFunctions(time, options.bucket);
  const tables = new ModelTables(time);
  const queue = new ModelQueue(
    SEGMENT_EVENT_SOURCE.visibilityTimeoutMs,
    SEGMENT_EVENT_SOURCE.maxReceiveCount,
  );
  const entry = registryEntry();
  let completedEvents = 0;

  const sfn = new SFNClient({ region: 'eu-west-1' });
  answer(sfn, StartExecutionCommand, (input) => stepFunctions.startExecution(input));
  const sqs = new SQSClient({ region: 'eu-west-1' });
  answer(sqs, SendMessageBatchCommand, async (input) => {
    await time.sleep(SQS_LATENCY_MS);
    const entries = input.Entries ?? [];
    for (const e of entries) queue.send([e.MessageBody ?? ''], time.nowMs, (e.DelaySeconds ?? 0) * 1000);
    return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
  });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  const scan = scanAnswer({ profiles: options.profiles, matchEvery });
  answer(db, ScanCommand, async (input) => {
    await time.sleep(SCAN_LATENCY_MS);
    return scan(input);
  });
  const control = new DynamoDBClient({ region: 'eu-west-1' });
  // The size DynamoDB reports for the table (a profile item of about 1 KB).
  answer(control, DescribeTableCommand, () => ({
    Table: { ItemCount: options.profiles, TableSizeBytes: options.profiles * 1024 },
  }));
  const events = new EventBridgeClient({ region: 'eu-west-1' });
  answer(events, PutEventsCommand, (input) => {
    if ((input.Entries ?? []).some((e) => e.DetailType === 'Segment Run Completed')) completedEvents += 1;
    return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
  });

  const random = seeded(7);
  // Open executions from counters, as the worker reads them: earlier ones ending, the run's own waiting.
  const counters = {
    listLive: async () => [entry],
    funnel: async () => {
      const endedBefore = Math.min(
        options.openBefore ?? 0,
        ((options.endingPerSecond ?? 0) * time.nowMs) / 1000,
      );
      const ended = endedBefore + stepFunctions.startedBefore(time.nowMs - openSeconds * 1000);
      return [
        {
          journeyId: entry.journeyId,
          version: '1',
          metric: 'enrolled',
          count: (options.openBefore ?? 0) + tables.enrolledCounted,
        },
        { journeyId: entry.journeyId, version: '1', metric: 'ended:completed', count: Math.floor(ended) },
      ];
    },
  };
  const deps = (): SegmentDeps => ({
    db,
    tables: control,
    profilesTable: 'profiles',
    registry: { get: async () => entry },
    ...tables.repositories(),
    sfn,
    sqs,
    queueUrl: 'segment',
    events,
    eventBus: 'customer-events',
    // Each worker is its own Lambda instance with its own pace.
    pacing: {
      pace: workerPace(rate, workers),
      nowMs: () => time.nowMs,
      sleep: time.sleep,
      random,
      inFlight: STARTS_IN_FLIGHT,
    },
    openExecutions: new OpenExecutions(counters, counters, () => time.nowMs),
    now: () => new Date(Date.parse(RUN) + time.nowMs),
  });

  let busy = 0;
  let pausedItems = 0;
  let finished = false;
  const lane = async (d: SegmentDeps) => {
    while (!finished) {
      const batch = queue.receive(SEGMENT_BATCH_SIZE, time.nowMs);
      if (batch.length === 0) {
        if (busy === 0 && queue.empty) finished = true;
        else await time.sleep(POLL_MS);
        continue;
      }
      busy += 1;
      await time.sleep(INVOKE_MS);
      const result = await processRecords(d, batch);
      if (result.paused.length > 0) pausedItems += 1;
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      for (const record of batch)
        if (failed.has(record.messageId)) queue.failed(record, time.nowMs);
        else queue.done(record);
      busy -= 1;
    }
  };
  const ingest = async () => {
    if (!options.ingestPerSecond) return;
    while (!finished) {
      stepFunctions.takeForOther();
      await time.sleep(1000 / options.ingestPerSecond);
    }
  };

  const done = (async () => {
    await startRun(deps(), { journeyId: entry.journeyId, scheduledTime: RUN });
    await Promise.all([...Array.from({ length: workers }, () => lane(deps())), ingest()]);
  })();
  const cutOff = !(await time.run((options.horizonSeconds ?? 24 * 3600) * 1000));
  if (!cutOff) await done;

  const matched = Math.ceil(options.profiles / matchEvery);
  const queued = queuedCustomers(queue);
  return {
    profiles: options.profiles,
    matched,
    executions: stepFunctions.executions,
    lost: matched - stepFunctions.executions - queued,
    startedTwice: stepFunctions.customersStartedTwice(),
    repeatedStarts: stepFunctions.repeats,
    entrySeconds: stepFunctions.lastStartMs / 1000,
    throttled: stepFunctions.throttled,
    peakPerSecond: stepFunctions.peakPerSecond(),
    redelivered: queue.redelivered,
    deadLetters: queue.deadLetters.length,
    completedEvents,
    pausedBatches: pausedItems,
    enrolledCounted: tables.enrolledCounted,
    cutOff,
    queuedCustomers: queued,
  };
}

/**
 * Answers a client's commands of one kind in memory: its `send` hands each
 * such command's input to `reply`, and refuses any other. (Sinon stubs, as
 * aws-sdk-client-mock makes them, record a stack trace per call: at the
 * model's scale they cost more CPU than the model.)
 */
function answer<I>(
  client: object,
  command: abstract new (...args: never[]) => { input: I },
  reply: (input: I) => unknown,
): void {
  Object.assign(client, {
    send: async (sent: unknown) => {
      if (!(sent instanceof command)) throw new Error(`the load model does not answer ${String(sent)}`);
      return reply(sent.input);
    },
  });
}
