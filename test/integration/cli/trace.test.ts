import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesRepository } from '#functions/_lib/deliveries.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { applyFeedback } from '#functions/delivery-feedback/feedback.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { smsReceiptEntry } from '#infra/local/services/pinpoint/sms-receipts.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { identify, ingestDeps } from '../functions/harness.ts';
import { runCli } from './run-cli.ts';

/**
 * `journeys trace` over a local data folder while the runtime is not
 * running: Step Functions is read through a read-only server over its files,
 * the tables through dynalite. (The whole path, with histories, runs in
 * test/e2e/console-trace.test.ts.)
 */

let db: LocalDynamo;
let dir: string;
const ARN = 'arn:aws:states:us-east-1:000000000000';
const SPLIT = [
  { name: 'email', weight: 50 },
  { name: 'sms', weight: 50 },
];

function record(name: string, userId: string, extra: Record<string, unknown>) {
  const input = {
    v: 1,
    journeyId: 'welcome',
    journeyVersion: '2',
    enrollmentId: name,
    userId,
    enrolledAt: '2026-11-24T10:00:00.000Z',
    trigger: { type: 'segment', timestamp: '2026-11-24T10:00:00Z' },
    buckets: { ab: 70 },
  };
  return JSON.stringify({
    executionArn: `${ARN}:execution:journey-welcome:${name}`,
    stateMachineArn: `${ARN}:stateMachine:journey-welcome`,
    machine: 'journey-welcome',
    name,
    input: JSON.stringify(input),
    startDate: Date.parse('2026-11-24T10:00:00Z') / 1000,
    ...extra,
  });
}

beforeAll(async () => {
  // The prefix of the local runtime's table names, as the CLI reads them.
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'trace-'));
  await mkdir(join(dir, 'data', 'stepfunctions'), { recursive: true });
  await mkdir(join(dir, 'journeys'));
  await writeFile(
    join(dir, 'journeys', 'welcome.json'),
    JSON.stringify({
      id: 'welcome',
      name: 'Welcome',
      trigger: { type: 'event', event: 'Signed Up' },
      goal: { event: 'Order Completed', within: 'P7D' },
      start: 'ab',
      steps: {
        ab: { type: 'split', variants: SPLIT.map((v) => ({ ...v, next: 'hello' })) },
        hello: { type: 'email', template: 'welcome', next: 'done' },
        done: { type: 'exit' },
      },
    }),
  );
  const stop = Date.parse('2026-11-24T10:05:00Z') / 1000;
  await writeFile(
    join(dir, 'data', 'stepfunctions', 'state-machines.json'),
    JSON.stringify([
      {
        name: 'journey-welcome',
        definition: '{"StartAt":"ab","States":{"ab":{"Type":"Pass","End":true}}}',
        roleArn: 'arn:aws:iam::000000000000:role/journey',
        type: 'STANDARD',
        createdAt: stop,
        updatedAt: stop,
        revision: 1,
        versions: [],
        aliases: [],
      },
    ]),
  );
  await writeFile(
    join(dir, 'data', 'stepfunctions', 'executions.jsonl'),
    [
      record('e-ok', 'ada', { status: 'RUNNING', visited: [] }),
      record('e-ok', 'ada', {
        status: 'SUCCEEDED',
        stopDate: stop,
        visited: ['ab', 'hello', 'hello.send', 'done'],
      }),
      record('e-other', 'bob', { status: 'SUCCEEDED', stopDate: stop, visited: ['ab'] }),
      record('e-sms', 'cy', { status: 'SUCCEEDED', stopDate: stop, visited: ['ab', 'hello', 'done'] }),
    ].join('\n'),
  );
  const ingest = ingestDeps(db);
  await ingestEvent(ingest.deps, identify('ada', { firstName: 'Ada' }));
  // The command runs in this process: its Step Functions reads must reach the real (read-only) server.
  ingest.sfn.restore();
  ingest.sqs.restore();
  const deliveries = new DeliveriesRepository(db.doc, db.tables.deliveries);
  const meta = {
    userId: 'ada',
    journeyId: 'welcome',
    version: '2',
    stepId: 'hello',
    channel: 'email' as const,
  };
  await deliveries.claim('e-ok#hello', meta, new Date('2026-11-24T10:01:00Z'), 60_000);
  await deliveries.settle(
    'e-ok#hello',
    'sent',
    { status: 'sent', messageId: 'msg-1' },
    new Date('2026-11-24T10:01:02Z'),
  );
  const enrollments = new EnrollmentItems(db.doc, db.tables.enrollments);
  await enrollments.putEnrollment('ada', {
    enrollmentId: 'e-ok',
    journeyId: 'welcome',
    version: '2',
    executionArn: `${ARN}:execution:journey-welcome:e-ok`,
    enrolledAt: '2026-11-24T10:00:00.000Z',
    goalUntil: '2026-12-01T10:00:00.000Z',
  });
  const ended = await enrollments.endCounted('ada', 'e-ok', '2026-11-24T10:05:00.000Z');
  if (ended !== undefined) await enrollments.settleEnd('ada', ended.enrollment);
  await smsDeliveredTo('cy', deliveries);
});

