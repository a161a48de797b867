import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendTask } from '#functions/send-message/task.ts';
import { DeferredError, ErrorName } from '#shared/errors.ts';
import {
  type Counted,
  messageCounters,
  runCounted,
  stepCounters,
  tally,
} from '../../support/send-counted.ts';
import { type StoreWrite, storeFaults } from '../../support/send-faults.ts';
import { type Channel, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';
import { identify, ingestDeps } from './harness.ts';

/**
 * The message metrics (CloudWatch) count each outcome once, as the step's
 * counters do: however often the task is invoked for one message (a
 * duplicate invocation, several at once, a retry after a crash or a store
 * fault), the metrics equal the counters.
 */

let world: SendWorld;
const { once } = storeFaults(() => world);
let n = 0;

beforeAll(async () => {
  world = await startSendWorld('send-metrics');
});
afterAll(async () => world.stop());
beforeEach(() => {
  world.dbProxy.plan(() => 'pass');
  world.sesProxy.plan(() => 'pass');
});

const WRITES = {
  'record outcome': { op: 'UpdateItem', table: 'deliveries', marker: '#output = :output' },
  'step counter': { op: 'UpdateItem', table: 'stats' },
  'clear mark': { op: 'UpdateItem', table: 'deliveries', marker: 'REMOVE #pending' },
} as const satisfies Record<string, StoreWrite>;

async function customerFor(label: string, channel: Channel, extra = {}) {
  n += 1;
  const userId = `${label}${n}`;
  await world.customer(userId);
  // A journey of its own: no other test's count shares its per-day counters, whose count guard would
  // otherwise (rarely) find its slot taken by another message's count and leave this one unsettled.
  return world.input(userId, channel, { journeyId: `metrics-${n}`, stepId: `${label}-${n}`, ...extra });
}

/** The metrics equal the step's message counters, and each outcome named is counted once. */
async function expectCountedOnce(
  input: Parameters<typeof stepCounters>[1],
  counted: Counted[],
  statuses: string[],
) {
  const counters = messageCounters(await stepCounters(world, input));
  expect(tally(counted)).toEqual(counters);
  expect([...counters]).toEqual(statuses.map((s) => [s, 1]));
}

describe.each<Channel>(['email', 'sms', 'push'])('%s message metrics', (channel) => {
  it('a duplicate invocation of a sent message counts nothing more', async () => {
    const input = await customerFor('dup', channel);
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const counted: Counted[] = [];
    await runCounted(world, input, clock, 'shortest', counted);
    await runCounted(world, input, clock, 'shortest', counted);
    expect((await world.delivered(channel)).get(input.userId)).toBe(1);
    await expectCountedOnce(input, counted, ['sent']);
  });

  it('three invocations at once, and their visits after the lease, count the message once', async () => {
    const input = await customerFor('race', channel);
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const counted: Counted[] = [];
    const count = (status: Counted) => counted.push(status);
    // Step Functions retried an invocation it lost track of while the first still ran, twice over.
    const first = await Promise.allSettled([1, 2, 3].map(() => sendTask(world.deps(clock), input, count)));
    const waiting = first.flatMap((r) =>
      r.status === 'rejected' && r.reason instanceof DeferredError ? [Date.parse(r.reason.until)] : [],
    );
    expect(waiting).toHaveLength(2);
    // Each waiting one comes back when the claim's lease ends (the compiled Wait), and finds the outcome.
    clock.advance(Math.max(...waiting) - clock.now().getTime());
    await Promise.all(waiting.map(() => sendTask(world.deps(clock), input, count)));
    expect((await world.delivered(channel)).get(input.userId)).toBe(1);
    await expectCountedOnce(input, counted, ['sent']);
  });

  it('an attempt that stops between the send and its record counts unknown once, and nothing else', async () => {
    const input = await customerFor('crash', channel);
    world.dbProxy.plan(once(WRITES['record outcome'], 'error-before', 2));
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const counted: Counted[] = [];
    await runCounted(world, input, clock, 'longest', counted);
    world.dbProxy.plan(() => 'pass');
    await runCounted(world, input, clock, 'longest', counted);
    await expectCountedOnce(input, counted, ['unknown']);
  });

  it.each([
    ['step counter', 'error-before', 1],
    ['step counter', 'error-after', 1],
    ['step counter', 'error-after', 2],
    ['clear mark', 'error-before', 1],
    ['clear mark', 'error-after', 1],
  ] as const)(
    'counts the message once when the %s fails (%s ×%i), and on a duplicate',
    async (write, fault, times) => {
      const input = await customerFor('cf', channel);
      world.dbProxy.plan(once(WRITES[write], fault, times));
      const clock = virtualClock('2026-11-24T10:00:00Z');
      const counted: Counted[] = [];
      await runCounted(world, input, clock, 'shortest', counted);
      world.dbProxy.plan(() => 'pass');
      await runCounted(world, input, clock, 'shortest', counted);
      await expectCountedOnce(input, counted, ['sent']);
    },
  );
});

describe('a deferral', () => {
  it('met by an invocation while another holds the claim, is not a deferral the metrics count', async () => {
    const input = await customerFor('busy', 'email');
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const counted: Counted[] = [];
    const count = (status: Counted) => counted.push(status);
    const first = await Promise.allSettled([1, 2].map(() => sendTask(world.deps(clock), input, count)));
    expect(first.filter((r) => r.status === 'rejected' && r.reason instanceof DeferredError)).toHaveLength(1);
    await expectCountedOnce(input, counted, ['sent']);
  });

  it.each(['error-before', 'error-after'] as const)(
    'whose count fails is counted once by the metrics too (%s)',
    async (fault) => {
      const input = await customerFor('defer', 'email', { quietHours: { start: '00:00', end: '23:59' } });
      world.dbProxy.plan(once(WRITES['step counter'], fault, 1));
      const counted: Counted[] = [];
      await runCounted(world, input, virtualClock('2026-11-24T10:00:00Z'), 'shortest', counted);
      await expectCountedOnce(input, counted, ['deferred', 'sent']);
    },
  );
});

describe('a permanent failure whose record cannot be written', () => {
  it.each([1, 2])(
    'is counted once, on the counters and the metrics, also on a duplicate (×%i)',
    async (times) => {
      // a template for another channel: no retry renders it
      const input = await customerFor('permrec', 'email', { template: 'sms' });
      world.dbProxy.plan(once(WRITES['record outcome'], 'error-before', times));
      const clock = virtualClock('2026-11-24T10:00:00Z');
      const counted: Counted[] = [];
      const outcome = await runCounted(world, input, clock, 'shortest', counted);
      world.dbProxy.plan(() => 'pass');
      const again = await runCounted(world, input, clock, 'shortest', counted);
      expect([outcome, again]).toEqual([
        { failed: ErrorName.TemplateFailed },
        { failed: ErrorName.TemplateFailed },
      ]);
      expect((await world.record(input)).status).toBe('failed');
      await expectCountedOnce(input, counted, ['failed']);
    },
  );
});

describe('a provider answer proving the message was not taken, whose record cannot be written', () => {
  // arrange: the provider's answer, and the outcome's write failing twice (the attempt's two tries)
  async function underFaults(label: string, provider: (index: number) => 'pass' | 'reject' | 'throttle') {
    const input = await customerFor(label, 'email');
    world.sesProxy.plan((index) => provider(index));
    world.dbProxy.plan(once(WRITES['record outcome'], 'error-before', 2));
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const counted: Counted[] = [];
    const outcome = await runCounted(world, input, clock, 'shortest', counted);
    world.dbProxy.plan(() => 'pass');
    world.sesProxy.plan(() => 'pass');
    const again = await runCounted(world, input, clock, 'shortest', counted);
    return { input, outcome, again, counted };
  }

  it('a refusal for good ends failed with its reason, not "outcome unknown", and is counted once', async () => {
    const { input, outcome, again, counted } = await underFaults('refusedrec', () => 'reject');
    expect([outcome, again]).toEqual([
      { failed: ErrorName.DeliveryFailed },
      { failed: ErrorName.DeliveryFailed },
    ]);
    expect(await world.record(input)).toMatchObject({ status: 'failed' });
    expect(String((await world.record(input)).detail)).toMatch(/Request refused/);
    expect((await world.delivered('email')).get(input.userId) ?? 0).toBe(0);
    await expectCountedOnce(input, counted, ['failed']);
  });

  it('a throttle is retried and sent once, not settled as "outcome unknown"', async () => {
    const { input, outcome, counted } = await underFaults('throttledrec', (index) =>
      index === 0 ? 'throttle' : 'pass',
    );
    expect(outcome).toMatchObject({ status: 'sent' });
    expect((await world.delivered('email')).get(input.userId)).toBe(1);
    await expectCountedOnce(input, counted, ['sent']);
  });
});

describe('a push whose token results come with a transient failure', () => {
  it('counts the dead token once, with the message its retry sends', async () => {
    // arrange: a live device and a dead one; the push service answers the dead token's end and a
    // temporary failure for the live one, then takes the message
    const input = await customerFor('ptemp', 'push');
    const dead = `dead-${input.userId}`;
    await ingestEvent(ingestDeps(world.db).deps, {
      ...identify(input.userId, {}),
      context: { device: { token: dead, type: 'android' } },
    });
    const pinpoint = new PinpointClient({ region: 'us-east-1' });
    const live = `token-${input.userId}`;
    mockClient(pinpoint)
      .on(SendMessagesCommand)
      .resolvesOnce({
        MessageResponse: {
          ApplicationId: 'app-1',
          Result: {
            [dead]: { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 410, StatusMessage: 'Unregistered' },
            [live]: { DeliveryStatus: 'TEMPORARY_FAILURE', StatusCode: 503, StatusMessage: 'try later' },
          },
        },
      })
      .resolves({
        MessageResponse: {
          ApplicationId: 'app-1',
          Result: { [live]: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'm-1' } },
        },
      });
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const deps = world.deps;
    world.deps = (c) => ({ ...deps(c), pinpoint });
    const counted: Counted[] = [];
    try {
      // act
      const outcome = await runCounted(world, input, clock, 'shortest', counted);
      await runCounted(world, input, clock, 'shortest', counted);
      // assert
      expect(outcome).toMatchObject({ status: 'sent' });
    } finally {
      world.deps = deps;
    }
    const counters = await stepCounters(world, input);
    expect([counters.get('pushTokenRemoved'), counters.get('sent')]).toEqual([1, 1]);
    await expectCountedOnce(input, counted, ['sent']);
  });
});

