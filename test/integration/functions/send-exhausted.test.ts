import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesRepository, deliveryIdOf } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { pinnedName, TemplateSnapshots } from '#functions/_lib/templates.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { countExhausted, type SendDeps, sendMessage } from '#functions/send-message/send.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { caseId } from '../../support/case-ids.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { mockedClient } from '../../support/mocked-clients.ts';
import { ONE_EMAIL_JOURNEY, ONE_EMAIL_TEMPLATES } from '../../support/one-email-journey.ts';
import { LOCAL_BINDINGS } from '../offline/harness.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * A send Step Functions retries (throttled, transient, crashed) and whose
 * retries run out: the step's failure path counts the last attempt's outcome
 * once, then the failure policy applies. Compiled and run offline with the
 * real send-message function on dynalite; SES is made unreachable for every
 * call (a throttle that lasts is deferred instead: send-throttled.test.ts).
 */

const TEMPLATES = ONE_EMAIL_TEMPLATES;
const journey = ONE_EMAIL_JOURNEY;

let db: LocalDynamo;
let snapshots: TemplateSnapshots;
/** Each template's pinned name: content-addressed, the same for every journey that pins it. */
let pinned: Map<string, string>;
let ses: AwsClientStub<SESv2Client>;

beforeAll(async () => {
  db = await startDynalite('send-exhausted');
  snapshots = new TemplateSnapshots(db.doc, db.tables.journeys);
  pinned = new Map([...TEMPLATES].map(([name, template]) => [name, pinnedName(name, template)]));
  ses = mockClient(SESv2Client);
  ses
    .on(SendEmailCommand)
    .rejects(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }));
});
afterAll(async () => {
  ses.restore();
  await db.stop();
});
afterEach(() => ses.resetHistory());

function deps(now = '2026-11-30T10:00:00Z'): SendDeps {
  return {
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    deliveries: new DeliveriesRepository(db.doc, db.tables.deliveries),
    enrollments: new EnrollmentItems(db.doc, db.tables.enrollments),
    stats: new StatsRepository(db.doc, db.tables.stats),
    templates: { get: (ref) => snapshots.get({ ...ref, name: pinned.get(ref.name) ?? ref.name }) },
    ses: mockedClient(SESv2Client),
    pinpoint: mockedClient(PinpointClient),
    config: {
      senderEmail: 'news@shop.example',
      configurationSet: 'journeys',
      pinpointApplicationId: 'app-1',
      unsubscribeBaseUrl: 'https://shop.example/unsubscribe',
    },
    unsubscribeKey: async () => 'exhausted-test-signing-key-of-32-chars!',
    now: () => new Date(now),
  };
}

/** What the send-message handler does with a task input. */
function sendTask(input: unknown) {
  const parsed = SendMessageInput.parse(input);
  return parsed.exhausted === undefined ? sendMessage(deps(), parsed) : countExhausted(deps(), parsed);
}

/** An attempt that claimed the `remind` send at 10:00 for a minute and called the provider at 10:00:01. */
async function attemptCalledProvider(journeyId: string, userId: string, enrollmentId: string) {
  const deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
  const deliveryId = deliveryIdOf(enrollmentId, 'remind');
  const meta = { userId, journeyId, version: '1', stepId: 'remind', channel: 'email' } as const;
  await deliveries.claim(deliveryId, meta, new Date('2026-11-30T10:00:00Z'), 60_000);
  await deliveries.markCalled(deliveryId, new Date('2026-11-30T10:00:01Z'));
}

/** The failure path's input for one send of the `remind` step. */
function exhaustedInput(journeyId: string, userId: string, enrollmentId: string, error: string) {
  return SendMessageInput.parse({
    v: CONTRACT_VERSION,
    journeyId,
    journeyVersion: '1',
    enrollmentId,
    userId,
    stepId: 'remind',
    channel: 'email',
    template: 'reminder',
    trigger: null,
    defaultTimezone: 'UTC',
    exhausted: { error },
  });
}