/** An SMS sent to `userId` and its delivery receipt, applied by delivery feedback as the local runtime applies it. */
async function smsDeliveredTo(userId: string, deliveries: DeliveriesRepository): Promise<void> {
  const meta = { userId, journeyId: 'welcome', version: '2', stepId: 'hello', channel: 'sms' as const };
  await deliveries.claim('e-sms#hello', meta, new Date('2026-11-24T10:01:00Z'), 60_000);
  await deliveries.linkMessage('sms-1', 'e-sms#hello', meta, new Date('2026-11-24T10:01:01Z'));
  await deliveries.settle(
    'e-sms#hello',
    'sent',
    { status: 'sent', messageId: 'sms-1' },
    new Date('2026-11-24T10:01:02Z'),
  );
  const receiptAt = new Date('2026-11-24T10:01:07Z');
  const receipt = smsReceiptEntry('sms-1', receiptAt);
  const result = await applyFeedback(
    {
      deliveries,
      profiles: new ProfilesRepository(db.doc, db.tables.profiles),
      stats: new StatsRepository(db.doc, db.tables.stats),
      now: () => receiptAt,
    },
    JSON.parse(receipt.Detail),
  );
  expect(result.status).toBe('applied');
}
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `journeys trace <user>` on the data folder of a stopped runtime, with its journeys (no Step Functions listens). */
function traceOf(user: string) {
  return runCli([
    'trace',
    user,
    '--endpoint',
    db.endpoint,
    '--sfn-endpoint',
    'http://127.0.0.1:1',
    '--data-dir',
    join(dir, 'data'),
    '--journeys-dir',
    join(dir, 'journeys'),
  ]);
}

describe('journeys trace', () => {
  it('reads a stopped runtime’s data folder: the enrollment, its message and outcome, how it ended', async () => {
    // arrange: the runtime stopped at a journey time inside the goal window
    await writeFile(
      join(dir, 'data', 'clock.json'),
      `${JSON.stringify({ virtualNow: Date.parse('2026-11-25T00:00:00Z') })}\n`,
    );
    // act
    const { code, stdout, stderr } = await traceOf('ada');
    // assert
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('traits: firstName="Ada"');
    expect(stdout).toContain('welcome v2 — enrollment e-ok');
    expect(stdout).toContain('started Tue 24 Nov 10:00');
    expect(stdout).toMatch(/Tue 24 Nov 10:01 +hello: email sent — message msg-1/);
    expect(stdout).toContain('ended: completed Tue 24 Nov 10:05; goal window open until Tue 01 Dec 10:00');
    expect(stdout).not.toContain('e-other');
  });

  it('shows a delivered SMS as delivered, with when the receipt came', async () => {
    const { code, stdout, stderr } = await traceOf('cy');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/hello: sms delivered — message sms-1 \(delivered Tue 24 Nov 10:01\)/);
  });

  it('--json holds the same for tools', async () => {
    const { code, stdout } = await runCli([
      'trace',
      'ada',
      '--endpoint',
      db.endpoint,
      '--sfn-endpoint',
      'http://127.0.0.1:1',
      '--data-dir',
      join(dir, 'data'),
      '--json',
    ]);
    expect(code).toBe(0);
    const trace = JSON.parse(stdout);
    expect(trace.executions).toEqual([
      expect.objectContaining({
        enrollmentId: 'e-ok',
        status: 'SUCCEEDED',
        version: '2',
        buckets: { ab: 70 },
      }),
    ]);
    expect(trace.messages).toEqual([
      expect.objectContaining({ stepId: 'hello', status: 'sent', enrollmentId: 'e-ok' }),
    ]);
  });

  it('ends with the entries the customer did not make, and why, from the activity log', async () => {
    // arrange: ingest's answers as the runtime logged them, for ada and for someone else
    const skip = (userId: string, at: string) =>
      JSON.stringify({
        at,
        entrySkipped: {
          userId,
          journeyId: 'welcome',
          version: '2',
          reason: 'missing',
          detail: { paths: ['trigger.properties.plan'] },
        },
      });
    await writeFile(
      join(dir, 'data', 'activity.jsonl'),
      `${skip('ada', '2026-11-24T11:00:00.000Z')}\n${skip('bea', '2026-11-24T12:00:00.000Z')}\n`,
    );
    // act
    const { code, stdout } = await traceOf('ada');
    // assert
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\nentries skipped\n {2}Tue 24 Nov 11:00 entry into welcome skipped: trigger\.properties\.plan is missing\n$/,
    );
    expect(stdout).not.toContain('12:00 entry into');
  });
});
