import { sendMessage } from '#functions/send-message/send.ts';
import { JourneyError } from '#shared/errors.ts';
import { type Fault, randomFaults } from '../support/fault-proxy.ts';
import { type Channel, type SendWorld, startSendWorld } from '../support/send-world.ts';
import { compiledSendRetry, runWithRetry, virtualClock } from '../support/task-retry.ts';

/**
 * `npm run bench -- faults`: 200 sends per channel and fault mode through the
 * fault proxy, each run with the compiled step's Retry list, then counted
 * against what the providers hold. Target: 0 lost, 0 duplicated, 0 crashed.
 */

const SENDS = 200;
const RATE = 0.3;
const CONCURRENCY = 40;
const REQUEST_TIMEOUT_MS = 3_000;
const MODES: { label: string; fault: Fault }[] = [
  { label: '30% throttled (429)', fault: 'throttle' },
  { label: '30% 500 before acceptance', fault: 'error-before' },
  { label: '30% 500 after acceptance', fault: 'error-after' },
  { label: '30% timeout before acceptance', fault: 'timeout-before' },
  { label: '30% timeout after acceptance', fault: 'timeout-after' },
  { label: '30% connection reset after', fault: 'reset-after' },
];

type Tally = {
  tried: number;
  sent: number;
  handled: number;
  unknownDelivered: number;
  lost: number;
  duplicated: number;
  crashed: number;
};

async function runMode(
  world: SendWorld,
  channel: Channel,
  fault: Fault,
  run: string,
  onUnknown?: 'retry',
): Promise<Tally> {
  const proxy = channel === 'email' ? world.sesProxy : world.pinpointProxy;
  proxy.plan(randomFaults(fault, RATE, 42));
  const retry = compiledSendRetry(channel, onUnknown);
  const users = Array.from({ length: SENDS }, (_, i) => `${run}-${i}`);
  for (let i = 0; i < users.length; i += CONCURRENCY)
    await Promise.all(users.slice(i, i + CONCURRENCY).map((u) => world.customer(u)));
  const outcomes = new Map<string, { status: string; crashed: boolean; reason: boolean }>();
  for (let i = 0; i < users.length; i += CONCURRENCY) {
    await Promise.all(
      users.slice(i, i + CONCURRENCY).map(async (userId) => {
        const clock = virtualClock('2026-11-24T10:00:00Z');
        const input = world.input(userId, channel, onUnknown === undefined ? {} : { onUnknown });
        const result = await runWithRetry(() => sendMessage(world.deps(clock), input), retry, clock);
        if (result.ok) {
          const reason = 'reason' in result.value && result.value.reason.length > 0;
          outcomes.set(userId, { status: result.value.status, crashed: false, reason });
        } else {
          // What the Task's Catch sees: a named error with its message is handled with a reason.
          const named = result.error instanceof JourneyError && result.error.message.length > 0;
          outcomes.set(userId, { status: 'failed', crashed: !named, reason: named });
        }
      }),
    );
  }
  await proxy.idle();
  const delivered = await world.delivered(channel);
  const tally: Tally = {
    tried: SENDS,
    sent: 0,
    handled: 0,
    unknownDelivered: 0,
    lost: 0,
    duplicated: 0,
    crashed: 0,
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
      if (outcome.status === 'unknown' && count > 0) tally.unknownDelivered += 1;
    } else if (count === 0) tally.lost += 1;
  }
  return tally;
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(48) : String(c).padStart(9))).join(' ');
}

export async function runFaultsBench(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const world = await startSendWorld('bench-faults', REQUEST_TIMEOUT_MS);
  try {
    console.log(
      `${SENDS} sends per row, ${CONCURRENCY} at a time, request timeout ${REQUEST_TIMEOUT_MS} ms; "handled" = ended failed or outcome unknown with a reason (of which "unk.sent" reached the customer once)`,
    );
    console.log(row(['channel / fault', 'tried', 'sent', 'handled', 'unk.sent', 'lost', 'dup', 'crashed']));
    let run = 0;
    const cases: { channel: Channel; label: string; fault: Fault; onUnknown?: 'retry' }[] = [
      ...(['email', 'sms', 'push'] as const).flatMap((channel) => MODES.map((m) => ({ channel, ...m }))),
      {
        channel: 'email',
        label: '30% 500 before acceptance, onUnknown retry',
        fault: 'error-before',
        onUnknown: 'retry',
      },
      {
        channel: 'email',
        label: '30% 500 after acceptance, onUnknown retry',
        fault: 'error-after',
        onUnknown: 'retry',
      },
    ];
    for (const c of cases) {
      run += 1;
      const t = await runMode(world, c.channel, c.fault, `r${run}`, c.onUnknown);
      console.log(
        row([
          `${c.channel} ${c.label}`,
          t.tried,
          t.sent,
          t.handled,
          t.unknownDelivered,
          t.lost,
          t.duplicated,
          t.crashed,
        ]),
      );
    }
  } finally {
    await world.stop();
  }
}
