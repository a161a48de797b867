import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type StatRow, StatsRepository } from '#functions/_lib/stats.ts';
import { customerTimelines, type LocalRuntime } from '#infra/local/index.ts';
import { readTrace } from '#infra/local/inspect/trace.ts';
import { readOutbox } from '#infra/local/services/pinpoint/outbox.ts';
import { awsCliAvailable } from './support/aws-cli.ts';
import {
  boot,
  E2E_TIMEOUT,
  eventually,
  executionsOf,
  identify,
  phoneOf,
  putEvents,
  quiesce,
  runUntil,
  type Sandbox,
  sandbox,
  sentEmails,
  track,
  zoneWhereHourIs,
} from './support/local-runtime.ts';
import { customerInBucket, putEventsWithCli, sendsOf } from './support/scenario.ts';

const JOURNEY = 'cart-abandonment';
const SPLIT = 'channel-test';
const DAY = 86_400_000;

const sms = (prefix: string) => customerInBucket(JOURNEY, SPLIT, prefix, [0, 45]);
const customers = {
  ordered: 'ordered-0',
  sms: sms('sms'),
  push: customerInBucket(JOURNEY, SPLIT, 'push', [45, 90]),
  control: customerInBucket(JOURNEY, SPLIT, 'control', [90, 100]),
  deferred: 'deferred-0',
  cli: sms('cli'),
  v1: sms('inflight-v1'),
  v2: sms('inflight-v2'),
};
type Who = keyof typeof customers;
const cartOf = (who: Who) => `cart-${who}`;
const totalOf = (who: Who) => 30 + Object.keys(customers).indexOf(who);
const cart = (who: Who) =>
  track(customers[who], 'Cart Updated', { cartId: cartOf(who), total: totalOf(who), currency: 'EUR' });
const order = (who: Who) => track(customers[who], 'Order Completed', { cartId: cartOf(who) });

let box: Sandbox;
let nightZone: string;
let runtime: LocalRuntime;
let withCli = false;

/**
 * The whole story on the deterministic clock: every step happens at a journey
 * instant the test chooses, whatever the machine's speed or load.
 */
