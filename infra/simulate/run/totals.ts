import * as z from 'zod';
import { CHANNELS, type Channel } from '#shared/channels.ts';

/**
 * What one run of customers (all of them, or one shard's) adds up to: plain
 * data, so a worker thread can hand it over, and sums only, so shards merge
 * exactly into what one thread running every customer would have counted.
 */

const Capacity = z.object({ reads: z.number(), writes: z.number() });
export type Capacity = z.infer<typeof Capacity>;

const Count = z.number().int().nonnegative();
const ChannelName = z.enum(CHANNELS);
const Counted = z.array(z.tuple([z.string(), Count]));

export const Totals = z.object({
  customers: Count,
  events: Count,
  enrolled: Count,
  failures: Count,
  sent: z.array(z.tuple([ChannelName, Count])),
  sentByDay: z.array(z.tuple([z.string(), ChannelName, Count])),
  sentByLocalHour: z.array(z.tuple([ChannelName, z.array(Count).length(24)])),
  deferred: Counted,
  suppressed: Counted,
  unknown: Counted,
  /** Trigger events that entered no one (and events ingest refused), by why (absent: none counted). */
  skipped: Counted.optional(),
  invocations: Counted,
  /** Executions that failed or timed out, by reason ("failed: States.Runtime: The execution reached…"). */
  failedExecutions: Counted,
  /** The journey's stats counters: counts, and for conversions the sum of their values and how many carried one. */
  counters: z.array(
    z.object({
      metric: z.string(),
      stepId: z.string().optional(),
      variant: z.string().optional(),
      /** A bounded reason code (a deferral's, a suppression's, a skipped entry's). */
      reason: z.string().optional(),
      count: Count,
      sum: z.number().optional(),
      valued: Count.optional(),
    }),
  ),
  transitions: Count,
  executions: Count,
  providers: z.object({
    emails: Count,
    sms: Count,
    /** The parts the SMS went out in (absent: one each). */
    smsParts: Count.optional(),
    push: Count,
    events: Count,
  }),
  /** Provider feedback applied, by channel and outcome ("email opened", "sms undelivered"). */
  feedback: Counted,
  /**
   * DynamoDB units of deploying the journey and first reading what every
   * handler caches (the registry, the pinned templates): the same in every
   * shard, so counted once.
   */
  setup: Capacity,
  /** DynamoDB units of the customers' own calls. */
  run: Capacity,
  /** Journey time of the last thing that happened (epoch ms). */
  endedAt: z.number(),
});
export type Totals = z.infer<typeof Totals>;

function add<K>(into: Map<K, number>, entries: Iterable<readonly [K, number]>): void {
  for (const [key, count] of entries) into.set(key, (into.get(key) ?? 0) + count);
}

const SEPARATOR = '\u0000';

/** The totals of disjoint sets of customers as one: counts summed, setup once, the latest end. */
export function mergeTotals(shards: readonly Totals[]): Totals {
  const [first] = shards;
  if (first === undefined) throw new Error('No shard to merge');
  const summed = (pick: (t: Totals) => Iterable<readonly [string, number]>) => {
    const map = new Map<string, number>();
    for (const t of shards) add(map, pick(t));
    return [...map];
  };
  const sum = (pick: (t: Totals) => number) => shards.reduce((n, t) => n + pick(t), 0);
  const sent = new Map<Channel, number>();
  const byDay = new Map<string, Map<Channel, number>>();
  const hours = new Map<Channel, number[]>();
  const counters = new Map<string, number>();
  const sums = new Map<string, number>();
  const valued = new Map<string, number>();
  for (const t of shards) {
    add(sent, t.sent);
    for (const [day, channel, n] of t.sentByDay) {
      const channels = byDay.get(day) ?? new Map<Channel, number>();
      add(channels, [[channel, n]]);
      byDay.set(day, channels);
    }
    for (const [channel, counts] of t.sentByLocalHour) {
      const into = hours.get(channel) ?? Array.from({ length: 24 }, () => 0);
      counts.forEach((n, hour) => {
        into[hour] = (into[hour] ?? 0) + n;
      });
      hours.set(channel, into);
    }
    for (const c of t.counters) {
      const key = [c.metric, c.stepId ?? '', c.variant ?? '', c.reason ?? ''].join(SEPARATOR);
      add(counters, [[key, c.count]]);
      if (c.sum !== undefined) add(sums, [[key, c.sum]]);
      if (c.valued !== undefined) add(valued, [[key, c.valued]]);
    }
  }
  return {
    customers: sum((t) => t.customers),
    events: sum((t) => t.events),
    enrolled: sum((t) => t.enrolled),
    failures: sum((t) => t.failures),
    sent: [...sent],
    sentByDay: [...byDay].flatMap(([day, channels]) =>
      [...channels].map(([channel, n]): [string, Channel, number] => [day, channel, n]),
    ),
    sentByLocalHour: [...hours],
    deferred: summed((t) => t.deferred),
    skipped: summed((t) => t.skipped ?? []),
    suppressed: summed((t) => t.suppressed),
    unknown: summed((t) => t.unknown),
    invocations: summed((t) => t.invocations),
    failedExecutions: summed((t) => t.failedExecutions),
    counters: [...counters].map(([key, count]) => {
      const [metric = '', stepId = '', variant = '', reason = ''] = key.split(SEPARATOR);
      return {
        metric,
        ...(stepId === '' ? {} : { stepId }),
        ...(variant === '' ? {} : { variant }),
        ...(reason === '' ? {} : { reason }),
        count,
        ...(sums.has(key) ? { sum: sums.get(key) } : {}),
        ...(valued.has(key) ? { valued: valued.get(key) } : {}),
      };
    }),
    transitions: sum((t) => t.transitions),
    executions: sum((t) => t.executions),
    providers: {
      emails: sum((t) => t.providers.emails),
      sms: sum((t) => t.providers.sms),
      smsParts: sum((t) => t.providers.smsParts ?? t.providers.sms),
      push: sum((t) => t.providers.push),
      events: sum((t) => t.providers.events),
    },
    feedback: summed((t) => t.feedback),
    setup: first.setup,
    run: { reads: sum((t) => t.run.reads), writes: sum((t) => t.run.writes) },
    endedAt: Math.max(...shards.map((t) => t.endedAt)),
  };
}
