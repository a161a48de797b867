import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, updateItem } from '#functions/_lib/clients/document-calls.ts';
import { now as clockNow } from '#functions/_lib/clock.ts';
import type { Channel } from '#shared/channels.ts';
import type { TokenCounts } from '#shared/delivery/push-results.ts';
import { RUNNING_AFTER_MS } from '#shared/ingest/live-journey.ts';
import { METRICS } from '#shared/metrics.ts';
import {
  counterAttribute,
  counterSetKey,
  dayAttribute,
  daySetKey,
  experimentSetKey,
  isCounterSet,
  parseExperimentAttribute,
  parseSetAttribute,
  type SetField,
  sumAttribute,
  valuedAttribute,
  versionOfItem,
} from '#shared/stats/counter-sets.ts';
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
import { isConditionFailed } from './expression.ts';
import { logger, metrics } from './observability.ts';
import { messageDigest } from './redelivery-guard.ts';
import { journeyStatsItems, SHARDS } from './stats-items.ts';
import { retentionOf, StatsRetention, type VersionRetention } from './stats-retention.ts';

/**
 * Counters per journey / version / step / variant, and per day, kept in
 * counter sets (shared/stats/counter-sets.ts): one item holds many counters,
 * so a handler call makes one write per item it adds to (an enrollment one,
 * a send two with its day). Each item is spread over SHARDS partition keys (a
 * random shard per write), because every execution of a popular journey hits
 * the same counters and one partition takes 1,000 writes per second; readers
 * sum the shards and both layouts. Counters that carry money also keep a sum.
 * (The shard count and the reading of a journey's items are in stats-items.ts,
 * which the retention of results reads too; the count is re-exported here.)
 */
export { SHARDS };

/**
 * Slots of the count guard on each counter set item: a count applied once
 * (an enrollment, a conversion, an ending, a feedback outcome) writes the
 * time and its id's digest into the slot its id hashes to, so that a retry
 * which finds the count still pending on its mark can tell whether it landed.
 * One short string per slot (about 20 bytes): under 350 bytes on an item.
 */
const GUARD_SLOTS = 16;
/** The time in a slot: epoch milliseconds in base 36, fixed width (9 digits hold every date to the year 5000). */
const TIME_WIDTH = 9;
/**
 * How much later than the mark's clock another writer's clock may read: a
 * slot written less than this before the mark may have been written after it.
 */
const CLOCK_SKEW_MS = 1000;

/** Per-day counters expire: the report's daily chart looks back at most this far. */
const DAY_RETENTION_SECONDS = 400 * 24 * 3600;

/**
 * An experiment's totals expire this long after the last count added to them: a year and a day
 * for its last enrollment to end, and a year and a day to read them (as a retired version's results).
 */
const EXPERIMENT_RETENTION_SECONDS = (2 * RUNNING_AFTER_MS) / 1000;

/**
 * `experiment`: for a variant's counter, the first version of the experiment the enrollment was
 * counted in at that split (absent when none ran); the experiment's totals add it too.
 */
export type StatKey = CounterKey & { journeyId: string; experiment?: string };

/**
 * `sum`: the values counted with the counter (money), when any; `valued`: how many of the counts
 * carried one, absent when not known (part of the sum was written before that number was kept).
 */
export type Totals = { count: number; sum?: number; valued?: number };
export type StatRow = StatKey & Totals;
export type DayRow = DayKey & Totals;

type Journey = { journeyId: string; version: string };

/**
 * The variant of each split step, assigned at entry (kept on the enrollment item), with the first
 * version of the experiment it was counted in when one ran there.
 */
type Variants = readonly { stepId: string; variant: string; experiment?: string }[];

/** `start`: the step the enrollment began at (its version's start), absent when not known. */
export type EnrollmentStart = Journey & { variants: Variants; start?: string };
/** A step of a journey's version. */
export type StepKey = Journey & { stepId: string };