async function counters(journeyId: string, stepId: string) {
  const rows = await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId);
  return rows.filter((r) => r.stepId === stepId).map((r) => [r.metric, r.count]);
}

/**
 * A customer with an address enters `journeyId` (the journey above under that id, its templates pinned)
 * and the execution runs to its end, SES unreachable for every send.
 */
async function runThrottled(journeyId: string) {
  const userId = caseId('u-throttled');
  const enrollmentId = caseId('e-throttled');
  await snapshots.put(journeyId, TEMPLATES);
  await ingestEvent(ingestDeps(db).deps, identify(userId, { email: `${userId}@example.com` }));
  const machine = new LocalStateMachine(compile({ ...journey, id: journeyId }, LOCAL_BINDINGS), {
    handlers: { [LOCAL_BINDINGS.sendMessageFunctionArn]: sendTask },
    timeScale: 0,
  });
  const result = await machine.start({
    v: CONTRACT_VERSION,
    journeyId,
    journeyVersion: '1',
    enrollmentId,
    userId,
    trigger: { type: 'track', event: 'Cart Updated', properties: {} },
  }).done;
  return { userId, enrollmentId, result };
}

describe('a send whose retries run out', () => {
  it('counts the last attempt as failed once, then follows the failure policy', async () => {
    // act
    const { enrollmentId, result } = await runThrottled('throttled');
    // assert: the first attempt and six retries, then the failure policy (continue)
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(7);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      failure: { Error: 'Journeys.Transient' },
      exit: { stepId: 'after' },
    });
    expect(await counters('throttled', 'remind')).toEqual([['failed', 1]]);
    const record = await db.doc.send(
      new GetCommand({
        TableName: db.tables.deliveries,
        Key: { deliveryId: deliveryIdOf(enrollmentId, 'remind') },
      }),
    );
    expect(record.Item).toMatchObject({ status: 'failed', detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('counts nothing more when the failure path is called again', async () => {
    // arrange: an execution whose send's retries ran out, counted as failed by its failure path
    const { userId, enrollmentId } = await runThrottled('throttled-again');
    const input = exhaustedInput('throttled-again', userId, enrollmentId, 'Journeys.Transient');
    // act
    const again = await countExhausted(deps(), input);
    // assert
    expect(again).toEqual({ counted: 'none' });
    expect(await counters('throttled-again', 'remind')).toEqual([['failed', 1]]);
  });

  it('counts nothing while an earlier attempt still holds the send, and counts its outcome after the lease', async () => {
    // arrange: an attempt holds the send's claim until 10:01 and has called the provider
    await attemptCalledProvider('held', 'u-live', 'e-live');
    const input = exhaustedInput('held', 'u-live', 'e-live', 'Lambda.ServiceException');
    // act: the failure path inside the lease, then after it (the attempt never settled)
    const during = countExhausted(deps('2026-11-30T10:00:20Z'), input);
    await expect(during).rejects.toMatchObject({ name: 'Journeys.SendInProgress' });
    const after = await countExhausted(deps('2026-11-30T10:01:30Z'), input);
    // assert: counted once, as unknown, when it was final
    expect(after).toEqual({ counted: 'unknown' });
    const rows = await new StatsRepository(db.doc, db.tables.stats).funnel('held');
    expect(rows.filter((r) => r.stepId === 'remind' && r.metric === 'unknown').map((r) => r.count)).toEqual([
      1,
    ]);
  });

  it('counts an attempt that stopped before calling the provider as failed, once, and gives back its cap slot', async () => {
    // arrange: an attempt claimed the send and took a frequency-cap slot, then its invocation crashed
    // before calling the provider (a render or a store that outlived the function's timeout)
    await ingestEvent(ingestDeps(db).deps, identify('u-precall', { email: 'u-precall@example.com' }));
    const profiles = new ProfilesRepository(db.doc, db.tables.profiles);
    const deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
    const deliveryId = deliveryIdOf('e-precall', 'remind');
    const meta = {
      userId: 'u-precall',
      journeyId: 'precall',
      version: '1',
      stepId: 'remind',
      channel: 'email',
    } as const;
    await deliveries.claim(deliveryId, meta, new Date('2026-11-30T10:00:00Z'), 60_000);
    const state = await profiles.get('u-precall');
    const slot = '2026-11-30T10:00:00.000Z';
    await profiles.reserveSends('u-precall', state.sendsVersion, { email: [slot] }, 30);
    await deliveries.markReserved(deliveryId, slot);
    const input = exhaustedInput('precall', 'u-precall', 'e-precall', 'Lambda.Unknown');
    // act: the failure path runs after the claim's lease, twice
    const first = await countExhausted(deps('2026-11-30T10:05:00Z'), input);
    const again = await countExhausted(deps('2026-11-30T10:06:00Z'), input);
    // assert: nothing went out, so nothing is unknown; the slot no longer counts a message
    expect([first, again]).toEqual([{ counted: 'failed' }, { counted: 'none' }]);
    const rows = await new StatsRepository(db.doc, db.tables.stats).funnel('precall');
    expect(rows.filter((r) => r.stepId === 'remind').map((r) => [r.metric, r.count])).toEqual([
      ['failed', 1],
    ]);
    expect((await profiles.get('u-precall')).sends.email).toEqual([]);
  });

  it('settles an attempt that stopped after calling the provider as unknown, and counts it once', async () => {
    // arrange: an attempt claimed the send and called the provider, then its invocation crashed
    await attemptCalledProvider('crashed', 'u-crashed', 'e-crashed');
    const input = exhaustedInput('crashed', 'u-crashed', 'e-crashed', 'Lambda.Unknown');
    // act: the failure path runs after the claim's lease
    const first = await countExhausted(deps('2026-11-30T10:05:00Z'), input);
    const again = await countExhausted(deps('2026-11-30T10:06:00Z'), input);
    // assert
    expect([first, again]).toEqual([{ counted: 'unknown' }, { counted: 'none' }]);
    const rows = await new StatsRepository(db.doc, db.tables.stats).funnel('crashed');
    expect(rows.filter((r) => r.stepId === 'remind' && r.metric === 'unknown').map((r) => r.count)).toEqual([
      1,
    ]);
  });
});

describe('a send after a split whose retries run out', () => {
  it("counts the failure for the enrollment's variant too, from the bucket its input carries", async () => {
    // arrange: both variants reach the reminder; the enrollment drew bucket 70, variant "b"
    const split = Journey.parse({
      ...journey,
      id: 'throttled-split',
      start: 'ab',
      steps: {
        ...journey.steps,
        ab: {
          type: 'split',
          variants: [
            { name: 'a', weight: 60, next: 'remind' },
            { name: 'b', weight: 40, next: 'remind' },
          ],
        },
      },
    });
    await snapshots.put('throttled-split', TEMPLATES);
    await ingestEvent(ingestDeps(db).deps, identify('u-split', { email: 's@example.com' }));
    const machine = new LocalStateMachine(compile(split, LOCAL_BINDINGS), {
      handlers: { [LOCAL_BINDINGS.sendMessageFunctionArn]: sendTask },
      timeScale: 0,
    });
    // act
    const result = await machine.start({
      v: CONTRACT_VERSION,
      journeyId: 'throttled-split',
      journeyVersion: '1',
      enrollmentId: 'e-split',
      userId: 'u-split',
      trigger: { type: 'track', event: 'Cart Updated', properties: {} },
      buckets: { ab: 70 },
    }).done;
    // assert
    expect(result.status).toBe('SUCCEEDED');
    const rows = await new StatsRepository(db.doc, db.tables.stats).funnel('throttled-split');
    expect(
      rows.filter((r) => r.stepId === 'remind').map((r) => [r.metric, r.variant ?? '', r.count]),
    ).toEqual([
      ['failed', '', 1],
      ['failed', 'b', 1],
    ]);
  });
});
