import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { sendTask } from '#functions/send-message/task.ts';
import type { SendMessageInput } from '#shared/tasks/send-message.ts';
import { caseId } from '../../support/case-ids.ts';
import { CrashPlan, crashPointsOf, kindOf, type Landing } from '../../support/crash-points.ts';
import {
  type Counted,
  messageCounters,
  runCounted,
  stepCounters,
  tally,
} from '../../support/send-counted.ts';
import { type Channel, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { type VirtualClock, virtualClock } from '../../support/task-retry.ts';

/**
 * The send's invocation dies (its Lambda times out, or runs out of memory)
 * at each point of the send path in turn: before one of its requests to
 * DynamoDB or the provider lands, or after it lands with the answer never
 * read; nothing after it lands, and what it counted is not published.
 * Step Functions retries a crashed invocation once, 60 s later: after the
 * claim's lease, or while it still runs (a function timeout longer than
 * that); from then on the task runs as the state machine runs it. Whatever
 * the point, the customer gets the message at most once, the step ends with
 * an outcome that says so (sent: they have it; failed: they do not), the
 * step's counters count it once, and the message metrics count it at most
 * once, except "outcome unknown", whose alarm is never lost.
 */

// Started as the file is collected: each case's points are those of its send with nothing failing.
const world: SendWorld = await startSendWorld('crash-points');
afterAll(async () => world.stop());
function nothingFails() {
  world.dbProxy.plan(() => 'pass');
  world.sesProxy.plan(() => 'pass');
  world.pinpointProxy.plan(() => 'pass');
}
beforeEach(nothingFails);

/** Step Functions' retry of a crashed invocation (Sandbox.Timedout, Lambda.Unknown). */
const CRASH_RETRY_MS = 60_000;

/** How the provider answers the call, when the invocation lives that long. */
type Answer = 'pass' | 'error-after';

type Case = { channel: Channel; answer: Answer; leaseMs: number };

const CASES: Case[] = [
  { channel: 'email', answer: 'pass', leaseMs: 30_000 },
  { channel: 'email', answer: 'error-after', leaseMs: 120_000 },
  { channel: 'sms', answer: 'error-after', leaseMs: 30_000 },
  { channel: 'push', answer: 'pass', leaseMs: 120_000 },
];

function providerProxy(channel: Channel) {
  return channel === 'email' ? world.sesProxy : world.pinpointProxy;
}

/**
 * Plans on both proxies under which the invocation dies at its `point`-th request (store and provider
 * counted together, as the send path makes them one after the other).
 */
function dieAt(channel: Channel, point: number, landing: Landing, answer: Answer) {
  const crash = new CrashPlan(point, landing);
  world.dbProxy.plan((_, request) => crash.next(kindOf(request)));
  providerProxy(channel).plan((_, request) => crash.next(kindOf(request), answer));
  return crash;
}

async function customerFor(channel: Channel): Promise<SendMessageInput> {
  const id = caseId('crash');
  await world.customer(id);
  // A journey of its own: its counters are this send's alone.
  return world.input(id, channel, { journeyId: id, stepId: `send-${id}` });
}

async function crashThenRun({ channel, answer, leaseMs }: Case, point: number, landing: Landing) {
  const input = await customerFor(channel);
  const clock = virtualClock('2026-11-24T10:00:00Z');
  const withLease = { ...world, deps: (c: VirtualClock) => ({ ...world.deps(c), leaseMs }) };
  const dying = dieAt(channel, point, landing, answer);
  const firstCounted: Counted[] = [];
  await sendTask(withLease.deps(clock), input, (status) => firstCounted.push(status)).catch(() => undefined);
  await Promise.all([world.dbProxy.idle(), providerProxy(channel).idle()]);
  world.dbProxy.plan(() => 'pass');
  providerProxy(channel).plan(() => 'pass');
  // An invocation that lived to its end published what it counted; one that died, only the alarm's
  // metric, which the handler publishes at once (functions/send-message/handler.ts).
  const counted: Counted[] = dying.died() ? firstCounted.filter((s) => s === 'unknown') : firstCounted;
  clock.advance(CRASH_RETRY_MS);
  const outcome = await runCounted(withLease, input, clock, 'longest', counted);
  const status = 'status' in outcome ? outcome.status : 'counted' in outcome ? outcome.counted : 'failed';
  return {
    died: dying.died(),
    requests: dying.requests(),
    path: dying.path(),
    status,
    delivered: (await world.delivered(channel)).get(input.userId) ?? 0,
    metrics: tally(counted),
    counters: messageCounters(await stepCounters(world, input)),
  };
}

describe.each(CASES)(
  '$channel send (provider answers $answer, lease $leaseMs ms) whose invocation dies',
  async (c) => {
    nothingFails();
    const clean = await crashThenRun(c, Number.POSITIVE_INFINITY, 'before');

    it(`makes ${clean.requests} requests when nothing fails`, () => {
      expect(clean.died).toBe(false);
      expect(clean.counters.size).toBe(1);
    });

    it.each(crashPointsOf(clean.path, { answersAct: true }))(
      'at request $point, $landing it lands: sent at most once, accounted, counted once',
      async ({ point, landing }) => {
        const { died, status, delivered, metrics, counters } = await crashThenRun(c, point, landing);
        expect(died).toBe(point < clean.requests);
        expect(delivered).toBeLessThanOrEqual(1);
        if (status === 'sent') expect(delivered).toBe(1);
        else if (status !== 'unknown') expect([status, delivered]).toEqual(['failed', 0]);
        expect([...counters]).toEqual([[status, 1]]);
        // The alarmed metric is published with the outcome, or again by the retry; the others at most once.
        if (status === 'unknown') expect(metrics.get('unknown') ?? 0).toBeGreaterThanOrEqual(1);
        else expect(metrics.get(status) ?? 0).toBeLessThanOrEqual(1);
        expect([...metrics.keys()].filter((s) => s !== status)).toEqual([]);
      },
    );
  },
);