export type SendRecord = Journey & {
  stepId: string;
  channel: Channel;
  status: 'sent' | 'suppressed' | 'deferred' | 'failed' | 'unknown';
  reason?: string;
  at: Date;
  /** What the push's token results add (counted with the message, under its guard). */
  tokens?: TokenCounts;
  /**
   * The enrollment's variant of the split the step counts by (`variantSplitOf`): sent, failed and
   * deferred (by reason) are counted for it too, in the step's item. Absent: no split before the
   * step, or a send compiled before variants were passed.
   */
  variant?: string;
};

/** The send outcomes counted per variant as well as per step: a marketer compares variants on these. */
const PER_VARIANT: ReadonlySet<SendRecord['status']> = new Set(['sent', 'failed', 'deferred']);

export type ConversionRecord = Journey & {
  at: Date;
  /** The goal event's money value, when the goal names one. */
  value?: number;
  variants?: Variants;
  /** The last message step the enrollment was sent. */
  lastStep?: string;
};

export type OutcomeRecord = Journey & { outcome: Outcome; variants?: Variants };

/**
 * Told of each count this repository wrote (not of one an earlier attempt had
 * written): the handlers publish them as metrics, so that a figure counted
 * once in the stats is counted once in CloudWatch, whichever delivery or
 * retry wrote it.
 */
export type StatsObserver = {
  conversion(journeyId: string, value?: number): void;
  outcome(journeyId: string, outcome: Outcome): void;
  enrollment(journeyId: string): void;
  /** An event a waiting step received (it resumed the step). */
  received(journeyId: string): void;
};

export type StatsOptions = { random?: () => number; observer?: StatsObserver; now?: () => Date };

/**
 * A count applied once per `id` (an enrollment's entry, conversion or
 * ending; a message's feedback outcome). The caller's conditional mark
 * records the count as pending at `pendingAt` (epoch milliseconds) and
 * clears it once the count is written. `retry`: a later attempt found the
 * mark still pending — the earlier one may have written the count before it
 * stopped, and the count guard tells.
 */
export type CountOnce = { id: string; pendingAt: number; retry: boolean };

/**
 * `applied`: this call wrote the count; `held`: an earlier attempt had;
 * `unsettled`: the guard cannot tell any more (its slot was written again
 * since the mark), so the count was left out and logged, with the
 * CountsUnsettled metric, rather than risk counting it twice.
 */
export type CountResult = 'applied' | 'held' | 'unsettled';

/**
 * Counting only: whether something is counted once is decided by the
 * callers' conditional writes on the enrollment item (functions/_lib/enrollment-items.ts),
 * which also carries what attribution needs (variants, last message step).
 */
