import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetClients } from '#functions/_lib/clients.ts';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { logger } from '#functions/_lib/observability.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { SqsRecord } from '#functions/segment-entry/records.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { METRICS } from '#shared/metrics.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { publishedMetrics } from '../../support/emf.ts';
import { handlersOn, lambdaContext } from '../../support/lambda-entry.ts';
import { fakeSegmentServices, plusSegmentJourney } from '../../support/segment-deps.ts';
import { identify, ingestDeps, registerJourney } from '../functions/harness.ts';

/**
 * A segment run's figures — its CloudWatch metrics, its completion event and
 * the log lines naming whom it turned away — count each page, enroll item and
 * run once, however often SQS delivers its messages and wherever an attempt
 * failed after its work was counted. Read from what the handler prints, through
 * its Lambda entry point, on dynalite.
 */

const NOW = new Date('2026-11-30T09:00:07Z');
const context = lambdaContext('segment-entry');

let db: LocalDynamo;
const services = fakeSegmentServices({ refuseRepeats: false, startDate: () => NOW });
/** Fails the stats table's UpdateItem this returns true for (as if the attempt stopped there). */
let failUpdate: (expression: string) => boolean = () => false;
/** Every profile on the table: a run's single page scans them all. */
const PROFILES: Record<string, Record<string, unknown>> = {
  'r-1': { redelivered: 'plus' },
  'r-2': { redelivered: 'plus', failed: 'plus', unmarked: 'plus', refused: 'plus', logged: 'plus' },
  'r-3': { redelivered: 'free', logged: 'plus', country: 'XX' },
  'r-4': { logged: 'plus' },
};
const SCANNED = Object.keys(PROFILES).length;

