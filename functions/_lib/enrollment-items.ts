import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  deleteItem,
  getItem,
  putItem,
  queryItems,
  updateItem,
} from '#functions/_lib/clients/document-calls.ts';
import { ActiveEnrollment, ReentryRecord, triggerValuesFor, type Waiter } from '#shared/profile/state.ts';
import { enrollmentKeys } from '#shared/tables.ts';
import { now } from './clock.ts';
import { type Waiting, waiterOf, waitingOf } from './enrollment-waiting.ts';
import { EntryLimitRecords } from './entry-limits.ts';
import { isConditionFailed, refusedItem, UpdateBuilder } from './expression.ts';
import { OutcomeWaiters } from './outcome-waiters.ts';
import type { LegacyRecords } from './profile-migration.ts';

/**
 * The enrollments table: one item per enrollment, waiting step and re-entry
 * record of a customer (keys in shared/tables.ts). Each has a TTL as a
 * backstop; the handlers remove them when their life ends.
 */

/** The longest a Standard execution runs (one year), plus a day: an enrollment item never outlives its execution by more. */
const ENROLLMENT_LIFETIME_SECONDS = 366 * 24 * 3600;
/**
 * How long a once-per-value re-entry record is kept: one item per value a
 * customer ever had (every cart) would grow with their history, and the
 * enrollment it admitted has ended within a year. Once per customer is kept for good.
 */
const CORRELATED_ONCE_SECONDS = ENROLLMENT_LIFETIME_SECONDS;
/** A waiter is removed when it resumes or its execution ends; the TTL only catches what was missed. */
const WAITER_GRACE_SECONDS = 7 * 24 * 3600;

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * On an enrollment item: a count marked but not yet known written, with the
 * time of its mark (epoch ms). The count's write is guarded (StatsRepository,
 * `CountOnce`), so a retry that finds one writes it unless it landed.
 */
const PENDING = {
  enrolled: 'enrolledPending',
  converted: 'convertedPending',
  ended: 'endedPending',
} as const;
export type PendingKind = keyof typeof PENDING;
const PENDING_KINDS = Object.keys(PENDING) as PendingKind[];

/**
 * How long an item holding a pending count is kept after its mark, at least:
 * the TTL must not remove the mark a retry would find, whether EventBridge
 * retries (six hours at most) or someone replays the event from the
 * dead-letter queue. Past it, the count is lost with its item (docs/counts.md).
 */
const PENDING_GRACE_SECONDS = 7 * 24 * 3600;

/**
 * The TTL of an enrollment item a count is marked on at `atMs`: never
 * earlier than it had (a running item keeps its lifetime, an ended one its
 * goal window), and a week past the mark.
 */
function keptWhilePending(enrollment: ActiveEnrollment, atMs: number): number {
  const { enrolledAt, endedAt, goalUntil } = enrollment;
  return Math.max(
    Math.floor(atMs / 1000) + PENDING_GRACE_SECONDS,
    endedAt === undefined ? epochSeconds(enrolledAt) + ENROLLMENT_LIFETIME_SECONDS : 0,
    goalUntil === undefined ? 0 : epochSeconds(goalUntil) + 1,
  );
}

/** The expression attribute names an expression uses. */
function pick(names: Record<string, string>, expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(names).filter(([name]) => expression.includes(name)));
}
/** A count a call owes: marked at `pendingAt`; `retry` when an earlier attempt may have written it. */
export type OwedCount = { pendingAt: number; retry: boolean };

/** The id a count of an enrollment is guarded by (one per enrollment and kind). */
export function countId(enrollmentId: string, kind: PendingKind): string {
  return `${enrollmentId}#${kind}`;
}
/** How long an ended item waits for the settle that removes it, when it had no goal window to wait for. */
const ENDED_GRACE_SECONDS = 7 * 24 * 3600;

export type ReentryPolicy =
  /** `correlated`: once per correlation value (a cart, an order), which is kept a year rather than for good. */
  | { mode: 'once'; correlated?: boolean }
  | { mode: 'always' }
  | { mode: 'after'; notBefore: string; until: string };

export type EntryResult = { status: 'entered' } | { status: 'again'; at: string } | { status: 'refused' };

