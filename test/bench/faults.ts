import { JourneyError } from '#shared/errors.ts';
import type { SendMessageInput } from '#shared/tasks/send-message.ts';
import { type Fault, randomFaults } from '../support/fault-proxy.ts';
import { runCounted } from '../support/send-counted.ts';
import { type Channel, type SendWorld, startSendWorld } from '../support/send-world.ts';
import { virtualClock } from '../support/task-retry.ts';

/**
 * `npm run bench -- faults`: 200 sends per channel and fault mode through the
 * fault proxies (in front of the providers, or of DynamoDB on the send path),
 * each run as the compiled step runs (its Retry list, its deferral Wait, its
 * failure path once the retries run out), then
 * counted against what the providers hold. Target: 0 lost, 0 duplicated, 0
 * crashed, 0 where the outcome disagrees with what the customer got.
 */

const SENDS = 200;
const RATE = 0.3;
/** Of every DynamoDB request of the send path (about eight per send): most sends meet one. */
const DB_RATE = 0.1;
const CONCURRENCY = 40;
const MODES: { label: string; fault: Fault }[] = [
  { label: '30% throttled (429)', fault: 'throttle' },
  { label: '30% 500 before acceptance', fault: 'error-before' },
  { label: '30% 500 after acceptance', fault: 'error-after' },
  { label: '30% timeout before acceptance', fault: 'timeout-before' },
  { label: '30% timeout after acceptance', fault: 'timeout-after' },
  { label: '30% connection reset after', fault: 'reset-after' },
];

/** Where the faults are injected: the provider's endpoint, or DynamoDB (every read and write of the send). */
type Target = 'provider' | 'dynamo';

type Tally = {
  tried: number;
  sent: number;
  handled: number;
  unknownDelivered: number;
  lost: number;
  duplicated: number;
  crashed: number;
  /** Ended failed or suppressed, yet the customer got the message. */
  disagrees: number;
};

async function runMode(
  world: SendWorld,
  channel: Channel,
  fault: Fault,
  run: string,
  onUnknown?: 'retry',
  target: Target = 'provider',
): Promise<Tally> {
  const provider = channel === 'email' ? world.sesProxy : world.pinpointProxy;
  const proxy = target === 'dynamo' ? world.dbProxy : provider;
  proxy.plan(randomFaults(fault, target === 'dynamo' ? DB_RATE : RATE, 42));
  const users = Array.from({ length: SENDS }, (_, i) => `${run}-${i}`);
  for (let i = 0; i < users.length; i += CONCURRENCY)
    await Promise.all(users.slice(i, i + CONCURRENCY).map((u) => world.customer(u)));
  const outcomes = new Map<string, { status: string; crashed: boolean; reason: boolean }>();
  for (let i = 0; i < users.length; i += CONCURRENCY) {
    await Promise.all(
      users.slice(i, i + CONCURRENCY).map(async (userId) => {
        const input = world.input(userId, channel, onUnknown === undefined ? {} : { onUnknown });
        outcomes.set(userId, await stepOutcome(world, input));
      }),
    );
  }
  await proxy.idle();
  await provider.idle();
  proxy.plan(() => 'pass');
  const delivered = await world.delivered(channel);
  const tally: Tally = {
    tried: SENDS,
    sent: 0,
    handled: 0,
    unknownDelivered: 0,
    lost: 0,
    duplicated: 0,
    crashed: 0,
    disagrees: 0,
  };
  for (const userId of users) {
    const outcome = outcomes.get(userId);
    const count = delivered.get(userId) ?? 0;
    if (count > 1) tally.duplicated += 1;
    if (outcome === undefined || outcome.crashed) {
      tally.crashed += 1;
      continue;
    }
    if (outcome.status === 'sent') {
      if (count === 0) tally.lost += 1;
      else tally.sent += 1;
    } else if (outcome.reason) {
      tally.handled += 1;
      if (outcome.status !== 'unknown' && count > 0) tally.disagrees += 1;
      if (outcome.status === 'unknown' && count > 0) tally.unknownDelivered += 1;
    } else if (count === 0) tally.lost += 1;
  }
  return tally;
}

