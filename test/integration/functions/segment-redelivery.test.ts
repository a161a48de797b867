import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { SegmentDeps } from '#functions/segment-entry/deps.ts';
import { processRecords, type SqsRecord } from '#functions/segment-entry/records.ts';
import { startRun } from '#functions/segment-entry/run.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { plusSegmentJourney, segmentDepsOn } from '../../support/segment-deps.ts';
import { identify, ingestDeps, registerJourney } from './harness.ts';

/**
 * SQS delivers a message at least once: an enroll item or a scan page may
 * come twice, one copy after the other or both at once, and a page may come
 * before the page that queued it has finished. Whatever the order, a run
 * counts each enroll item once, queues each page once, and completes once,
 * after its last customer is entered.
 */

const MEMBERS = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6'];

let db: LocalDynamo;
/** Ingest's dependencies, made once: making them mocks the AWS clients afresh. */
let ingest: ReturnType<typeof ingestDeps>['deps'];
const sqs = mockClient(SQSClient);
const sfn = mockClient(SFNClient);
const bus = mockClient(EventBridgeClient);
let queue: SqsRecord[];
let started: Set<string>;
/** Each completion announced, with how many customers had been started when it was. */
let completions: { detail: Record<string, unknown>; startedThen: number }[];
/** Every work item the queue took, in order. */
let sentItems: { kind: string; segment?: number; page?: number }[];
/** Called with each message the queue takes; true when it was delivered at once instead of queued. */
let onSend: (record: SqsRecord) => Promise<boolean>;
let sent = 0;

/** The queue in memory; Step Functions answering a repeated start of a running execution as the first, as AWS does. */
function fakeServices() {
  queue = [];
  started = new Set();
  completions = [];
  sentItems = [];
  onSend = async () => false;
  sqs.reset();
  sqs
    .on(SendMessageBatchCommand)
    .callsFake(async (input: { Entries: { Id: string; MessageBody: string }[] }) => {
      for (const entry of input.Entries) {
        sentItems.push(JSON.parse(entry.MessageBody));
        const record = { messageId: `msg-${++sent}`, body: entry.MessageBody };
        if (!(await onSend(record))) queue.push(record);
      }
      return { Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] };
    });
  bus.reset();
  bus.on(PutEventsCommand).callsFake((input: { Entries: { DetailType: string; Detail: string }[] }) => {
    for (const entry of input.Entries)
      if (entry.DetailType === 'Segment Run Completed')
        completions.push({ detail: JSON.parse(entry.Detail), startedThen: started.size });
    return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
  });
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    started.add(input.name);
    return { executionArn: `x:${input.name}`, startDate: new Date() };
  });
}

function deps(doc: DynamoDBDocumentClient = db.doc): SegmentDeps {
  // One profile a page: every member is a page and an enroll item of their own.
  return segmentDepsOn({
    doc,
    client: db.client,
    tables: db.tables,
    now: () => new Date('2026-11-30T09:00:07Z'),
    inFlight: 2,
    scanPageSize: 1,
  });
}

let journeys = 0;

/** A fresh journey over the members' segment, so each run enters all of them. */
async function journey(): Promise<string> {
  journeys += 1;
  const id = `club-${journeys}`;
  await registerJourney(db, plusSegmentJourney(id, 'profile.traits.club'));
  return id;
}

type Deliver = (record: SqsRecord, work: { kind: string }) => Promise<void>;

/** Each message processed once, alone. */
const once: Deliver = async (record) => {
  const out = await processRecords(deps(), [record]);
  expect(out.problems).toEqual([]);
};

/** Runs a journey's run from its schedule until the queue is empty, each message delivered by `deliver`. */
async function runToEnd(deliver: Deliver) {
  const journeyId = await journey();
  await startRun(deps(), { journeyId, scheduledTime: '2026-11-30T09:00:00Z' });
  for (let record = queue.shift(); record !== undefined; record = queue.shift())
    await deliver(record, JSON.parse(record.body));
  return { journeyId, started: started.size, completions };
}

/** The run entered every member once, counted each enroll item once, and completed once, after the last entry. */
function expectExact(run: Awaited<ReturnType<typeof runToEnd>>) {
  expect(run.started).toBe(MEMBERS.length);
  expect(run.completions).toHaveLength(1);
  const [completion] = run.completions;
  expect(completion?.startedThen).toBe(MEMBERS.length);
  expect(completion?.detail).toMatchObject({
    journeyId: run.journeyId,
    matched: MEMBERS.length,
    enrollItems: MEMBERS.length,
    entered: MEMBERS.length,
  });
  expect(completion?.detail.stopped).toBeUndefined();
}

beforeAll(async () => {
  db = await startDynalite('segment-redelivery');
  ingest = ingestDeps(db).deps;
  for (const userId of [...MEMBERS, 'x-1', 'x-2'])
    await ingestEvent(ingest, identify(userId, { club: userId.startsWith('m') ? 'plus' : 'free' }));
});
afterAll(async () => db.stop());
beforeEach(() => fakeServices());

