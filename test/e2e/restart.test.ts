import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enrollmentItems,
  profilesRepository,
  registryRepository,
  statsRepository,
} from '#functions/_lib/repositories.ts';
import type { LocalRuntime } from '#infra/local/index.ts';
import { readSentMessages } from '#infra/local/inspect/sent.ts';
import { localClientConfig } from '#infra/local/runtime/aws.ts';
import { openClock } from '#infra/local/runtime/clock.ts';
import { LOCAL_TABLES } from '#infra/local/runtime/env.ts';
import { HeldPorts } from '#infra/local/runtime/listen.ts';
import { outcomeMetric } from '#shared/stats/keys.ts';
import {
  boot,
  E2E_START,
  E2E_TIMEOUT,
  executionsOf,
  identify,
  putEvents,
  runUntil,
  type Sandbox,
  sandbox,
  sentEmails,
  track,
} from './support/local-runtime.ts';

let box: Sandbox;
let runtime: LocalRuntime;
// Handlers keep their clients per process, as in Lambda: every runtime here answers on the same ports.
const heldPorts = new HeldPorts();

/** What the first run left, read before it stopped, and what the second showed as it started. */
const first = {
  /** The journey time a kill -9 would have resumed at, after the run moved a day on and took an event. */
  resumedAfterKill: 0,
  dayLater: 0,
  /** Executions parked once restart-2's cart waits its hour. */
  parkedWithCart: 0,
  /** restart-4's execution, parked, which the restart finds at work. */
  atWork: undefined as Awaited<ReturnType<typeof executionsOf>>[number] | undefined,
  abortedBefore: 0,
  journeyTimeAtStop: 0,
};
let journeyTimeAtStart = 0;

/**
 * One restart for every test: the first run arranges each test's customers
 * (its own), stops, and the second starts on the same data directory; the
 * tests check what each kept. A runtime start costs a second of CPU or more.
 */
beforeAll(async () => {
  box = await sandbox(['cart-abandonment']);
  runtime = await boot(box, { heldPorts });
  // A run that moved a day on and took an event then: what a kill -9 now would leave (nothing saved at a stop).
  first.dayLater = runtime.services.clock.nowMs() + 86_400_000;
  await runtime.advanceTo(first.dayLater);
  await putEvents(runtime, [identify('restart-3', 'Europe/Rome')]);
  await runtime.settled();
  first.resumedAfterKill = (await openClock(box.dataDir, Date.parse(E2E_START))).nowMs();
  // A customer the first run knows.
  await putEvents(runtime, [identify('restart-1', 'Europe/Rome')]);
  // A cart enrollment parked in its one-hour wait.
  await putEvents(runtime, [
    identify('restart-2', 'Etc/GMT'),
    track('restart-2', 'Cart Updated', { cartId: 'r2', total: 40 }),
  ]);
  await runtime.settled();
  first.parkedWithCart = runtime.services.sfn.parkedCount();
  // An email sent as a send step does.
  const client = new SESv2Client(localClientConfig(runtime.endpoints.ses));
  await client.send(
    new SendEmailCommand({
      FromEmailAddress: 'shop@example.com',
      Destination: { ToAddresses: ['restart-5@example.com'] },
      Content: { Simple: { Subject: { Data: 'Before the restart' }, Body: { Text: { Data: 'kept' } } } },
    }),
  );
  client.destroy();
  // Another cart enrollment, which the data will show at work between two states (its last record not parked).
  await putEvents(runtime, [
    identify('restart-4', 'Etc/GMT'),
    track('restart-4', 'Cart Updated', { cartId: 'r4', total: 40 }),
  ]);
  await runtime.settled();
  [first.atWork] = await executionsOf(runtime, 'cart-abandonment', 'restart-4');
  first.abortedBefore = await outcomeCount('aborted');
  first.journeyTimeAtStop = runtime.services.clock.nowMs();
  await runtime.stop();
  if (first.atWork !== undefined) {
    const { parked: _waiting, ...atWork } = first.atWork;
    await appendFile(join(box.dataDir, 'stepfunctions', 'executions.jsonl'), `${JSON.stringify(atWork)}\n`);
  }
  // act: the same data directory
  runtime = await boot(box, { heldPorts });
  journeyTimeAtStart = runtime.services.clock.nowMs();
  await runtime.settled();
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await heldPorts.close();
  await box?.remove();
});