export class StatsRepository {
  private readonly random: () => number;
  private readonly observer?: StatsObserver;
  private readonly now: () => Date;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    options: StatsOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.observer = options.observer;
    this.now = options.now ?? clockNow;
  }

  /** Counts an enrollment and its variants (called once, after the conditional write that starts it). */
  async recordEnrollment(start: EnrollmentStart, once?: CountOnce): Promise<CountResult> {
    const { journeyId, version, variants } = start;
    const adds = new CounterAdds(variants[0]?.stepId, this.now);
    // The entry names the step it began at (keys.ts): one attribute more on the same item, no write more.
    adds.counter({
      version,
      metric: 'enrolled',
      ...(start.start === undefined ? {} : { reason: start.start }),
    });
    for (const { stepId, variant, experiment } of variants)
      adds.counter({ version, stepId, variant, metric: 'assigned' }, 1, undefined, experiment);
    const result = await this.write(journeyId, adds, once);
    if (result === 'applied') this.observer?.enrollment(journeyId);
    return result;
  }

  /** Counts the event a waiting step received, once per registration of the step (`once`). */
  async recordReceived(step: StepKey, once: CountOnce): Promise<CountResult> {
    const { journeyId, version, stepId } = step;
    const result = await this.increment(
      { journeyId, version, stepId, metric: 'eventReceived' },
      1,
      undefined,
      once,
    );
    if (result === 'applied') this.observer?.received(journeyId);
    return result;
  }

  /**
   * Counts one settled send attempt of a message step (the caller settles each attempt once, and
   * passes `once`: the mark its delivery record keeps until the count is written).
   */
  async recordSend(send: SendRecord, once?: CountOnce): Promise<CountResult> {
    const { journeyId, version, stepId, status } = send;
    const reason =
      status === 'suppressed' || status === 'deferred' ? reasonCode(status, send.reason) : undefined;
    const adds = new CounterAdds(undefined, this.now);
    const outcome = { version, stepId, metric: status, ...(reason === undefined ? {} : { reason }) };
    adds.counter(outcome);
    // Same step item, same write: a variant's counters add no call.
    if (send.variant !== undefined && PER_VARIANT.has(status))
      adds.counter({ ...outcome, variant: send.variant });
    if (status === 'sent') adds.day({ day: dayOf(send.at), metric: 'sent', channel: send.channel }, send.at);
    const { unregistered = 0, invalidToken = 0, replaced = 0 } = send.tokens ?? {};
    if (unregistered > 0)
      adds.counter({ version, stepId, metric: 'pushTokenRemoved', reason: 'unregistered' }, unregistered);
    if (invalidToken > 0)
      adds.counter({ version, stepId, metric: 'pushTokenRemoved', reason: 'invalidToken' }, invalidToken);
    if (replaced > 0) adds.counter({ version, stepId, metric: 'pushTokenReplaced' }, replaced);
    return this.write(journeyId, adds, once);
  }

  /**
   * Counts a conversion (called once per enrollment, after the conditional
   * mark on its item): for the journey, for each variant the enrollment was
   * assigned and for the last message step it was sent, with the goal's value as revenue.
   */
  async recordConversion(conversion: ConversionRecord, once?: CountOnce): Promise<CountResult> {
    const { journeyId, version, value, at } = conversion;
    const variants = conversion.variants ?? [];
    const adds = new CounterAdds(variants[0]?.stepId, this.now);
    adds.counter({ version, metric: 'converted' }, 1, value);
    adds.day({ day: dayOf(at), metric: 'converted' }, at, value);
    for (const { stepId, variant, experiment } of variants)
      adds.counter({ version, stepId, variant, metric: 'converted' }, 1, value, experiment);
    if (conversion.lastStep !== undefined)
      adds.counter({ version, stepId: conversion.lastStep, metric: 'converted' }, 1, value);
    const result = await this.write(journeyId, adds, once);
    if (result === 'applied') this.observer?.conversion(journeyId, value);
    return result;
  }

  /** Counts how an enrollment ended (called once per enrollment, when its item ends), for the journey and per variant. */
  async recordOutcome(ending: OutcomeRecord, once?: CountOnce): Promise<CountResult> {
    const { journeyId, version } = ending;
    const metric = outcomeMetric(ending.outcome);
    const variants = ending.variants ?? [];
    const adds = new CounterAdds(variants[0]?.stepId, this.now);
    adds.counter({ version, metric });
    for (const { stepId, variant } of variants) adds.counter({ version, stepId, variant, metric });
    const result = await this.write(journeyId, adds, once);
    if (result === 'applied') this.observer?.outcome(journeyId, ending.outcome);
    return result;
  }

  /** Adds to one counter (not idempotent: callers count only after a conditional write that is, or pass `once`). */
  async increment(key: StatKey, by = 1, sum?: number, once?: CountOnce): Promise<CountResult> {
    const adds = new CounterAdds(undefined, this.now);
    const { journeyId, experiment, ...counter } = key;
    adds.counter(counter, by, sum, experiment);
    return this.write(journeyId, adds, once);
  }

  /** Adds to several counters of a journey in one write per item (a step's counters share one). */
  async incrementAll(journeyId: string, keys: readonly CounterKey[], by = 1, sum?: number): Promise<void> {
    const adds = new CounterAdds(undefined, this.now);
    for (const key of keys) adds.counter(key, by, sum);
    await this.write(journeyId, adds);
  }

  /** Adds to a per-day counter of a journey. */
  async incrementDay(journeyId: string, key: DayKey, at: Date, sum?: number): Promise<void> {
    const adds = new CounterAdds(undefined, this.now);
    adds.day(key, at, sum);
    await this.write(journeyId, adds);
  }

  /**
   * One UpdateItem per counter set, each on a shard of its own drawing: every
   * attribute added in one expression. A count applied `once` goes to the
   * shard its id hashes to, and writes its digest and time into its guard
   * slot there; retried, it is written only where the slot shows it was not.
   */
  private async write(journeyId: string, adds: CounterAdds, once?: CountOnce): Promise<CountResult> {
    const digest = once === undefined ? undefined : messageDigest(once.id);
    let applied = false;
    let missing = false;
    for (const [sk, set] of adds.sets()) {
      const shard = digest === undefined ? Math.floor(this.random() * SHARDS) : digest % SHARDS;
      const key = { pk: `${journeyId}#${shard}`, sk };
      const guard = once === undefined || digest === undefined ? undefined : { once, digest };
      const outcome = await this.writeSet(journeyId, key, set, guard);
      if (outcome === 'applied') applied = true;
      if (outcome === 'unsettled') missing = true;
    }
    return missing ? 'unsettled' : applied || adds.sets().size === 0 ? 'applied' : 'held';
  }

  /**
   * One counter set's write. A version's counter item that is not there is
   * created only as its version's retention says (`stats-retention.ts`): a
   * late count for a retired version carries the expiry of its results, or
   * is dropped once they expired, so that no counter item lives forever.
   */
  private async writeSet(
    journeyId: string,
    key: { pk: string; sk: string },
    set: CounterSet,
    guard: { once: CountOnce; digest: number } | undefined,
    create?: VersionRetention,
  ): Promise<CountResult | 'dropped'> {
    const version = set.expiresAt === undefined && create === undefined ? versionOfItem(key.sk) : undefined;
    const update = counterUpdate(set, guard, this.now().getTime(), {
      requireItem: version !== undefined,
      expiresAt: typeof create === 'number' ? create : undefined,
    });
    try {
      await updateItem(this.db, { TableName: this.table, Key: key, ...update });
      return 'applied';
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      if (version !== undefined && !(await this.exists(key))) {
        const retention = await this.retention(journeyId, version);
        if (retention !== 'expired') return this.writeSet(journeyId, key, set, guard, retention);
        logger.warn('a count for a retired version whose results expired is dropped', {
          journeyId,
          version,
          counterSet: key.sk,
        });
        return 'dropped';
      }
      if (guard === undefined) throw error;
      if (guard.once.retry !== true || (await this.slotHolds(key, guard.digest))) return 'held';
      unsettled(journeyId, key.sk, guard.once);
      return 'unsettled';
    }
  }

  private async exists(key: { pk: string; sk: string }): Promise<boolean> {
    const out = await getItem(this.db, { TableName: this.table, Key: key, ConsistentRead: true });
    return out.Item !== undefined;
  }

  /** Whether a version's counters are live, retired with an expiry, or expired (the journey's retirement note). */
  private async retention(journeyId: string, version: string): Promise<VersionRetention> {
    const retired = await new StatsRetention(this.db, this.table).retired(journeyId);
    return retentionOf(retired, version, Math.floor(this.now().getTime() / 1000));
  }

  /** True when the count guard of a counter set item holds a count's digest in its slot. */
  private async slotHolds(key: { pk: string; sk: string }, digest: number): Promise<boolean> {
    const out = await getItem(this.db, { TableName: this.table, Key: key, ConsistentRead: true });
    const slot = out.Item?.[guardSlot(digest)];
    return typeof slot === 'string' && slot.slice(TIME_WIDTH) === digestText(digest);
  }

  /**
   * The entrants and conversions of each variant of one experiment, shards
   * summed: its own item's shards, whatever else the journey counts.
   */
  async experimentTotals(
    journeyId: string,
    stepId: string,
    fromVersion: string,
  ): Promise<Map<string, { assigned: number; converted: number }>> {
    const sk = experimentSetKey(stepId, fromVersion);
    const items = await Promise.all(
      Array.from({ length: SHARDS }, (_, shard) =>
        getItem(this.db, { TableName: this.table, Key: { pk: `${journeyId}#${shard}`, sk } }),
      ),
    );
    // Variant names are data: a Map, never an object's keys.
    const totals = new Map<string, { assigned: number; converted: number }>();
    for (const { Item } of items) {
      for (const [name, value] of Object.entries(Item ?? {})) {
        const entry = parseExperimentAttribute(name);
        if (entry === undefined || typeof value !== 'number') continue;
        if (entry.metric !== 'assigned' && entry.metric !== 'converted') continue;
        const total = totals.get(entry.variant) ?? { assigned: 0, converted: 0 };
        total[entry.metric] += value;
        totals.set(entry.variant, total);
      }
    }
    return totals;
  }

  /** Every counter of a journey, shards summed. */
  async funnel(journeyId: string): Promise<StatRow[]> {
    return (await this.read(journeyId)).counters;
  }

  /**
   * Every counter and per-day counter of a journey, shards summed, from the
   * counter sets and from the items of the first layout (one per counter)
   * that tables written before keep.
   */
  async read(journeyId: string): Promise<{ counters: StatRow[]; days: DayRow[] }> {
    // By each counter's first-layout sort key, so both layouts sum into one row.
    const totals = new Map<string, Totals & { prior?: true }>();
    const add = (sk: string, field: SetField, stored: unknown) => {
      // A sum past 2^53 that DynamoDB added exactly (1e20 + 7) reads back as a BigInt: the nearest number.
      const value = typeof stored === 'bigint' ? Number(stored) : stored;
      if (typeof value !== 'number') return;
      const total = totals.get(sk) ?? { count: 0 };
      if (field === 'count') total.count += value;
      else if (field === 'valued') total.valued = (total.valued ?? 0) + value;
      else total.sum = (total.sum ?? 0) + value;
      // A sum from before the number of values was kept: how many it adds up is not known.
      if (field === 'priorSum') total.prior = true;
      totals.set(sk, total);
    };
    for await (const { item } of journeyStatsItems(this.db, this.table, journeyId)) {
      const sk = item.sk;
      if (typeof sk !== 'string') continue;
      if (!isCounterSet(sk)) {
        add(sk, 'count', item.count);
        add(sk, 'priorSum', item.sum);
        continue;
      }
      // Attribute names are data (step ids, variant names): read as entries, never looked up on an object.
      for (const [name, value] of Object.entries(item)) {
        const entry = parseSetAttribute(sk, name);
        if (entry === undefined) continue;
        add(entry.kind === 'day' ? daySortKey(entry.key) : counterSortKey(entry.key), entry.field, value);
      }
    }
    const counters: StatRow[] = [];
    const days: DayRow[] = [];
    // In sort key order: the same rows in the same order whatever the shards and layouts.
    for (const sk of [...totals.keys()].sort()) {
      const known = totals.get(sk);
      const parsed = parseSortKey(sk);
      if (known === undefined || parsed === undefined) continue;
      const { prior, valued, ...counted } = known;
      const total: Totals =
        counted.sum === undefined || prior ? counted : { ...counted, valued: valued ?? 0 };
      if (parsed.kind === 'counter') counters.push({ journeyId, ...parsed.key, ...total });
      if (parsed.kind === 'day') days.push({ ...parsed.key, ...total });
    }
    return { counters, days };
  }
}

