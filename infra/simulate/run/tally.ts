import type { Channel } from '#shared/channels.ts';
import type { SendMessageInput, SendMessageOutput } from '#shared/tasks/send-message.ts';
import { zoneOf } from '#shared/time/zone.ts';
import type { Totals } from './totals.ts';

/**
 * What a simulation counts as it runs, bounded whatever the number of
 * customers: per channel per calendar day (the run's days), per channel per
 * local hour (24), per reason (the policy's reasons, a small set).
 */

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

const HOUR_MS = 3_600_000;

/** The hour of the day at `at` in `zone`, from the zone's offset (kept per UTC hour): no date is formatted. */
function localHour(at: number, zone: string): number {
  const local = Math.floor((at + zoneOf(zone).offsetMinutes(at) * 60_000) / HOUR_MS);
  return ((local % 24) + 24) % 24;
}

/** The part of a policy reason that names it, without the times and values some reasons carry. */
function reasonKey(reason: string): string {
  return reason.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z?/g, '…').replace(/\s+\(.*\)$/, '');
}

export class Tally {
  customers = 0;
  events = 0;
  enrolled = 0;
  readonly sentByDay = new Map<string, Map<Channel, number>>();
  readonly sentByLocalHour = new Map<Channel, number[]>();
  readonly sent = new Map<Channel, number>();
  readonly deferred = new Map<string, number>();
  readonly suppressed = new Map<string, number>();
  readonly unknown = new Map<string, number>();
  /** Trigger events that entered no one, by why in plain words (judged on the journey, never on a value). */
  readonly skipped = new Map<string, number>();
  readonly invocations = new Map<string, number>();
  /** Executions that ended FAILED or TIMED_OUT, by status and reason (error names, a small set). */
  readonly failedExecutions = new Map<string, number>();
  failures = 0;

  constructor(private readonly zoneOf: (userId: string) => string | undefined) {}

  message(input: SendMessageInput, output: SendMessageOutput, at: number): void {
    const channel = input.channel;
    if (output.status !== 'sent') {
      const reasons = { deferred: this.deferred, suppressed: this.suppressed, unknown: this.unknown };
      bump(reasons[output.status], `${channel}: ${reasonKey(output.reason)}`);
      return;
    }
    this.sent.set(channel, (this.sent.get(channel) ?? 0) + 1);
    const day = new Date(at).toISOString().slice(0, 10);
    let byChannel = this.sentByDay.get(day);
    if (byChannel === undefined) {
      byChannel = new Map();
      this.sentByDay.set(day, byChannel);
    }
    byChannel.set(channel, (byChannel.get(channel) ?? 0) + 1);
    const hours = this.sentByLocalHour.get(channel) ?? Array.from({ length: 24 }, () => 0);
    const hour = localHour(at, this.zoneOf(input.userId) ?? input.defaultTimezone);
    hours[hour] = (hours[hour] ?? 0) + 1;
    this.sentByLocalHour.set(channel, hours);
  }

  /** An execution ended: one that failed or timed out is counted by its error and cause. */
  ended(status: string, error: string | undefined, cause: string | undefined): void {
    if (status !== 'FAILED' && status !== 'TIMED_OUT') return;
    const key = `${status.toLowerCase().replace('_', ' ')}: ${error ?? 'no error'}`;
    // A cause is the function's own message: kept for the first few reasons, which stay few.
    const full = `${key}: ${(cause ?? '').slice(0, 200)}`;
    bump(
      this.failedExecutions,
      this.failedExecutions.has(full) || this.failedExecutions.size < 20 ? full : key,
    );
  }

  /** A trigger event that did not enter its customer, or an event ingest refused. */
  notEntered(why: string): void {
    bump(this.skipped, why);
  }

  invoked(fn: string): void {
    bump(this.invocations, fn);
  }

  /** The counts as plain data (see Totals). */
  counts(): Pick<
    Totals,
    | 'customers'
    | 'events'
    | 'enrolled'
    | 'failures'
    | 'sent'
    | 'sentByDay'
    | 'sentByLocalHour'
    | 'deferred'
    | 'suppressed'
    | 'unknown'
    | 'skipped'
    | 'invocations'
    | 'failedExecutions'
  > {
    return {
      customers: this.customers,
      events: this.events,
      enrolled: this.enrolled,
      failures: this.failures,
      sent: [...this.sent],
      sentByDay: [...this.sentByDay].flatMap(([day, channels]) =>
        [...channels].map(([channel, n]): [string, Channel, number] => [day, channel, n]),
      ),
      sentByLocalHour: [...this.sentByLocalHour],
      deferred: [...this.deferred],
      suppressed: [...this.suppressed],
      unknown: [...this.unknown],
      skipped: [...this.skipped],
      invocations: [...this.invocations],
      failedExecutions: [...this.failedExecutions],
    };
  }
}
