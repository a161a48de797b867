import type { Channel } from '#shared/channels.ts';
import type { World } from '../world/world.ts';
import { LAMBDA_PROFILE, PRICES, PRICES_NOTE } from './prices.ts';
import type { Tally } from './tally.ts';

/** The answer of a simulation: plain data, printed as text or as a page. */
export type Forecast = {
  journeyId: string;
  customers: number;
  events: number;
  enrolled: number;
  messages: { sent: Record<Channel, number>; failed: number };
  byDay: { day: string; email: number; sms: number; push: number }[];
  byLocalHour: Record<Channel, number[]>;
  deferred: [string, number][];
  suppressed: [string, number][];
  unknown: [string, number][];
  variants: { step: string; variant: string; enrolled: number; converted: number; rate: number }[];
  outcomes: [string, number][];
  transitions: number;
  executions: number;
  invocations: [string, number][];
  usage: { dynamoWriteUnits: number; dynamoReadUnits: number; busEvents: number };
  cost: { item: string; quantity: number; unitPrice: number; usd: number }[];
  pricesNote: string;
  startedAt: string;
  endedAt: string;
};

const CHANNELS: Channel[] = ['email', 'sms', 'push'];
const LAMBDAS = new Set(['ingest', 'send-message', 'evaluate', 'await-event', 'execution-status']);

function sorted(map: ReadonlyMap<string, number>): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

export async function forecastOf(world: World, tally: Tally, journeyId: string): Promise<Forecast> {
  const { counters } = await world.stats.read(journeyId);
  const assigned = new Map<string, { enrolled: number; converted: number }>();
  const outcomes = new Map<string, number>();
  for (const row of counters) {
    if (row.metric.startsWith('ended:') && row.stepId === undefined && row.variant === undefined)
      outcomes.set(row.metric.slice('ended:'.length), (outcomes.get(row.metric.slice(6)) ?? 0) + row.count);
    if (row.variant === undefined || row.stepId === undefined) continue;
    const key = `${row.stepId}\u0000${row.variant}`;
    const entry = assigned.get(key) ?? { enrolled: 0, converted: 0 };
    if (row.metric === 'assigned') entry.enrolled += row.count;
    if (row.metric === 'converted') entry.converted += row.count;
    assigned.set(key, entry);
  }
  const variants = [...assigned].map(([key, v]) => {
    const [step = '', variant = ''] = key.split('\u0000');
    return { step, variant, ...v, rate: v.enrolled === 0 ? 0 : v.converted / v.enrolled };
  });
  const sent = {
    email: tally.sent.get('email') ?? 0,
    sms: tally.sent.get('sms') ?? 0,
    push: tally.sent.get('push') ?? 0,
  };
  const lambdaCalls = [...tally.invocations].filter(([fn]) => LAMBDAS.has(fn)).reduce((n, [, c]) => n + c, 0);
  const { reads, writes } = world.db.store.capacity;
  const busEvents = tally.events + world.counts.events + world.executions.started;
  const line = (item: string, quantity: number, unitPrice: number) => ({
    item,
    quantity,
    unitPrice,
    usd: quantity * unitPrice,
  });
  const gbSeconds = lambdaCalls * LAMBDA_PROFILE.memoryGb * (LAMBDA_PROFILE.averageMs / 1000);
  const cost = [
    line('Step Functions state transitions', world.executions.transitions, PRICES.stepFunctionsPerTransition),
    line('Lambda requests', lambdaCalls, PRICES.lambdaPerRequest),
    line('Lambda GB-seconds', gbSeconds, PRICES.lambdaPerGbSecond),
    line('DynamoDB write request units', writes, PRICES.dynamoPerWriteUnit),
    line('DynamoDB read request units', reads, PRICES.dynamoPerReadUnit),
    line('EventBridge events', busEvents, PRICES.eventBridgePerEvent),
    line('SES emails', world.counts.emails, PRICES.sesPerEmail),
    line('SMS messages', world.counts.sms, PRICES.smsPerMessage),
    line('Push messages', world.counts.push, PRICES.pushPerMessage),
  ];
  const days = [...tally.sentByDay.keys()].sort();
  return {
    journeyId,
    customers: tally.customers,
    events: tally.events,
    enrolled: tally.enrolled,
    messages: { sent, failed: tally.failures },
    byDay: days.map((day) => {
      const m = tally.sentByDay.get(day);
      return { day, email: m?.get('email') ?? 0, sms: m?.get('sms') ?? 0, push: m?.get('push') ?? 0 };
    }),
    byLocalHour: {
      email: tally.sentByLocalHour.get('email') ?? new Array(24).fill(0),
      sms: tally.sentByLocalHour.get('sms') ?? new Array(24).fill(0),
      push: tally.sentByLocalHour.get('push') ?? new Array(24).fill(0),
    },
    deferred: sorted(tally.deferred),
    suppressed: sorted(tally.suppressed),
    unknown: sorted(tally.unknown),
    variants,
    outcomes: sorted(outcomes),
    transitions: world.executions.transitions,
    executions: world.executions.started,
    invocations: sorted(tally.invocations),
    usage: { dynamoWriteUnits: writes, dynamoReadUnits: reads, busEvents },
    cost,
    pricesNote: PRICES_NOTE,
    startedAt: '',
    endedAt: new Date(world.timers.now).toISOString(),
  };
}

export { CHANNELS };
