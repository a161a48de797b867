import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesRepository, deliveryIdOf } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { pinnedName, TemplateSnapshots } from '#functions/_lib/templates.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendTask } from '#functions/send-message/task.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { DeferredError } from '#shared/errors.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';
import { caseId } from '../../support/case-ids.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { ONE_EMAIL_JOURNEY, ONE_EMAIL_TEMPLATES } from '../../support/one-email-journey.ts';
import { LOCAL_BINDINGS } from '../offline/harness.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * A provider that throttles for longer than Step Functions' retries (SES at
 * its account's sending rate while a segment enters thousands at once): the
 * message is deferred and sent once the provider takes it again, counted as
 * deferred (`throttled`) and then sent, never as failed. Only a throttle that
 * lasts a day fails the send. Compiled and run offline with the real
 * send-message task on dynalite; SES is mocked, and every call to it moves
 * the clock on by `stepMs`, and a deferral's Wait to the time it names.
 */

const TEMPLATES = ONE_EMAIL_TEMPLATES;
const journey = ONE_EMAIL_JOURNEY;

const throttle = () =>
  Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });

let db: LocalDynamo;
let snapshots: TemplateSnapshots;
let pinned: Map<string, string>;
let ses: AwsClientStub<SESv2Client>;
/** Journey time, moved on by each call to SES. */
let now = Date.parse('2026-11-30T10:00:00Z');

beforeAll(async () => {
  db = await startDynalite('send-throttled');
  snapshots = new TemplateSnapshots(db.doc, db.tables.journeys);
  pinned = new Map([...TEMPLATES].map(([name, template]) => [name, pinnedName(name, template)]));
  ses = mockClient(SESv2Client);
});
afterAll(async () => {
  ses.restore();
  await db.stop();
});

function deps() {
  return {
    profiles: new ProfilesRepository(db.doc, db.tables.profiles),
    deliveries: new DeliveriesRepository(db.doc, db.tables.deliveries),
    enrollments: new EnrollmentItems(db.doc, db.tables.enrollments),
    stats: new StatsRepository(db.doc, db.tables.stats),
    templates: {
      get: (ref: { journeyId: string; name: string }) =>
        snapshots.get({ ...ref, name: pinned.get(ref.name) ?? ref.name }),
    },
    ses: new SESv2Client({ region: 'eu-west-1' }),
    pinpoint: new PinpointClient({ region: 'eu-west-1' }),
    config: {
      senderEmail: 'news@shop.example',
      configurationSet: 'journeys',
      pinpointApplicationId: 'app-1',
      unsubscribeBaseUrl: 'https://shop.example/unsubscribe',
    },
    unsubscribeKey: async () => 'throttled-test-signing-key-of-32-chars',
    now: () => new Date(now),
  };
}

/** SES throttles the first `throttles` calls (all of them when undefined), then accepts; each call takes `stepMs`. */
function sesThrottling(throttles: number | undefined, stepMs: number) {
  ses.reset();
  let calls = 0;
  ses.on(SendEmailCommand).callsFake(() => {
    calls += 1;
    now += stepMs;
    if (throttles === undefined || calls <= throttles) throw throttle();
    return { MessageId: `ses-${calls}` };
  });
}

async function run(journeyId: string) {
  const userId = caseId('u-throttled');
  const enrollmentId = caseId('e-throttled');
  await snapshots.put(journeyId, TEMPLATES);
  await ingestEvent(ingestDeps(db).deps, identify(userId, { email: `${userId}@example.com` }));
  const machine = new LocalStateMachine(compile({ ...journey, id: journeyId }, LOCAL_BINDINGS), {
    handlers: {
      // As the handler, and the Wait on a deferral moves journey time to the time it names.
      [LOCAL_BINDINGS.sendMessageFunctionArn]: async (input: unknown) => {
        try {
          return await sendTask(deps(), SendMessageInput.parse(input), () => undefined);
        } catch (error) {
          if (error instanceof DeferredError) now = Math.max(now, Date.parse(error.until));
          throw error;
        }
      },
    },
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
  const record = await db.doc.send(
    new GetCommand({
      TableName: db.tables.deliveries,
      Key: { deliveryId: deliveryIdOf(enrollmentId, 'remind') },
    }),
  );
  return { result, record: record.Item };
}

async function counters(journeyId: string) {
  const rows = await new StatsRepository(db.doc, db.tables.stats).funnel(journeyId);
  return rows
    .filter((r) => r.stepId === 'remind')
    .map((r) => [r.metric, r.reason ?? '', r.count])
    .sort((a, b) => String(a).localeCompare(String(b)));
}

describe('a provider that throttles past the retries', () => {
  it('defers the message and sends it once the provider takes it, counted deferred and sent, not failed', async () => {
    // arrange: SES refuses 12 calls (longer than Step Functions retries a send), a second each
    sesThrottling(12, 1_000);
    // act
    const { result, record } = await run('throttled-then-taken');
    // assert: sent once, on the 13th call, after two deferrals for the throttle
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(13);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ send: { status: 'sent', messageId: 'ses-13' } });
    expect(record).toMatchObject({ status: 'sent' });
    expect(await counters('throttled-then-taken')).toEqual([
      ['deferred', 'throttled', 2],
      ['sent', '', 1],
    ]);
  });

  it('fails the send, counted once, when the provider has throttled it for a day', async () => {
    // arrange: SES refuses every call; each takes ten minutes of journey time
    sesThrottling(undefined, 10 * 60_000);
    const started = now;
    // act
    const { result, record } = await run('throttled-for-a-day');
    // assert: deferred while the day lasts, then failed as a throttle, and the journey goes on
    const calls = ses.commandCalls(SendEmailCommand).length;
    expect(now - started).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(calls).toBeLessThan(200);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      failure: { Error: 'Journeys.Throttled' },
      exit: { stepId: 'after' },
    });
    expect(record).toMatchObject({ status: 'failed' });
    const counted = await counters('throttled-for-a-day');
    expect(counted.filter(([metric]) => metric !== 'deferred')).toEqual([['failed', '', 1]]);
    expect(counted.find(([metric]) => metric === 'deferred')?.[1]).toBe('throttled');
  });
});