/** The write of a waiter's registration: its fields, its timeout and its TTL. */
function waiterWrite(waiter: Waiter): UpdateBuilder {
  const { expiresAt, ...rest } = waiter;
  const b = new UpdateBuilder();
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) b.set(name, value);
  b.set('timeoutAt', expiresAt);
  b.set('expiresAt', epochSeconds(expiresAt) + WAITER_GRACE_SECONDS);
  return b;
}

export class EnrollmentItems {
  /** The entry-limit records, kept in the same table. */
  readonly limits: EntryLimitRecords;
  /** The message steps waiting for their outcome, kept in the same table. */
  readonly outcomes: OutcomeWaiters;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    this.limits = new EntryLimitRecords(db, table);
    this.outcomes = new OutcomeWaiters(db, table);
  }

  /**
   * Writes the re-entry record when the policy allows a new entry: `once`
   * only if there is none, `after` only if the previous one is no later than
   * `notBefore` (one cooldown ago). A redelivery of the same enrollment is reported as `again`
   * with the first attempt's time, so the execution input stays identical.
   */
  async claimEntry(
    userId: string,
    key: string,
    record: ReentryRecord,
    policy: ReentryPolicy,
  ): Promise<EntryResult> {
    const expiresAt =
      policy.mode === 'after'
        ? { expiresAt: epochSeconds(policy.until) }
        : policy.mode === 'always'
          ? { expiresAt: epochSeconds(record.at) + 86400 }
          : policy.correlated === true
            ? { expiresAt: epochSeconds(record.at) + CORRELATED_ONCE_SECONDS }
            : {};
    const item = { userId, sk: enrollmentKeys.reentry(key), ...record, ...expiresAt };
    // A redelivery of the same enrollment fails the condition too, and is told apart below.
    const names: Record<string, string> = { '#sk': 'sk' };
    const values: Record<string, unknown> = {};
    let condition = 'attribute_not_exists(#sk)';
    if (policy.mode !== 'once') {
      names['#id'] = 'enrollmentId';
      values[':id'] = record.enrollmentId;
    }
    if (policy.mode === 'always') condition += ' OR #id <> :id';
    if (policy.mode === 'after') {
      names['#at'] = 'at';
      values[':notBefore'] = policy.notBefore;
      // An entry exactly one cooldown ago no longer holds the next one back, as the plan judged.
      condition += ' OR (#at <= :notBefore AND #id <> :id)';
    }
    let previous: Record<string, unknown> | undefined;
    try {
      await putItem(this.db, {
        TableName: this.table,
        Item: item,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        // The record that refused it tells a redelivery from another entry, without a read.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { status: 'entered' };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      previous = refusedItem(error);
    }
    previous ??= (
      await getItem(this.db, { TableName: this.table, Key: { userId, sk: item.sk }, ConsistentRead: true })
    ).Item;
    const same = previous?.enrollmentId === record.enrollmentId && typeof previous?.at === 'string';
    return same ? { status: 'again', at: String(previous?.at) } : { status: 'refused' };
  }

  /** The re-entry record of a customer for a re-entry key, if there is one. */
  async reentryRecord(userId: string, key: string): Promise<ReentryRecord | undefined> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { userId, sk: enrollmentKeys.reentry(key) },
      ConsistentRead: true,
    });
    const parsed = ReentryRecord.safeParse(out.Item);
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * The first re-entry records (sort order, at most two) a customer key holds for a journey, any
   * correlation: whether the customer entered it under this key while the records last.
   */
  async entryRecords(userId: string, journeyId: string): Promise<ReentryRecord[]> {
    const prefix = enrollmentKeys.reentry(journeyId);
    const out = await queryItems(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'userId = :u AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':u': userId, ':p': prefix },
      ConsistentRead: true,
      Limit: 2,
    });
    return (out.Items ?? []).flatMap((item) => {
      // `r#<journey>` or `r#<journey>#<correlation>`: another journey's id may start the same.
      const sk = String(item.sk);
      if (sk !== prefix && !sk.startsWith(`${prefix}#`)) return [];
      const parsed = ReentryRecord.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Records a running enrollment once; true when this call wrote it (a redelivery finds it there). */
  async putEnrollment(userId: string, enrollment: ActiveEnrollment): Promise<boolean> {
    return putItem(this.db, {
      TableName: this.table,
      Item: {
        userId,
        sk: enrollmentKeys.enrollment(enrollment.enrollmentId),
        ...enrollment,
        expiresAt: epochSeconds(enrollment.enrolledAt) + ENROLLMENT_LIFETIME_SECONDS,
      },
      // A redelivered event must not undo a conversion or an end already recorded.
      ConditionExpression: 'attribute_not_exists(sk)',
    })
      .then(() => true)
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
        return false;
      });
  }

  /** The enrollments of a customer still running, or ended with a goal window still open. */
  async enrollments(userId: string): Promise<ActiveEnrollment[]> {
    const items = await this.query(userId, enrollmentKeys.enrollmentPrefix);
    return items.flatMap((item) => {
      const parsed = ActiveEnrollment.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async enrollment(userId: string, enrollmentId: string): Promise<ActiveEnrollment | undefined> {
    const parsed = ActiveEnrollment.safeParse(await this.getEnrollmentItem(userId, enrollmentId));
    return parsed.success ? parsed.data : undefined;
  }

  private async getEnrollmentItem(userId: string, enrollmentId: string) {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { userId, sk: enrollmentKeys.enrollment(enrollmentId) },
      ConsistentRead: true,
    });
    return out.Item;
  }

  /**
   * Marks an enrollment counted in the funnel, once, and its count pending
   * until `settleCount`: the count this call owes (`retry` when an earlier
   * attempt marked it and stopped before settling), or undefined when there
   * is none (counted already, or the enrollment is gone). StartExecution
   * answers a repeated start with the same name and input as if it were the
   * first, so the start cannot tell.
   */
  async markCounted(userId: string, enrollmentId: string): Promise<OwedCount | undefined> {
    const at = now().getTime();
    const kept = Math.floor(at / 1000) + PENDING_GRACE_SECONDS;
    const key = { userId, sk: enrollmentKeys.enrollment(enrollmentId) };
    const names = { '#counted': 'counted', '#pending': PENDING.enrolled, '#expiresAt': 'expiresAt' };
    let seen: Record<string, unknown> | undefined;
    try {
      // A running item outlives the week by far: its TTL stays, and the mark costs one write.
      await updateItem(this.db, {
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET #counted = :yes, #pending = :at',
        ConditionExpression:
          'attribute_exists(sk) AND attribute_not_exists(#counted) AND (attribute_not_exists(#expiresAt) OR #expiresAt >= :kept)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':yes': true, ':at': at, ':kept': kept },
        // A retry's refusal returns the item: whether its count is still pending, without a read.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { pendingAt: at, retry: false };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      seen = refusedItem(error);
    }
    const item = seen ?? (await this.getEnrollmentItem(userId, enrollmentId));
    if (item !== undefined && item.counted === undefined) {
      // An item that expires within the week (its execution ended, its goal window closing): the
      // mark keeps it for the count's retry, as the other marks do (keptWhilePending).
      const marked = await this.conditionalUpdate(
        userId,
        enrollmentId,
        'SET #counted = :yes, #pending = :at, #expiresAt = :kept',
        'attribute_exists(sk) AND attribute_not_exists(#counted)',
        names,
        { ':yes': true, ':at': at, ':kept': kept },
      );
      if (marked) return { pendingAt: at, retry: false };
      return this.pendingOn(
        ActiveEnrollment.safeParse(await this.getEnrollmentItem(userId, enrollmentId)).data,
        'enrolled',
      );
    }
    return this.pendingOn(ActiveEnrollment.safeParse(item).data, 'enrolled');
  }

  /**
   * Marks a goal reached once, its count pending until `settleCount` (with
   * the goal's value, which a retry counts). The count this call owes: the
   * first mark's, or undefined when it already was (or the enrollment is
   * gone). A retry of the event that marked it finds its count with
   * `pendingOn`: the plan credits nothing to a redelivery. The same write
   * keeps the item for the retry (`keptWhilePending`).
   */
  async markConverted(
    userId: string,
    enrollment: ActiveEnrollment,
    byMessageId: string,
    conversion: { at: Date; value?: number },
  ): Promise<OwedCount | undefined> {
    const at = now().getTime();
    const { value } = conversion;
    const first = await this.conditionalUpdate(
      userId,
      enrollment.enrollmentId,
      `SET #converted = :yes, #by = :by, #when = :when, #pending = :at, #expiresAt = :expires${value === undefined ? '' : ', #value = :value'}`,
      'attribute_exists(sk) AND attribute_not_exists(#converted)',
      {
        '#converted': 'converted',
        '#by': 'convertedBy',
        '#when': 'convertedAt',
        '#pending': PENDING.converted,
        '#expiresAt': 'expiresAt',
        ...(value === undefined ? {} : { '#value': 'convertedValue' }),
      },
      {
        ':yes': true,
        ':by': byMessageId,
        ':when': conversion.at.toISOString(),
        ':at': at,
        ':expires': keptWhilePending(enrollment, at),
        ...(value === undefined ? {} : { ':value': value }),
      },
    );
    return first ? { pendingAt: at, retry: false } : undefined;
  }

  /**
   * Marks a goal that ends the enrollment: stopped (`markStopped`) and converted (`markConverted`)
   * in one write when neither was marked yet (the usual goal), else each as those do, the marks
   * already made left as they are. The count this call owes, as `markConverted` returns it.
   */
  async markGoalStop(
    userId: string,
    enrollment: ActiveEnrollment,
    byMessageId: string,
    conversion: { at: Date; value?: number },
  ): Promise<OwedCount | undefined> {
    const { enrollmentId } = enrollment;
    const at = now().getTime();
    const { value } = conversion;
    let seen: Record<string, unknown> | undefined;
    try {
      // A running enrollment's item (not ended) keeps its lifetime: the pending count has time.
      await updateItem(this.db, {
        TableName: this.table,
        Key: { userId, sk: enrollmentKeys.enrollment(enrollmentId) },
        UpdateExpression: `SET #stoppedBy = :goal, #converted = :yes, #by = :by, #when = :when, #pending = :at${value === undefined ? '' : ', #value = :value'}`,
        ConditionExpression:
          'attribute_exists(sk) AND attribute_not_exists(#stoppedBy) AND attribute_not_exists(#endedAt) AND attribute_not_exists(#converted)',
        ExpressionAttributeNames: {
          '#stoppedBy': 'stoppedBy',
          '#endedAt': 'endedAt',
          '#converted': 'converted',
          '#by': 'convertedBy',
          '#when': 'convertedAt',
          '#pending': PENDING.converted,
          ...(value === undefined ? {} : { '#value': 'convertedValue' }),
        },
        ExpressionAttributeValues: {
          ':goal': 'goal',
          ':yes': true,
          ':by': byMessageId,
          ':when': conversion.at.toISOString(),
          ':at': at,
          ...(value === undefined ? {} : { ':value': value }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { pendingAt: at, retry: false };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      seen = refusedItem(error);
    }
    // Each mark on its own, but those the refused item shows already made (a redelivered goal).
    const stopped = seen !== undefined && (seen.stoppedBy !== undefined || seen.endedAt !== undefined);
    if (!stopped) await this.markStopped(userId, enrollmentId, 'goal');
    if (seen !== undefined && seen.converted !== undefined) return undefined;
    return this.markConverted(userId, enrollment, byMessageId, conversion);
  }

  /** The count still pending on an enrollment item for `kind`, as a retry owes it. */
  pendingOn(enrollment: ActiveEnrollment | undefined, kind: PendingKind): OwedCount | undefined {
    const pendingAt = enrollment?.[PENDING[kind]];
    return pendingAt === undefined ? undefined : { pendingAt, retry: true };
  }

  /** The count is written: its mark is no longer pending (nothing when the item is gone). */
  async settleCount(userId: string, enrollmentId: string, kind: PendingKind): Promise<void> {
    await this.conditionalUpdate(
      userId,
      enrollmentId,
      'REMOVE #pending',
      'attribute_exists(sk)',
      { '#pending': PENDING[kind] },
      {},
    );
  }

  /** Remembers the last message step sent, for conversion attribution; nothing when the enrollment is gone. */
  async markSent(userId: string, enrollmentId: string, stepId: string): Promise<void> {
    await this.conditionalUpdate(
      userId,
      enrollmentId,
      'SET #lastStep = :step',
      'attribute_exists(sk)',
      { '#lastStep': 'lastStep' },
      { ':step': stepId },
    );
  }

  /** Records why ingest stopped an execution, once; false when another event already stopped it. */
  async markStopped(userId: string, enrollmentId: string, by: 'goal' | 'exit'): Promise<boolean> {
    return this.conditionalUpdate(
      userId,
      enrollmentId,
      'SET #stoppedBy = :by',
      'attribute_exists(sk) AND attribute_not_exists(#stoppedBy) AND attribute_not_exists(#endedAt)',
      { '#stoppedBy': 'stoppedBy', '#endedAt': 'endedAt' },
      { ':by': by },
    );
  }

  /**
   * The execution ended, its outcome's count pending (kept across a crash):
   * the item is kept, marked ended with its outcome pending, until `settleEnd` (after the count) removes it, or keeps it
   * while its goal window is open. Returns the enrollment as it was, or
   * undefined when another delivery of the same end already marked it. One
   * UpdateItem returning the item as it was; a goal window open more than a
   * week past the end (the TTL then waits for it) takes a read and a second write.
   */
  async endCounted(
    userId: string,
    enrollmentId: string,
    endedAt: string,
  ): Promise<{ enrollment: ActiveEnrollment; owed: OwedCount } | undefined> {
    const at = now().getTime();
    // The TTL backstop: the goal window, or a week for the settle that removes it.
    const week = epochSeconds(endedAt) + ENDED_GRACE_SECONDS;
    const names = { '#endedAt': 'endedAt', '#pending': PENDING.ended, '#expiresAt': 'expiresAt' };
    const mark = 'SET #endedAt = :at, #pending = :pending, #expiresAt = :expires';
    const values = { ':at': endedAt, ':pending': at };
    const ended = (enrollment: ActiveEnrollment | undefined) =>
      enrollment === undefined
        ? undefined
        : { enrollment: { ...enrollment, endedAt }, owed: { pendingAt: at, retry: false } };
    // One write that returns the item as it was, for the usual goal window (none, or ending within the
    // week): ISO instants of one format, compared as text, order as times.
    let current: Record<string, unknown> | undefined;
    try {
      const out = await updateItem(this.db, {
        TableName: this.table,
        Key: { userId, sk: enrollmentKeys.enrollment(enrollmentId) },
        UpdateExpression: mark,
        ConditionExpression:
          'attribute_exists(sk) AND attribute_not_exists(#endedAt) AND (attribute_not_exists(#goalUntil) OR #goalUntil <= :week)',
        ExpressionAttributeNames: { ...names, '#goalUntil': 'goalUntil' },
        ExpressionAttributeValues: {
          ...values,
          ':expires': week + 1,
          ':week': new Date(week * 1000).toISOString(),
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return ended(ActiveEnrollment.safeParse(out.Attributes).data);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      current = refusedItem(error);
    }
    // Refused: ended already, gone, or a goal window open past the week, whose end the TTL waits for.
    const enrollment = ActiveEnrollment.safeParse(
      current ?? (await this.getEnrollmentItem(userId, enrollmentId)),
    ).data;
    if (enrollment === undefined || enrollment.endedAt !== undefined) return undefined;
    const written = await this.conditionalUpdate(
      userId,
      enrollmentId,
      mark,
      'attribute_exists(sk) AND attribute_not_exists(#endedAt)',
      names,
      { ...values, ':expires': Math.max(epochSeconds(enrollment.goalUntil ?? endedAt), week) + 1 },
    );
    return written ? ended(enrollment) : undefined;
  }

  /**
   * The outcome of an ended enrollment is counted (and the counts left
   * pending on it as it was read): its item goes, unless a goal can still
   * convert it (its window open, not converted), when it stays until then
   * with nothing pending. A count marked since the read (a goal, an entry
   * racing the end) keeps the item, its mark and the TTL its mark set, for
   * that count's own settle or retry.
   */
  async settleEnd(userId: string, enrollment: ActiveEnrollment): Promise<void> {
    const { enrollmentId, goalUntil, endedAt } = enrollment;
    const keep =
      goalUntil !== undefined &&
      enrollment.converted !== true &&
      endedAt !== undefined &&
      goalUntil > endedAt;
    const counted = PENDING_KINDS.filter(
      (kind) => kind === 'ended' || enrollment[PENDING[kind]] !== undefined,
    );
    const names: Record<string, string> = {};
    for (const kind of PENDING_KINDS) names[`#${kind}`] = PENDING[kind];
    // The marks this end did not count must not have been made since it read the item.
    const unmarked = PENDING_KINDS.filter((kind) => !counted.includes(kind)).map(
      (kind) => `attribute_not_exists(#${kind})`,
    );
    const removeCounted = `REMOVE ${counted.map((kind) => `#${kind}`).join(', ')}`;
    const key = { userId, sk: enrollmentKeys.enrollment(enrollmentId) };
    try {
      if (keep) {
        const update = `${removeCounted} SET #expiresAt = :expires`;
        const condition = ['attribute_exists(sk)', ...unmarked].join(' AND ');
        await updateItem(this.db, {
          TableName: this.table,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { ...pick(names, `${update} ${condition}`), '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':expires': epochSeconds(goalUntil) + 1 },
        });
      } else
        await deleteItem(this.db, {
          TableName: this.table,
          Key: key,
          ...(unmarked.length === 0
            ? {}
            : {
                ConditionExpression: unmarked.join(' AND '),
                ExpressionAttributeNames: pick(names, unmarked.join(' ')),
              }),
        });
      return;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const retained = pick(names, removeCounted);
    await this.conditionalUpdate(userId, enrollmentId, removeCounted, 'attribute_exists(sk)', retained, {});
  }

  /** Removes an ended enrollment whose goal window has closed. */
  async forget(userId: string, enrollmentId: string): Promise<void> {
    await deleteItem(this.db, {
      TableName: this.table,
      Key: { userId, sk: enrollmentKeys.enrollment(enrollmentId) },
    });
  }

  /**
   * Registers a waiting step (a retried task, or a loop back to the step,
   * overwrites it with its new token); the caller then counts it in the
   * profile's summary. A received event still pending on the registration it
   * replaces (marked, its count not known written) is another registration's:
   * `settle` counts it (guarded by that registration's id) before the mark
   * goes, so it is neither lost nor taken for the new registration's. The
   * same token again (a repeated task) carries its own mark on.
   */
  async putWaiter(
    userId: string,
    waiter: Waiter,
    settle: (earlier: Waiter) => Promise<void> = async () => undefined,
  ): Promise<void> {
    const key = { userId, sk: enrollmentKeys.waiter(waiter.event, waiter.enrollmentId, waiter.stepId) };
    const b = waiterWrite(waiter);
    // What it protects: a mark another registration made, which only that registration's count settles.
    const condition = `attribute_not_exists(${b.name('receivedPending')}) OR ${b.name('token')} = ${b.value(waiter.token)}`;
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: key,
        UpdateExpression: b.expression(),
        ConditionExpression: condition,
        ...b.attributes(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const seen =
        refusedItem(error) ??
        (await getItem(this.db, { TableName: this.table, Key: key, ConsistentRead: true })).Item;
      const [earlier] = this.parseWaiters(seen === undefined ? [] : [seen]);
      if (earlier !== undefined) await settle(earlier);
    }
    // Counted: the new registration takes the step's item, without the earlier mark.
    const replace = waiterWrite(waiter).remove('receivedPending');
    await updateItem(this.db, {
      TableName: this.table,
      Key: key,
      UpdateExpression: replace.expression(),
      ...replace.attributes(),
    });
  }

  /** Moves the records of an older-layout profile item here (idempotent). */
  async importLegacy(userId: string, legacy: LegacyRecords): Promise<void> {
    for (const enrollment of legacy.enrollments) await this.putEnrollment(userId, enrollment);
    for (const waiter of legacy.waiters) {
      await this.putWaiter(userId, { ...waiter, trigger: triggerValuesFor(waiter.where, waiter.trigger) });
    }
    for (const { key, record } of legacy.reentry) {
      await putItem(this.db, {
        TableName: this.table,
        Item: { userId, sk: enrollmentKeys.reentry(key), ...record },
        // A record written since (a newer entry) wins over the migrated one.
        ConditionExpression: 'attribute_not_exists(sk)',
      }).catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
    }
  }

  /** The steps waiting for an event. */
  async waitersFor(userId: string, event: string): Promise<Waiter[]> {
    return this.parseWaiters(await this.query(userId, enrollmentKeys.waitersOf(event)));
  }

  /** Every waiting step of one enrollment. */
  async waitersOf(userId: string, enrollmentId: string): Promise<Waiter[]> {
    return (await this.waitingOf(userId, enrollmentId)).waiters;
  }

  /** What one enrollment leaves waiting, for an event or for a message's outcome (one query). */
  async waitingOf(userId: string, enrollmentId: string): Promise<Waiting> {
    return waitingOf(this.db, this.table, userId, enrollmentId);
  }

  /**
   * Marks a resumed step's event received, once per registration (guarded by
   * its token), its count pending until the waiter is removed: the count this
   * call owes, or undefined when another delivery marked it (or the waiter is
   * gone). A retry finds the mark on the waiter it reads (`receivedPending`).
   * The same write keeps the waiter a week past the mark, for that retry.
   */
  async markReceived(userId: string, waiter: Waiter): Promise<OwedCount | undefined> {
    const at = now().getTime();
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { userId, sk: enrollmentKeys.waiter(waiter.event, waiter.enrollmentId, waiter.stepId) },
        UpdateExpression: 'SET #pending = :at, #expiresAt = :expires',
        ConditionExpression: '#token = :token AND attribute_not_exists(#pending)',
        ExpressionAttributeNames: {
          '#pending': 'receivedPending',
          '#token': 'token',
          '#expiresAt': 'expiresAt',
        },
        ExpressionAttributeValues: {
          ':at': at,
          ':token': waiter.token,
          ':expires': Math.max(epochSeconds(waiter.expiresAt), Math.floor(at / 1000)) + PENDING_GRACE_SECONDS,
        },
      });
      return { pendingAt: at, retry: false };
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  /** Removes a waiting step once, guarded by its token (a newer registration is kept). */
  async removeWaiter(
    userId: string,
    waiter: Pick<Waiter, 'event' | 'enrollmentId' | 'stepId' | 'token'>,
  ): Promise<boolean> {
    try {
      await deleteItem(this.db, {
        TableName: this.table,
        Key: { userId, sk: enrollmentKeys.waiter(waiter.event, waiter.enrollmentId, waiter.stepId) },
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': waiter.token },
      });
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Removes the waiter of a step that stopped waiting (timed out), whatever
   * its token: the execution has moved past it. The token it held, for the
   * call that removed it (its digest leaves the summary), else undefined.
   */
  async removeStepWaiter(
    userId: string,
    waiter: Pick<Waiter, 'event' | 'enrollmentId' | 'stepId'>,
  ): Promise<string | undefined> {
    const out = await deleteItem(this.db, {
      TableName: this.table,
      Key: { userId, sk: enrollmentKeys.waiter(waiter.event, waiter.enrollmentId, waiter.stepId) },
      ReturnValues: 'ALL_OLD',
    });
    const token = out.Attributes?.token;
    return out.Attributes === undefined ? undefined : typeof token === 'string' ? token : '';
  }

  private parseWaiters(items: Record<string, unknown>[]): Waiter[] {
    return items.flatMap((item) => {
      const waiter = waiterOf(item);
      return waiter === undefined ? [] : [waiter];
    });
  }

  private async query(userId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await queryItems(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'userId = :u AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':u': userId, ':p': prefix },
        ConsistentRead: true,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  private async conditionalUpdate(
    userId: string,
    enrollmentId: string,
    expression: string,
    condition: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { userId, sk: enrollmentKeys.enrollment(enrollmentId) },
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
      });
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