describe('segment entry: an enroll item delivered twice', () => {
  it('counts it once when the copies come one after the other', async () => {
    const run = await runToEnd(async (record, work) => {
      await once(record, work);
      if (work.kind === 'enroll') await once(record, work);
    });
    expectExact(run);
  });

  it('counts it once when the copies come at the same moment', async () => {
    // Two messages with the same item (a page retried after queuing its items), consumed at once.
    const run = await runToEnd(async (record, work) => {
      if (work.kind !== 'enroll') return once(record, work);
      await Promise.all([
        once(record, work),
        once({ ...record, messageId: `${record.messageId}-again` }, work),
      ]);
    });
    expectExact(run);
  });
});

/**
 * The profiles table as two consumers of the same page see it: each Scan waits for the other
 * consumer's Scan of the same page, so both have read the page before either counts it.
 */
function pairedScans(): DynamoDBDocumentClient {
  const waiting = new Map<string, () => void>();
  const meet = (key: string) =>
    new Promise<void>((resolve) => {
      const other = waiting.get(key);
      if (other === undefined) return waiting.set(key, resolve);
      waiting.delete(key);
      other();
      resolve();
    });
  return new Proxy(db.doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        if (command instanceof ScanCommand) {
          const { Segment, ExclusiveStartKey } = command.input;
          await meet(JSON.stringify([Segment, ExclusiveStartKey]));
        }
        return target.send(command);
      };
    },
  });
}

describe('segment entry: a scan page delivered twice', () => {
  it('queues its next page once when two consumers process it at the same moment', async () => {
    const paired = pairedScans();
    const run = await runToEnd(async (record, work) => {
      if (work.kind !== 'scan') return once(record, work);
      await Promise.all([processRecords(deps(paired), [record]), processRecords(deps(paired), [record])]);
    });
    expectExact(run);
    const pages = sentItems
      .filter((item) => item.kind === 'scan')
      .map((item) => `${item.segment}/${item.page}`);
    expect(pages.length).toBeGreaterThan(8);
    expect(new Set(pages).size).toBe(pages.length);
  });

  it('scans and counts a page delivered before the page that queued it has finished', async () => {
    // The queue hands a continuation to a consumer at once, while its sender is still at work.
    onSend = async (record) => {
      const work = JSON.parse(record.body);
      if (work.kind !== 'scan' || work.page === 0) return false;
      await once(record, { kind: 'scan' });
      return true;
    };
    const run = await runToEnd(once);
    expectExact(run);
  });
});

describe('segment entry: a scan page retried after its customers changed', () => {
  it('acts on the page as first read: the same enroll items, numbers and next page', async () => {
    // arrange: the first read of a member's page queues their item, then its invocation dies; before
    // the page is delivered again the member leaves the segment
    let died = false;
    onSend = async (record) => {
      const work = JSON.parse(record.body);
      if (died || work.kind !== 'enroll' || !work.userIds.includes('m-3')) return false;
      died = true;
      queue.push(record);
      await ingestEvent(ingest, identify('m-3', { club: 'free' }));
      throw new Error('invocation timed out');
    };
    // act: the page is delivered again, as SQS does after a failure
    const run = await runToEnd(async (record, work) => {
      const out = await processRecords(deps(), [record]);
      if (out.batchItemFailures.length > 0) queue.push(record);
      else expect(out.problems).toEqual([]);
      expect(work.kind === 'scan' || out.batchItemFailures.length === 0).toBe(true);
    });
    await ingestEvent(ingest, identify('m-3', { club: 'plus' }));
    // assert: the member read in the segment is entered and counted, once
    expect(died).toBe(true);
    expectExact(run);
  });
});

/** The run's own reads and writes (its record and its items' marks) each call makes, by command. */
function runCalls(calls: string[]): DynamoDBDocumentClient {
  return new Proxy(db.doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        const input = command.input as {
          Key?: { pk?: unknown };
          Item?: { pk?: unknown };
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        const pk = input.Key?.pk ?? input.Item?.pk ?? input.ExpressionAttributeValues?.[':pk'];
        if (typeof pk === 'string' && pk.startsWith('segment-run#')) calls.push(command.constructor.name);
        return target.send(command);
      };
    },
  });
}

describe('segment entry: what counting an enroll item costs', () => {
  it('takes four calls: its mark, the record read, the marks read, the count', async () => {
    const perItem: string[][] = [];
    const run = await runToEnd(async (record, work) => {
      if (work.kind !== 'enroll') return once(record, work);
      const calls: string[] = [];
      await processRecords(deps(runCalls(calls)), [record]);
      perItem.push(calls);
    });
    expectExact(run);
    const counting = ['PutCommand', 'GetCommand', 'QueryCommand', 'UpdateCommand'];
    // An item that completes the run also marks it complete, then announced.
    const completing = [...counting, 'UpdateCommand', 'UpdateCommand'];
    expect(perItem).toHaveLength(MEMBERS.length);
    for (const calls of perItem) expect([counting, completing]).toContainEqual(calls);
    expect(perItem.filter((calls) => calls.length > counting.length).length).toBeLessThanOrEqual(1);
  });
});