/**
 * How the step ends, as the state machine runs it (runCounted): Retry, a deferral's Wait, and once the
 * retries run out the failure path, which settles and counts the last attempt's outcome.
 */
async function stepOutcome(world: SendWorld, input: SendMessageInput) {
  const clock = virtualClock('2026-11-24T10:00:00Z');
  try {
    const outcome = await runCounted(world, input, clock, 'longest', []);
    // A failure no retry overcomes: the Task's Catch sees it, named, with its message.
    if ('failed' in outcome) return { status: 'failed', crashed: false, reason: true };
    if ('counted' in outcome) {
      // The failure path found the outcome final already: the record says which.
      const status =
        outcome.counted === 'none' ? String((await world.record(input)).status) : outcome.counted;
      return { status, crashed: false, reason: true };
    }
    const reason = 'reason' in outcome && outcome.reason.length > 0;
    return { status: outcome.status, crashed: false, reason };
  } catch (error) {
    // What the failure path itself could not handle: unnamed, it is a crash.
    const named = error instanceof JourneyError && error.message.length > 0;
    return { status: 'failed', crashed: !named, reason: named };
  }
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(48) : String(c).padStart(9))).join(' ');
}

export async function runFaultsBench(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const world = await startSendWorld('bench-faults');
  try {
    console.log(
      `${SENDS} sends per row, ${CONCURRENCY} at a time, timeouts answered by the proxy; "handled" = ended failed or outcome unknown with a reason (of which "unk.sent" reached the customer once)`,
    );
    console.log(
      row(['channel / fault', 'tried', 'sent', 'handled', 'unk.sent', 'lost', 'dup', 'crashed', 'disagree']),
    );
    let run = 0;
    const cases: { channel: Channel; label: string; fault: Fault; onUnknown?: 'retry'; target?: Target }[] = [
      ...(['email', 'sms', 'push'] as const).flatMap((channel) => MODES.map((m) => ({ channel, ...m }))),
      {
        channel: 'email',
        label: '30% 500 before acceptance, onUnknown retry',
        fault: 'error-before',
        onUnknown: 'retry',
      },
      {
        channel: 'email',
        label: '30% 500 after acceptance, onUnknown retry (at least once)',
        fault: 'error-after',
        onUnknown: 'retry',
      },
      ...(['email', 'sms', 'push'] as const).flatMap((channel) => [
        {
          channel,
          label: 'DynamoDB: 10% 500, not applied',
          fault: 'error-before' as const,
          target: 'dynamo' as const,
        },
        {
          channel,
          label: 'DynamoDB: 10% 500 after applying',
          fault: 'error-after' as const,
          target: 'dynamo' as const,
        },
      ]),
    ];
    const started = performance.now();
    // FAULT_ROWS=21,23 runs only those rows (numbered as printed).
    const only = new Set((process.env.FAULT_ROWS ?? '').split(',').filter(Boolean).map(Number));
    for (const c of cases) {
      run += 1;
      if (only.size > 0 && !only.has(run)) continue;
      // Printed before the row runs: a row that never finishes is named.
      console.log(`[${run}/${cases.length}] ${c.channel} ${c.label}`);
      const rowStarted = performance.now();
      const t = await runMode(world, c.channel, c.fault, `r${run}`, c.onUnknown, c.target);
      console.log(
        row([
          `  ${((performance.now() - rowStarted) / 1000).toFixed(1)} s`,
          t.tried,
          t.sent,
          t.handled,
          t.unknownDelivered,
          t.lost,
          t.duplicated,
          t.crashed,
          t.disagrees,
        ]),
      );
    }
    console.log(
      `${only.size > 0 ? only.size : cases.length} rows in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await world.stop();
  }
}