beforeAll(async () => {
  box = await sandbox([JOURNEY]);
  runtime = await boot(box);
  withCli = awsCliAvailable('cart abandonment through the AWS CLI');
  // Quiet hours are 21:00–08:00 in the customer's zone: 09:00 now leaves the day for the sends.
  const day = zoneWhereHourIs(9, runtime.services.clock.now());
  // 22:00 for this one: the email due an hour later falls in quiet hours.
  nightZone = zoneWhereHourIs(22, runtime.services.clock.now());
  const sdk: Who[] = ['ordered', 'sms', 'push', 'control', 'v1'];
  await putEvents(runtime, [
    ...sdk.map((who) => identify(customers[who], day)),
    identify(customers.deferred, nightZone),
  ]);
  await runtime.settled();
  await putEvents(runtime, [...sdk, 'deferred' as const].map(cart));
  if (withCli) await putEventsWithCli(runtime, [identify(customers.cli, day), cart('cli')]);
  await orderWhileWaiting('ordered');
  await orderWhileWaiting('deferred');
  await editWhileInFlight();
  // Every wait for the order (one day) has timed out two days later.
  await runtime.advanceTo(runtime.services.clock.nowMs() + 2 * DAY);
  await quiesce(runtime);
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

/** Orders once the enrollment waits for the order (its wait-for-event task token is out). */
async function orderWhileWaiting(who: Who): Promise<void> {
  await runUntil(runtime, `the ${who} enrollment to wait for the order`, async () => {
    const execution = (await executionsOf(runtime, JOURNEY, customers[who]))[0]?.name;
    return runtime.services.sfn.tokens
      .pending()
      .find((t) => t.executionName === execution && t.stateName === 'wait-order');
  });
  await putEvents(runtime, [order(who)]);
  await runtime.settled();
}

/** v2 of the journey goes live while the v1 enrollment waits for its order. */
async function editWhileInFlight(): Promise<void> {
  await runUntil(runtime, 'the v1 enrollment email', async () => (await emailsTo('v1'))[0]);
  const file = join(box.journeysDir, `${JOURNEY}.json`);
  const v1 = JSON.parse(await readFile(file, 'utf8'));
  await writeFile(
    join(box.journeysDir, 'templates', 'cart-sms-v2.json'),
    JSON.stringify({
      channel: 'sms',
      body: 'Paperlane v2: {{ trigger.properties.total }} EUR in cart {{ trigger.properties.cartId }}',
    }),
  );
  v1.steps['cart-sms'].template = 'cart-sms-v2';
  await writeFile(file, JSON.stringify(v1, null, 2));
  // The file watcher's notification arrives in real time; journey time stands still meanwhile.
  await eventually('v2 to go live', async () =>
    runtime.services.sfn.machines.get(`journey-${JOURNEY}`).versions.length === 2 ? true : undefined,
  );
  await runtime.settled();
  await putEvents(runtime, [identify(customers.v2, zoneWhereHourIs(9, runtime.services.clock.now()))]);
  await runtime.settled();
  await putEvents(runtime, [cart('v2')]);
  await runtime.settled();
}

async function emailsTo(who: Who) {
  return sentEmails(runtime, `${customers[who]}@example.com`);
}

async function outboxOf(who: Who) {
  const id = customers[who];
  return (await readOutbox(runtime.options.dataDir))
    .filter((m) => m.to === phoneOf(id) || m.to === `token-${id}`)
    .map((m) => ({ channel: m.channel, to: m.to, title: m.title, body: m.body }));
}

/** What every path sends first: the reminder email, rendered for this customer and cart. */
async function expectReminderEmail(who: Who): Promise<void> {
  const emails = await emailsTo(who);
  expect(emails).toHaveLength(1);
  const [email] = emails;
  expect(email?.subject).toBe(`Fn${customers[who].replaceAll('-', '')}, your cart is saved for you`);
  expect(email?.body.text).toContain(`Total: ${totalOf(who)} EUR`);
  expect(email?.body.text).toContain(`https://paperlane.example.com/cart/${cartOf(who)}?utm_source=email`);
  expect(email?.body.html).toContain('Complete my order');
}

async function finalStates(who: Who) {
  const executions = await executionsOf(runtime, JOURNEY, customers[who]);
  return executions.map((e) => ({ status: e.status, version: e.version, last: e.visited.at(-1) }));
}

/** A funnel counter of the journey (all versions), read from the stats table. */
async function counter(which: (row: StatRow) => boolean): Promise<number> {
  const stats = new StatsRepository(
    DynamoDBDocumentClient.from(runtime.services.dynamo.client),
    'journeys-stats',
  );
  return (await stats.funnel(JOURNEY)).filter(which).reduce((n, row) => n + row.count, 0);
}

/** When a send was deferred to: a `deferred` result, or the Journeys.Deferred error naming the time. */
function deferredUntil(send: { output?: unknown; error?: string }): string | undefined {
  const output = z.object({ status: z.literal('deferred'), until: z.string() }).safeParse(send.output);
  if (output.success) return output.data.until;
  return send.error?.match(/^Journeys\.Deferred: (\S+)/)?.[1];
}

describe('cart abandonment, end to end through the local runtime', () => {
  it('order in time: one email, no SMS or push, the goal ends the enrollment and counts it', async () => {
    await expectReminderEmail('ordered');
    expect(await outboxOf('ordered')).toEqual([]);
    const executions = await executionsOf(runtime, JOURNEY, customers.ordered);
    expect(executions).toHaveLength(1);
    // Order Completed is both the awaited event and the goal (exit: true): the goal stops the enrollment.
    expect(executions[0]).toMatchObject({ status: 'ABORTED', cause: 'goal reached' });
    expect(executions[0]?.visited).toContain('wait-order');
    expect(executions[0]?.visited).not.toContain('channel-test');
    // Two customers ordered in time: this one and the one whose email was deferred.
    expect(await counter((row) => row.metric === 'converted' && row.stepId === undefined)).toBe(2);
  });

  it('timeout then SMS: the split sends the rendered SMS and no push', async () => {
    await expectReminderEmail('sms');
    expect(await outboxOf('sms')).toEqual([
      {
        channel: 'sms',
        to: phoneOf(customers.sms),
        title: undefined,
        body: `Paperlane: Fn${customers.sms.replaceAll('-', '')}, your cart (${totalOf('sms')} EUR) is saved: https://pl.example.com/c/${cartOf('sms')} Reply STOP to opt out`,
      },
    ]);
    expect(await finalStates('sms')).toEqual([{ status: 'SUCCEEDED', version: 1, last: 'not-ordered' }]);
  });

  it('the SMS delivery receipt reads as delivered in the timeline and the trace', async () => {
    const timeline = (await customerTimelines(runtime.options.dataDir)).get(customers.sms);
    expect(timeline?.lines.map((l) => l.text)).toContain(`delivered ${JOURNEY}/cart-sms`);
    const source = {
      kind: 'local' as const,
      dataDir: runtime.options.dataDir,
      endpoint: runtime.endpoints.dynamodb,
      sfnEndpoint: runtime.endpoints.sfn,
    };
    const { messages } = await readTrace(source, customers.sms);
    const sms = messages.find((m) => m.stepId === 'cart-sms');
    expect(sms?.feedback?.map((f) => f.outcome)).toEqual(['delivered']);
  });

  it('timeout then push: the split sends the rendered push and no SMS', async () => {
    await expectReminderEmail('push');
    expect(await outboxOf('push')).toEqual([
      {
        channel: 'push',
        to: `token-${customers.push}`,
        title: 'Your photo book is waiting in your cart',
        body: `Order today and it ships tomorrow. Total: ${totalOf('push')} EUR.`,
      },
    ]);
    expect(await finalStates('push')).toEqual([{ status: 'SUCCEEDED', version: 1, last: 'not-ordered' }]);
  });

  it('holdout: no SMS or push after the timeout, and the control group is counted', async () => {
    await expectReminderEmail('control');
    expect(await outboxOf('control')).toEqual([]);
    const executions = await executionsOf(runtime, JOURNEY, customers.control);
    expect(executions[0]?.visited).toContain('channel-test');
    expect(executions[0]?.visited).not.toContain('cart-sms');
    expect(executions[0]?.visited).not.toContain('cart-push');
    expect(
      await counter((row) => row.stepId === SPLIT && row.variant === 'control' && row.metric === 'assigned'),
    ).toBe(1);
  });

  it('quiet hours: the email is deferred to 08:00 local, then sent at that journey time', async () => {
    const [execution] = await executionsOf(runtime, JOURNEY, customers.deferred);
    const sends = (await sendsOf(runtime, execution?.name ?? '')).filter((s) => s.state === 'reminder-email');
    const deferral = sends[0];
    expect(deferral === undefined ? undefined : deferredUntil(deferral)).toBeDefined();
    const until = DateTime.fromISO(deferral === undefined ? '' : (deferredUntil(deferral) ?? '')).setZone(
      nightZone,
    );
    expect(until.toFormat('HH:mm')).toBe('08:00');
    const sent = sends.at(-1);
    expect(sent?.output).toMatchObject({ status: 'sent' });
    expect(Date.parse(sent?.at ?? '')).toBeGreaterThanOrEqual(until.toMillis());
    await expectReminderEmail('deferred');
  });

  it('events sent with the AWS CLI v2 produce the same result as the SDK', async () => {
    if (!withCli) return;
    await expectReminderEmail('cli');
    expect(await outboxOf('cli')).toEqual([
      {
        channel: 'sms',
        to: phoneOf(customers.cli),
        title: undefined,
        body: `Paperlane: Fn${customers.cli.replaceAll('-', '')}, your cart (${totalOf('cli')} EUR) is saved: https://pl.example.com/c/${cartOf('cli')} Reply STOP to opt out`,
      },
    ]);
    expect(await finalStates('cli')).toEqual([{ status: 'SUCCEEDED', version: 1, last: 'not-ordered' }]);
  });

  it('an edited journey: the in-flight enrollment finishes on v1, a new one runs v2', async () => {
    expect(await finalStates('v1')).toEqual([{ status: 'SUCCEEDED', version: 1, last: 'not-ordered' }]);
    expect(await finalStates('v2')).toEqual([{ status: 'SUCCEEDED', version: 2, last: 'not-ordered' }]);
    expect((await outboxOf('v1')).map((m) => m.body)).toEqual([
      `Paperlane: Fn${customers.v1.replaceAll('-', '')}, your cart (${totalOf('v1')} EUR) is saved: https://pl.example.com/c/${cartOf('v1')} Reply STOP to opt out`,
    ]);
    expect((await outboxOf('v2')).map((m) => m.body)).toEqual([
      `Paperlane v2: ${totalOf('v2')} EUR in cart ${cartOf('v2')}`,
    ]);
  });
});