beforeAll(async () => {
  db = await startDynalite('segment-once');
  setClock(() => NOW);
  const { deps: ingest } = ingestDeps(db);
  for (const [userId, traits] of Object.entries(PROFILES))
    await ingestEvent(ingest, identify(userId, traits));
  handlersOn(
    db,
    (command, input) =>
      command === 'UpdateItemCommand' &&
      input.TableName === db.tables.stats &&
      failUpdate(String(input.UpdateExpression)),
  );
});
afterAll(async () => {
  resetClients();
  resetClock();
  await db.stop();
});
beforeEach(() => {
  failUpdate = () => false;
  services.reset();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Fails the first stats UpdateItem whose expression contains `part`, once. */
function failOnce(part: string): void {
  let failed = false;
  failUpdate = (expression) => {
    if (failed || !expression.includes(part)) return false;
    failed = true;
    return true;
  };
}

/** Whether the message being delivered comes for the first time. */
let firstDelivery = false;

/** Fails each message's first delivery at its first stats UpdateItem whose expression contains `part`. */
function failFirstDeliveries(part: string): void {
  failUpdate = (expression) => {
    if (!firstDelivery || !expression.includes(part)) return false;
    firstDelivery = false;
    return true;
  };
}

async function invoke(event: object) {
  const { handler } = await import('#functions/segment-entry/handler.ts');
  return handler(event as Parameters<typeof handler>[0], context);
}

/**
 * The run of `journeyId` from its schedule to an empty queue, each message delivered `times` in a
 * row, and again (as SQS does after its visibility timeout) while the batch reports it failed.
 */
async function runToTheEnd(journeyId: string, times = 1, journey?: JourneyInput): Promise<void> {
  await registerJourney(db, journey ?? plusSegmentJourney(journeyId, `profile.traits.${journeyId}`));
  await invoke({ journeyId, scheduledTime: '2026-11-30T09:00:00Z' });
  let deliveries = 0;
  const seen = new Set<string>();
  while (services.queue.length > 0 && deliveries < 100) {
    const message = services.queue.shift() as SqsRecord;
    for (let i = 0; i < times; i++) {
      deliveries += 1;
      firstDelivery = !seen.has(message.messageId);
      seen.add(message.messageId);
      const out = (await invoke({ Records: [message] })) as { batchItemFailures: unknown[] };
      if (out.batchItemFailures.length > 0) {
        services.queue.push(message);
        break;
      }
    }
  }
}

/** The completion events put on the bus for `journeyId` (`refused`: but those it refused). */
function completions(journeyId: string, refused = 0): Record<string, unknown>[] {
  return services.bus
    .commandCalls(PutEventsCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .filter((e) => e.DetailType === 'Segment Run Completed')
    .map((e) => JSON.parse(e.Detail ?? '{}'))
    .filter((detail) => detail.journeyId === journeyId)
    .slice(refused);
}

describe('segment run, its messages delivered again', () => {
  it('counts its page, its matches and its completion once when every message comes twice', async () => {
    // act
    const sums = await publishedMetrics(() => runToTheEnd('redelivered', 2));
    // assert
    expect(sums.get(METRICS.segmentScanned)).toBe(SCANNED);
    expect(sums.get(METRICS.segmentMatched)).toBe(2);
    expect(sums.get(METRICS.segmentRunsCompleted)).toBe(1);
    expect(completions('redelivered')).toHaveLength(1);
  });

  it('counts each page once when the attempt that counted it failed before its message was done', async () => {
    // arrange: every message's first attempt fails after its count, at its look for the run's completion
    failFirstDeliveries('#completedBy');
    // act
    const sums = await publishedMetrics(() => runToTheEnd('failed'));
    // assert
    expect(sums.get(METRICS.segmentScanned)).toBe(SCANNED);
    expect(sums.get(METRICS.segmentMatched)).toBe(1);
    expect(sums.get(METRICS.segmentRunsCompleted)).toBe(1);
    expect(completions('failed')).toHaveLength(1);
  });

  it('counts the completion once when the bus refused its event the first time', async () => {
    // arrange
    let refused = false;
    services.bus.on(PutEventsCommand).callsFake((input: { Entries: { DetailType?: string }[] }) => {
      if (!refused && input.Entries.some((e) => e.DetailType === 'Segment Run Completed')) {
        refused = true;
        throw Object.assign(new Error('unavailable'), { name: 'InternalException' });
      }
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
    });
    // act
    const sums = await publishedMetrics(() => runToTheEnd('refused'));
    // assert
    expect(refused).toBe(true);
    expect(sums.get(METRICS.segmentRunsCompleted)).toBe(1);
    expect(completions('refused', 1)).toHaveLength(1);
  });

  it('counts the completion once when the attempt that put its event failed before marking it announced', async () => {
    // arrange
    failOnce('#announcedAt');
    // act
    const sums = await publishedMetrics(() => runToTheEnd('unmarked'));
    // assert: the event is put again by the retry (at least once), the metric counts the run once
    expect(sums.get(METRICS.segmentRunsCompleted)).toBe(1);
    const events = completions('unmarked');
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual(events[0]);
  });

  it('logs each customer it turned away once', async () => {
    // arrange: r-3 outside the audience (judged on the page), r-4 entered before (re-entry once,
    // judged when enrolling)
    const journey = {
      ...plusSegmentJourney('logged', 'profile.traits.logged'),
      audience: { path: 'profile.traits.country', ne: 'XX' },
    };
    await new EnrollmentItems(db.doc, db.tables.enrollments).claimEntry(
      'r-4',
      'logged',
      { at: '2026-10-01T09:00:00.000Z', enrollmentId: 'logged-earlier' },
      { mode: 'once' },
    );
    const lines: unknown[] = [];
    const capture = (message: string, fields: unknown) => {
      if (message === 'segment entries skipped') lines.push(fields);
    };
    vi.spyOn(logger, 'info').mockImplementation(capture as typeof logger.info);
    vi.spyOn(logger, 'debug').mockImplementation(capture as typeof logger.debug);
    // act
    await publishedMetrics(() => runToTheEnd('logged', 2, journey));
    // assert
    const customers = lines.flatMap((line) => (line as { customers: { userId: string }[] }).customers);
    expect(customers.map((c) => c.userId).sort()).toEqual(['r-3', 'r-4']);
  });
});