/**
 * The UpdateItem of one counter set: its additions, its expiry, the count
 * guard's slot and condition; `requireItem`: only onto an item that is there.
 */
function counterUpdate(
  set: CounterSet,
  guard: { once: CountOnce; digest: number } | undefined,
  nowMs: number,
  options: { requireItem: boolean; expiresAt?: number },
) {
  const names: Record<string, string> = {};
  const values: Record<string, number | string> = {};
  const actions: string[] = [];
  // Placeholders only: counter names hold step ids and variant names, which are data.
  for (const [name, by] of set.adds) {
    const i = actions.length;
    names[`#a${i}`] = name;
    values[`:a${i}`] = by;
    actions.push(`#a${i} :a${i}`);
  }
  const sets: string[] = [];
  const expiresAt = set.expiresAt ?? options.expiresAt;
  if (expiresAt !== undefined) {
    sets.push('expiresAt = :exp');
    values[':exp'] = expiresAt;
  }
  const conditions: string[] = options.requireItem ? ['attribute_exists(sk)'] : [];
  if (guard !== undefined) {
    // The slot holds the time, then the digest: written by this count it contains its digest
    // (until another count takes the slot); compared as text, the time orders it.
    names['#g'] = guardSlot(guard.digest);
    values[':g'] = `${timeText(nowMs)}${digestText(guard.digest)}`;
    values[':d'] = digestText(guard.digest);
    sets.push('#g = :g');
    // Conditional on the first attempt too: a retry running beside it (a redelivery) counts it once.
    let condition = 'attribute_not_exists(#g) OR NOT contains(#g, :d)';
    if (guard.once.retry) {
      // An empty slot, or one last written before the mark, shows the count never landed.
      values[':since'] = timeText(guard.once.pendingAt - CLOCK_SKEW_MS);
      condition = 'attribute_not_exists(#g) OR (NOT contains(#g, :d) AND #g < :since)';
    }
    conditions.push(`(${condition})`);
  }
  return {
    UpdateExpression: `ADD ${actions.join(', ')}${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
    ...(conditions.length === 0 ? {} : { ConditionExpression: conditions.join(' AND ') }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** A count's guard slot: no `#` in its name, so never read as a counter (counter-sets.ts). */
function guardSlot(digest: number): string {
  return `g${Math.floor(digest / SHARDS) % GUARD_SLOTS}`;
}

function timeText(ms: number): string {
  return Math.max(0, ms).toString(36).padStart(TIME_WIDTH, '0');
}

function digestText(digest: number): string {
  return digest.toString(36);
}

/**
 * A pending count whose guard slot was written again since its mark: it may
 * or may not have landed. Left out (never counted twice), and accounted for:
 * a log line with its id and the CountsUnsettled metric, per journey.
 */
function unsettled(journeyId: string, sk: string, once: CountOnce | undefined): void {
  const single = metrics.singleMetric();
  single.addDimensions({ journey: journeyId });
  single.addMetric(METRICS.countsUnsettled, MetricUnit.Count, 1);
  logger.error(
    'a pending count may be missing from the results: its retry could not tell whether it landed',
    {
      journeyId,
      counterSet: sk,
      count: once?.id,
      pendingAt: once === undefined ? undefined : new Date(once.pendingAt).toISOString(),
    },
  );
}

type CounterSet = { adds: Map<string, number>; expiresAt?: number };

/**
 * The counters one handler call adds to, gathered by the counter set that
 * keeps each (counter-sets.ts), so that each set takes one write. `split`:
 * the split step whose variants the call's version item holds.
 */
class CounterAdds {
  private readonly items = new Map<string, CounterSet>();

  constructor(
    private readonly split: string | undefined,
    private readonly now: () => Date = clockNow,
  ) {}

  /** `experiment`: a variant counter's experiment (its first version), whose totals add it too. */
  counter(key: CounterKey, by = 1, sum?: number, experiment?: string): void {
    const attribute = counterAttribute(key);
    this.add(counterSetKey(key, this.split), attribute, by, sum);
    if (experiment === undefined || key.stepId === undefined || key.variant === undefined) return;
    const at = Math.floor(this.now().getTime() / 1000);
    this.add(experimentSetKey(key.stepId, experiment), attribute, by, sum).expiresAt =
      at + EXPERIMENT_RETENTION_SECONDS;
  }

  day(key: DayKey, at: Date, sum?: number): void {
    this.add(daySetKey(key.day), dayAttribute(key), 1, sum).expiresAt =
      Math.floor(at.getTime() / 1000) + DAY_RETENTION_SECONDS;
  }

  sets(): ReadonlyMap<string, CounterSet> {
    return this.items;
  }

  private add(sk: string, attribute: string, by: number, sum: number | undefined): CounterSet {
    const set = this.items.get(sk) ?? { adds: new Map<string, number>() };
    this.items.set(sk, set);
    // One action per attribute: DynamoDB refuses an expression that names an attribute twice.
    set.adds.set(attribute, (set.adds.get(attribute) ?? 0) + by);
    if (sum !== undefined) {
      // The sum and how many counts carried a value, in the same write: an average is over these.
      const name = sumAttribute(attribute);
      set.adds.set(name, (set.adds.get(name) ?? 0) + sum);
      const valued = valuedAttribute(attribute);
      set.adds.set(valued, (set.adds.get(valued) ?? 0) + by);
    }
    return set;
  }
}