describe('an attempt slower than its lease', () => {
  it('writes nothing over the unknown outcome a later attempt recorded for it, so it is counted once', async () => {
    // arrange: attempt 1 claims and calls the provider; its lease runs out before it answers
    const input = await customerFor('slow', 'email');
    const { deliveries } = world.deps(virtualClock('2026-11-24T10:00:00Z'));
    const id = `e-${input.userId}#${input.stepId}`;
    const meta = {
      userId: input.userId,
      journeyId: input.journeyId,
      version: input.journeyVersion,
      stepId: input.stepId,
      channel: input.channel,
    };
    const claimed = await deliveries.claim(id, meta, new Date('2026-11-24T10:00:00Z'), 30_000);
    if (claimed.kind !== 'claimed') throw new Error(`claim: ${claimed.kind}`);
    await deliveries.markCalled(id, new Date('2026-11-24T10:00:00Z'), claimed.attempt);
    // act: a retry after the lease settles it as unknown; then the slow attempt answers "sent"
    const retry = await deliveries.claim(id, meta, new Date('2026-11-24T10:01:00Z'), 30_000);
    const late = deliveries.settle(
      id,
      'sent',
      { status: 'sent', messageId: 'late' },
      new Date('2026-11-24T10:01:01Z'),
      undefined,
      claimed.attempt,
      {},
    );
    // assert: the outcome stays unknown, with its one count owed
    expect(retry.kind).toBe('stale');
    await expect(late).rejects.toThrow(/taken over/);
    expect((await world.record(input)).status).toBe('unknown');
  });
});
