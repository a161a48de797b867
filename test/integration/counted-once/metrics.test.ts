import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetClients } from '#functions/_lib/clients.ts';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { logger } from '#functions/_lib/observability.ts';
import { liveRegistry } from '#functions/_lib/repositories.ts';
import { METRICS } from '#shared/metrics.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { publishedMetrics as published } from '../../support/emf.ts';
import { handlersOn, lambdaContext } from '../../support/lambda-entry.ts';
import { planCopyJourney, registerJourney } from '../functions/harness.ts';

/**
 * EventBridge, SQS and Lambda deliver at least once, and Lambda retries an
 * invocation that failed: each figure the handlers publish counts a thing
 * once, however often its event or item comes, and whichever request an
 * attempt stopped at. Read from the EMF lines the handlers print, through
 * their Lambda entry points, on dynalite.
 */

const envelope = JSON.parse(
  readFileSync(new URL('../../fixtures/events/eventbridge-track.json', import.meta.url), 'utf8'),
);
const NOW = new Date('2026-11-24T10:00:00Z');
const context = lambdaContext;

let db: LocalDynamo;
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const bus = mockClient(EventBridgeClient);
/** Fails the DynamoDB request this returns true for (as if the invocation died there). */
let failRequest: (command: string, table: unknown) => boolean = () => false;

beforeAll(async () => {
  db = await startDynalite('counted-once');
  setClock(() => NOW);
  // The handlers' own document client, with a fault a test may plan.
  handlersOn(db, (command, input) => failRequest(command, input.TableName));
});
afterAll(async () => {
  resetClients();
  resetClock();
  await db.stop();
});
beforeEach(() => {
  failRequest = () => false;
  sfn.reset();
  // Step Functions answers a repeated start of a running execution as the first.
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: NOW });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({});
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  bus.reset();
  bus.on(PutEventsCommand).resolves({ Entries: [], FailedEntryCount: 0 });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A track envelope for `userId` and `event`, named `messageId` (the same on every delivery). */
function delivery(messageId: string, userId: string, event: string) {
  return { ...envelope, id: messageId, detail: { ...envelope.detail, messageId, userId, event } };
}

async function ingest(event: object): Promise<unknown> {
  const { handler } = await import('#functions/ingest/handler.ts');
  return handler(event as Parameters<typeof handler>[0], context('ingest'));
}

/** Registers a journey entered by `event`, seen by the handler's next read of the registry. */
async function journeyOn(id: string, event: string) {
  await registerJourney(db, {
    id,
    name: id,
    trigger: { type: 'event', event },
    start: 'wait',
    steps: { wait: { type: 'wait', for: 'P1D', next: 'done' }, done: { type: 'exit' } },
  });
  liveRegistry(db.tables.journeys).invalidate();
}

/** A journey that copies the plan from its trigger (registered once). */
async function planJourney() {
  if (
    await liveRegistry(db.tables.journeys)
      .live()
      .then((all) => all.some((j) => j.journeyId === 'plan-copy'))
  )
    return;
  await registerJourney(db, planCopyJourney('plan-copy', 'Signed Up Once'));
  liveRegistry(db.tables.journeys).invalidate();
}

describe('ingest, an event delivered again', () => {
  it('counts the event, and the enrollment it started, once', async () => {
    // arrange
    await journeyOn('redelivered', 'Redelivered Event');
    const event = delivery('again-1', 'ana', 'Redelivered Event');
    // act
    const sums = await published(async () => {
      await ingest(event);
      await ingest(event);
    });
    // assert
    expect(sums.get(METRICS.enrollments)).toBe(1);
    expect(sums.get(METRICS.eventsIngested)).toBe(1);
    expect(sums.get(METRICS.eventsDuplicate)).toBe(1);
  });

  it('logs an entry it skipped once', async () => {
    // arrange: a sign-up without the plan the journey copies from its trigger
    await planJourney();
    const event = delivery('skip-1', 'bea', 'Signed Up Once');
    const info = vi.spyOn(logger, 'info');
    // act
    await published(async () => {
      await ingest(event);
      await ingest(event);
    });
    // assert
    const lines = info.mock.calls.filter(([message]) => message === 'entry skipped');
    expect(lines).toHaveLength(1);
  });

  it('logs a skip its first attempt stopped before counting, once, when retried', async () => {
    // arrange: the first attempt dies at the skip's count
    await planJourney();
    const event = delivery('skip-2', 'bo', 'Signed Up Once');
    failRequest = (_command, table) => table === db.tables.stats;
    const info = vi.spyOn(logger, 'info');
    // act
    await published(async () => {
      await ingest(event).catch(() => undefined);
      failRequest = () => false;
      await ingest(event);
      await ingest(event);
    });
    // assert
    const lines = info.mock.calls.filter(([message]) => message === 'entry skipped');
    expect(lines).toHaveLength(1);
  });
});

describe('ingest, an attempt that stopped after the start, retried', () => {
  /** The DynamoDB requests after the start: the attempt dies at each in turn. */
  const STOPS = [0, 1, 2, 3, 4];

  it.each(STOPS)('counts the enrollment once when the attempt died at request %i after it', async (stop) => {
    // arrange
    const journeyId = `crash-${stop}`;
    await journeyOn(journeyId, `Crash Event ${stop}`);
    let started = false;
    let after = 0;
    sfn.on(StartExecutionCommand).callsFake(() => {
      started = true;
      return { executionArn: 'x', startDate: NOW };
    });
    failRequest = () => started && after++ === stop;
    let died = false;
    const event = delivery(`crash-msg-${stop}`, `cy-${stop}`, `Crash Event ${stop}`);
    // act
    const sums = await published(async () => {
      died = await ingest(event).then(
        () => false,
        () => true,
      );
      failRequest = () => false;
      await ingest(event);
    });
    // assert
    expect(died).toBe(true);
    expect(sums.get(METRICS.enrollments)).toBe(1);
    expect(sums.get(METRICS.eventsIngested)).toBe(1);
    const item = await new EnrollmentItems(db.doc, db.tables.enrollments).enrollments(`cy-${stop}`);
    expect(item.map((e) => e.journeyId)).toEqual([journeyId]);
  });
});

describe('segment entry, an enroll item delivered again', () => {
  it('counts the customers it entered once', async () => {
    // arrange
    await registerJourney(db, {
      id: 'segment-again',
      name: 'Segment',
      trigger: {
        type: 'segment',
        schedule: 'rate(1 day)',
        segment: { path: 'profile.traits.plan', eq: 'plus' },
      },
      reentry: { mode: 'once' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    const item = {
      kind: 'enroll',
      journeyId: 'segment-again',
      runId: NOW.toISOString(),
      userIds: ['s-1', 's-2'],
    };
    const message = { Records: [{ messageId: 'seg-1', body: JSON.stringify(item) }] };
    const { handler } = await import('#functions/segment-entry/handler.ts');
    // act
    const sums = await published(async () => {
      await handler(message, context('segment-entry'));
      await handler(message, context('segment-entry'));
    });
    // assert
    expect(sums.get(METRICS.enrollments)).toBe(2);
  });
});
