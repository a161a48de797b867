import { readFileSync } from 'node:fs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetClients, setClients } from '#functions/_lib/clients.ts';
import { coldStart } from '#functions/_lib/cold-start.ts';
import { logger } from '#functions/_lib/observability.ts';
import { FUNCTION_NAMES } from '#functions/manifests.ts';
import { TABLES } from '#shared/tables.ts';
import { addTable, type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { lambdaContext } from '../../support/lambda-entry.ts';
import { mockedClient } from '../../support/mocked-clients.ts';
import { planCopyJourney, registerJourney } from './harness.ts';

const envelope = JSON.parse(
  readFileSync(new URL('../../fixtures/events/eventbridge-track.json', import.meta.url), 'utf8'),
);
const context = lambdaContext('ingest');

const ENV = [
  'PROFILES_TABLE_NAME',
  'ENROLLMENTS_TABLE_NAME',
  'JOURNEYS_TABLE_NAME',
  'STATS_TABLE_NAME',
  'REJECTED_QUEUE_URL',
  'EVENT_BUS_NAME',
  'SEGMENT_QUEUE_URL',
] as const;
let db: LocalDynamo;
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

beforeAll(async () => {
  db = await startDynalite('handlers');
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'journeys-test';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
});
// Each test starts cold, with no environment and no mocked answers: none relies on what another left.
beforeEach(() => {
  coldStart();
  for (const key of ENV) delete process.env[key];
  sfn.reset();
  sqs.reset();
});
afterAll(async () => {
  resetClients();
  for (const key of ENV) delete process.env[key];
  await db.stop();
});

/** The ingest handler's environment and clients, on this file's tables (or a test's own). */
function ingestOnTables(tables: LocalDynamo['tables'] = db.tables): void {
  Object.assign(process.env, {
    PROFILES_TABLE_NAME: tables.profiles,
    ENROLLMENTS_TABLE_NAME: tables.enrollments,
    JOURNEYS_TABLE_NAME: tables.journeys,
    STATS_TABLE_NAME: tables.stats,
    REJECTED_QUEUE_URL: 'https://sqs.local/rejected',
  });
  setClients({
    dynamo: db.doc,
    sfn: mockedClient(SFNClient),
    sqs: mockedClient(SQSClient),
  });
}

/** A set of tables no other test writes to, for a handler that reads every journey or counter there is. */
async function ownTables(prefix: string): Promise<LocalDynamo['tables']> {
  const tables = { ...db.tables };
  for (const { id } of TABLES) tables[id] = await addTable(db, id, `handlers-${prefix}-${id}`);
  return tables;
}

describe('handlers', () => {
  it('import without AWS credentials or environment', async () => {
    const modules = await Promise.all(FUNCTION_NAMES.map((name) => import(`#functions/${name}/handler.ts`)));
    expect(modules.map((m) => typeof m.handler)).toEqual(FUNCTION_NAMES.map(() => 'function'));
  });

  it('fails fast naming the missing variable on first invocation', async () => {
    const { handler } = await import('#functions/ingest/handler.ts');
    await expect(handler(envelope, context)).rejects.toThrow('PROFILES_TABLE_NAME is not set');
  });

  it('ingest: parses the EventBridge envelope and enrolls through the injected clients', async () => {
    // arrange
    ingestOnTables();
    await registerJourney(db, {
      id: 'cart-h',
      name: 'Cart',
      trigger: { type: 'event', event: 'Cart Updated' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    sqs.on(SendMessageCommand).resolves({});
    const { handler } = await import('#functions/ingest/handler.ts');
    // act
    const ok = await handler(envelope, context);
    const bad = await handler({ ...envelope, detail: { ...envelope.detail, timestamp: 'soon' } }, context);
    // assert
    expect(ok).toMatchObject({ status: 'recorded', enrolled: [expect.stringMatching(/^cart-h-/)] });
    expect(bad).toMatchObject({ status: 'rejected', problems: [{ field: 'timestamp' }] });
    expect(
      JSON.parse(String(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody)).event.timestamp,
    ).toBe('soon');
  });

  it('segment-entry: publishes the open executions when the five-minute rule invokes it, with no run at work', async () => {
    // arrange: one enrollment open in an event-triggered journey, on tables of this test's own
    const own = { ...db, tables: await ownTables('open') };
    ingestOnTables(own.tables);
    await registerJourney(own, {
      id: 'cart-open',
      name: 'Cart',
      trigger: { type: 'event', event: 'Cart Updated' },
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const ingest = await import('#functions/ingest/handler.ts');
    expect(await ingest.handler(envelope, context)).toMatchObject({ enrolled: [expect.any(String)] });
    Object.assign(process.env, {
      EVENT_BUS_NAME: 'journeys',
      SEGMENT_QUEUE_URL: 'https://sqs.local/segment',
    });
    const { handler } = await import('#functions/segment-entry/handler.ts');
    // act
    const published = await handler({ kind: 'headroom' }, lambdaContext('segment-entry'));
    // assert
    expect(published).toEqual({ openExecutions: 1 });
  });

  it('ingest: writes one structured line per entry it skipped, with the reason and the path missing', async () => {
    // arrange: a journey that copies the plan from its trigger, and a sign-up without one
    ingestOnTables();
    await registerJourney(db, planCopyJourney('plan-h', 'Signed Up'));
    const signUp = {
      ...envelope,
      id: 'signup-1',
      detail: { ...envelope.detail, event: 'Signed Up', properties: {}, messageId: 'signup-1' },
    };
    // The line as the handler gives it to the logger (its level is set once, for the whole file).
    const info = vi.spyOn(logger, 'info');
    const { handler } = await import('#functions/ingest/handler.ts');
    // act
    const answer = await handler(signUp, context);
    // assert
    const skipped = info.mock.calls
      .filter(([message]) => message === 'entry skipped')
      .map(([, line]) => line);
    info.mockRestore();
    expect(answer).toMatchObject({ status: 'recorded', skipped: [{ journeyId: 'plan-h' }] });
    expect(skipped).toEqual([
      expect.objectContaining({
        userId: envelope.detail.userId,
        journeyId: 'plan-h',
        version: '1',
        reason: 'missing',
        detail: { paths: ['trigger.properties.plan'] },
      }),
    ]);
  });
});