describe('restarting the local runtime on the same data directory', () => {
  it('keeps profiles, the registry and journey time', async () => {
    const state = await profilesRepository(LOCAL_TABLES.profiles).get('restart-1');
    expect(state.profile).toMatchObject({ email: 'restart-1@example.com', timezone: 'Europe/Rome' });
    const entry = await registryRepository(LOCAL_TABLES.journeys).get('cart-abandonment');
    expect(entry).toMatchObject({ journeyId: 'cart-abandonment' });
    // Journey time resumes where the first run stopped instead of going back to the real clock.
    expect(journeyTimeAtStart).toBe(first.journeyTimeAtStop);
  });

  it('keeps on disk, as it runs, the journey time its data reached: a runtime killed outright resumes there', () => {
    // Not the time of the last clean stop, which would put the event in the future.
    expect(first.resumedAfterKill).toBe(first.dayLater);
  });

  it(
    'resumes an enrollment that was waiting when it stopped, where it waited',
    async () => {
      expect(first.parkedWithCart).toBe(1);
      // act: let the hour pass
      const email = await runUntil(runtime, 'the reminder email', async () => {
        return (await sentEmails(runtime, 'restart-2@example.com'))[0];
      });
      await runtime.settled();
      // assert: the email went out once, and the enrollment now waits for the order, still running
      expect(email.subject).toBeTruthy();
      expect(await sentEmails(runtime, 'restart-2@example.com')).toHaveLength(1);
      const [execution] = await executionsOf(runtime, 'cart-abandonment', 'restart-2');
      expect(execution).toMatchObject({
        status: 'RUNNING',
        visited: ['wait-1h', 'reminder-email', 'wait-order'],
      });
      expect(runtime.services.sfn.tokens.pending().map((t) => t.stateName)).toEqual(['wait-order']);
    },
    E2E_TIMEOUT,
  );

  it('shows the emails an earlier run sent: the console, `journeys sent` and traces read them after a restart', async () => {
    // assert: the email, its subject and text, as the emulator's store and the console's list give it
    const [email, ...more] = await sentEmails(runtime, 'restart-5@example.com');
    expect(more).toEqual([]);
    expect(email).toMatchObject({ subject: 'Before the restart', body: { text: 'kept' } });
    const listed = await readSentMessages(box.dataDir, runtime.endpoints.ses);
    expect(listed.filter((m) => m.to === 'restart-5@example.com')).toHaveLength(1);
  });

  it('ends an enrollment whose execution was at work when the runtime was killed, as an abort, with its status change', async () => {
    const parked = first.atWork;
    if (parked === undefined) throw new Error('no execution for restart-4');
    // assert: aborted, and its end handled as AWS reports one: the enrollment ended and counted once
    const [execution] = await executionsOf(runtime, 'cart-abandonment', 'restart-4');
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Local.RuntimeStopped' });
    const enrollment = await enrollmentItems(LOCAL_TABLES.enrollments).enrollment('restart-4', parked.name);
    // kept, ended, while its goal window is open (a late order still converts)
    expect(enrollment).toMatchObject({ endedAt: expect.any(String) });
    expect((await outcomeCount('aborted')) - first.abortedBefore).toBe(1);
  });
});

/** A journey-level outcome counter of cart-abandonment. */
async function outcomeCount(outcome: 'aborted'): Promise<number> {
  const rows = await statsRepository(LOCAL_TABLES.stats).funnel('cart-abandonment');
  return rows.find((r) => r.metric === outcomeMetric(outcome) && r.stepId === undefined)?.count ?? 0;
}
