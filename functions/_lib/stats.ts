import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryItems, updateItem } from '#functions/_lib/clients/document-calls.ts';
import {
  type CounterKey,
  counterSortKey,
  type DayKey,
  dayOf,
  daySortKey,
  type Outcome,
  outcomeMetric,
  parseSortKey,
} from '#shared/stats/keys.ts';
import { reasonCode } from '#shared/stats/reasons.ts';

/**
 * Counters per journey / version / step / variant, and per day. Each counter
 * is spread over SHARDS partition keys (a random shard per increment),
 * because every execution of a popular journey hits the same counters and one
 * partition takes 1,000 writes per second; readers sum the shards. Counters
 * that carry money also keep a `sum`.
 */
const SHARDS = 8;

/** Per-day counters expire: the report's daily chart looks back at most this far. */
const DAY_RETENTION_SECONDS = 400 * 24 * 3600;

export type StatKey = CounterKey & { journeyId: string };

export type StatRow = StatKey & { count: number; sum?: number };
export type DayRow = DayKey & { count: number; sum?: number };

type Journey = { journeyId: string; version: string };

/** The variant of each split step, assigned at entry (kept on the enrollment item). */
type Variants = readonly { stepId: string; variant: string }[];

export type EnrollmentStart = Journey & { variants: Variants };

export type SendRecord = Journey & {
  stepId: string;
  channel: 'email' | 'sms' | 'push';
  status: 'sent' | 'suppressed' | 'deferred' | 'failed' | 'unknown';
  reason?: string;
  at: Date;
};

export type ConversionRecord = Journey & {
  at: Date;
  /** The goal event's money value, when the goal names one. */
  value?: number;
  variants?: Variants;
  /** The last message step the enrollment was sent. */
  lastStep?: string;
};

export type OutcomeRecord = Journey & { outcome: Outcome; variants?: Variants };

/** Told of each counted conversion and ending (the handlers publish them as metrics per journey). */
export type StatsObserver = {
  conversion(journeyId: string, value?: number): void;
  outcome(journeyId: string, outcome: Outcome): void;
};

export type StatsOptions = { random?: () => number; observer?: StatsObserver };

/**
 * Counting only: whether something is counted once is decided by the
 * callers' conditional writes on the enrollment item (functions/_lib/enrollment-items.ts),
 * which also carries what attribution needs (variants, last message step).
 */
export class StatsRepository {
  private readonly random: () => number;
  private readonly observer?: StatsObserver;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    options: StatsOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.observer = options.observer;
  }

  /** Counts an enrollment and its variants (called once, after the conditional write that starts it). */
  async recordEnrollment(start: EnrollmentStart): Promise<void> {
    const { journeyId, version, variants } = start;
    await this.increment({ journeyId, version, metric: 'enrolled' });
    for (const { stepId, variant } of variants)
      await this.increment({ journeyId, version, stepId, variant, metric: 'assigned' });
  }

  /** Counts one settled send attempt of a message step (the caller settles each attempt once). */
  async recordSend(send: SendRecord): Promise<void> {
    const { journeyId, version, stepId, status } = send;
    const reason =
      status === 'suppressed' || status === 'deferred' ? reasonCode(status, send.reason) : undefined;
    await this.increment({
      journeyId,
      version,
      stepId,
      metric: status,
      ...(reason === undefined ? {} : { reason }),
    });
    if (status !== 'sent') return;
    await this.incrementDay(
      journeyId,
      { day: dayOf(send.at), metric: 'sent', channel: send.channel },
      send.at,
    );
  }

  /**
   * Counts a conversion (called once per enrollment, after the conditional
   * mark on its item): for the journey, for each variant the enrollment was
   * assigned and for the last message step it was sent, with the goal's value as revenue.
   */
  async recordConversion(conversion: ConversionRecord): Promise<void> {
    const { journeyId, version, value, at } = conversion;
    await this.increment({ journeyId, version, metric: 'converted' }, 1, value);
    this.observer?.conversion(journeyId, value);
    await this.incrementDay(journeyId, { day: dayOf(at), metric: 'converted' }, at, value);
    for (const { stepId, variant } of conversion.variants ?? [])
      await this.increment({ journeyId, version, stepId, variant, metric: 'converted' }, 1, value);
    if (conversion.lastStep !== undefined)
      await this.increment(
        { journeyId, version, stepId: conversion.lastStep, metric: 'converted' },
        1,
        value,
      );
  }

  /** Counts how an enrollment ended (called once per enrollment, when its item ends), for the journey and per variant. */
  async recordOutcome(ending: OutcomeRecord): Promise<void> {
    const { journeyId, version } = ending;
    const metric = outcomeMetric(ending.outcome);
    await this.increment({ journeyId, version, metric });
    this.observer?.outcome(journeyId, ending.outcome);
    for (const { stepId, variant } of ending.variants ?? [])
      await this.increment({ journeyId, version, stepId, variant, metric });
  }

  /** Adds to a counter (not idempotent: callers count only after a conditional write that is). */
  async increment(key: StatKey, by = 1, sum?: number): Promise<void> {
    await this.add(key.journeyId, counterSortKey(key), by, sum);
  }

  /** Adds to a per-day counter of a journey. */
  async incrementDay(journeyId: string, key: DayKey, at: Date, sum?: number): Promise<void> {
    const expiresAt = Math.floor(at.getTime() / 1000) + DAY_RETENTION_SECONDS;
    await this.add(journeyId, daySortKey(key), 1, sum, expiresAt);
  }

  private async add(journeyId: string, sk: string, by: number, sum?: number, expiresAt?: number) {
    const shard = Math.floor(this.random() * SHARDS);
    const values: Record<string, number> = { ':by': by };
    let expression = 'ADD #count :by';
    if (sum !== undefined) {
      expression += ', #sum :sum';
      values[':sum'] = sum;
    }
    if (expiresAt !== undefined) {
      expression += ' SET expiresAt = :exp';
      values[':exp'] = expiresAt;
    }
    await updateItem(this.db, {
      TableName: this.table,
      Key: { pk: `${journeyId}#${shard}`, sk },
      UpdateExpression: expression,
      ExpressionAttributeNames: { '#count': 'count', ...(sum === undefined ? {} : { '#sum': 'sum' }) },
      ExpressionAttributeValues: values,
    });
  }

  /** Every counter of a journey, shards summed. */
  async funnel(journeyId: string): Promise<StatRow[]> {
    return (await this.read(journeyId)).counters;
  }

  /** Every counter and per-day counter of a journey, shards summed. */
  async read(journeyId: string): Promise<{ counters: StatRow[]; days: DayRow[] }> {
    const totals = new Map<string, { count: number; sum?: number }>();
    for (let shard = 0; shard < SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await queryItems(this.db, {
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${journeyId}#${shard}` },
          ExclusiveStartKey: start,
        });
        for (const item of page.Items ?? []) {
          if (typeof item.sk !== 'string') continue;
          const total = totals.get(item.sk) ?? { count: 0 };
          total.count += typeof item.count === 'number' ? item.count : 0;
          if (typeof item.sum === 'number') total.sum = (total.sum ?? 0) + item.sum;
          totals.set(item.sk, total);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
    const counters: StatRow[] = [];
    const days: DayRow[] = [];
    for (const [sk, total] of totals) {
      const parsed = parseSortKey(sk);
      if (parsed?.kind === 'counter') counters.push({ journeyId, ...parsed.key, ...total });
      if (parsed?.kind === 'day') days.push({ ...parsed.key, ...total });
    }
    return { counters, days };
  }
}
