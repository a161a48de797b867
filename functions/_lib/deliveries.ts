import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getItem, putItem, updateItem } from '#functions/_lib/clients/document-calls.ts';
import { CHANNELS } from '#shared/channels.ts';
import type { TokenCounts, TokenOutcome } from '#shared/delivery/push-results.ts';
import type { ThrottleStreak } from '#shared/delivery/throttle.ts';
import { TransientError } from '#shared/errors.ts';
import { SendMessageOutput } from '#shared/tasks/send-message.ts';
import * as z from '#shared/zod.ts';
import { now as clockNow } from './clock.ts';
import { isConditionFailed, refusedItem, UpdateBuilder } from './expression.ts';

/** On a feedback record: its count is not yet known written (the time of the record, epoch ms). */
const FEEDBACK_PENDING = 'countPending';

/**
 * On a delivery record: the count its last settle owes the step's counters,
 * written by the same UpdateItem that settles it and removed once the count
 * is written (docs/counts.md). `p`: the time of the mark (epoch ms, the
 * guard's clock); `s`: what is counted; `r`: its reason; `t`: when (the day a
 * sent message counts on).
 */
const COUNT_PENDING = 'countPending';

/**
 * On a delivery record: what a push's token results add to the counters,
 * from an attempt whose outcome is not counted (a failure a retry may
 * overcome). The next count of the message carries them, once: the settle
 * that counts removes them, and a mark written without its own token counts
 * (the failure path's, a stale attempt's) takes these.
 */
const TOKENS_OWED = 'tokensOwed';

const TokenCountsSchema = z.object({
  unregistered: z.optional(z.number()),
  invalidToken: z.optional(z.number()),
  replaced: z.optional(z.number()),
});

/** The token counts a record owes, if any. */
function owedTokens(record: Record<string, unknown> | undefined): TokenCounts | undefined {
  const owed = record?.[TOKENS_OWED];
  // Most records owe none: no parse, whose failure builds its issues only to be dropped.
  return owed === undefined ? undefined : TokenCountsSchema.safeParse(owed).data;
}

/**
 * On a delivery record: the invocation that removed the count's mark (a
 * random id per removal), so that one whose answer was lost can tell it did.
 */
const COUNTED_BY = 'countedBy';

const PendingMark = z.object({
  p: z.number(),
  s: z.enum(['sent', 'suppressed', 'deferred', 'failed', 'unknown']),
  r: z.optional(z.string()),
  t: z.string(),
  /** A push's token results, counted with the message. */
  k: z.optional(TokenCountsSchema),
});

/**
 * A count a delivery record owes: `id`, what the count guard knows it by;
 * `retry`: found on the record (an earlier attempt may have written it) rather than just marked.
 */
export type PendingCount = {
  id: string;
  pendingAt: number;
  status: DeliveryStatus;
  reason?: string;
  at: Date;
  retry: boolean;
  tokens?: TokenCounts;
};

/** `owed`: the record's token counts, which a mark without its own carries. */
function pendingOf(
  deliveryId: string,
  value: unknown,
  retry: boolean,
  owed?: TokenCounts,
): PendingCount | undefined {
  const mark = PendingMark.safeParse(value);
  if (!mark.success) return undefined;
  const { p, s, r, t } = mark.data;
  return pendingCount(deliveryId, p, s, r, t, retry, mark.data.k ?? owed);
}

function pendingCount(
  deliveryId: string,
  p: number,
  s: DeliveryStatus,
  r: string | undefined,
  t: string,
  retry: boolean,
  k: TokenCounts | undefined,
): PendingCount {
  return {
    id: `${deliveryId}#${s}#${p}`,
    pendingAt: p,
    status: s,
    ...(r === undefined ? {} : { reason: r }),
    at: new Date(t),
    retry,
    ...(k === undefined ? {} : { tokens: k }),
  };
}

/** The mark a settle writes (and the count it owes, not yet written). */
function markOf(
  deliveryId: string,
  status: DeliveryStatus,
  now: Date,
  reason: string | undefined,
  tokens?: TokenCounts,
): {
  mark: z.infer<typeof PendingMark>;
  pending: PendingCount;
  withOwed: (owed?: TokenCounts) => PendingCount;
} {
  const mark = {
    p: clockNow().getTime(),
    s: status,
    ...(reason === undefined ? {} : { r: reason }),
    t: now.toISOString(),
    ...(tokens === undefined ? {} : { k: tokens }),
  };
  // The mark is made here, of the schema's shape: read back without its parse, unless it carries token
  // counts (a push's), which the parse copies.
  const withOwed = (owed?: TokenCounts) =>
    tokens === undefined
      ? pendingCount(deliveryId, mark.p, status, reason, mark.t, false, owed)
      : (pendingOf(deliveryId, mark, false, owed) as PendingCount);
  return { mark, pending: withOwed(), withOwed };
}

/**
 * One item per (execution, step): the idempotency record of a send. A
 * second item per provider message id (`msg#<id>`) lets delivery feedback
 * find the customer and step of a bounce or click.
 */

const RETENTION_SECONDS = 400 * 24 * 3600;

export const DeliveryMeta = z.object({
  userId: z.string(),
  journeyId: z.string(),
  version: z.string(),
  stepId: z.string(),
  channel: z.enum(CHANNELS),
});
export type DeliveryMeta = z.infer<typeof DeliveryMeta>;

/** Token outcomes kept on a delivery record: a profile's device count is small, the record stays bounded. */
const MAX_TOKEN_OUTCOMES = 20;

/**
 * The item that points from a provider message id to its delivery;
 * `address`: the address it went to (`addressKey`), what a bounce stops;
 * `outcomeWait`: whether its step may wait for the message's outcome (absent: not known, it may).
 */
const MessageItem = z.extend(DeliveryMeta, {
  target: z.string(),
  address: z.optional(z.string()),
  outcomeWait: z.optional(z.boolean()),
});

export type DeliveryStatus = 'sent' | 'suppressed' | 'deferred' | 'failed' | 'unknown';

const DeliveryItem = z.extend(DeliveryMeta, {
  status: z.enum(['sending', 'sent', 'suppressed', 'deferred', 'failed', 'unknown']),
  leaseUntil: z.optional(z.number()),
  /** Set just before the provider is called: a stale claim without it surely sent nothing. */
  calledAt: z.optional(z.string()),
  /** The frequency-cap slot the attempt took (the time it put in the profile's recent sends). */
  reservedAt: z.optional(z.string()),
  output: z.nullish(SendMessageOutput),
  detail: z.nullish(z.string()),
  /** The failure is final and counted (its count marked by the same write): no attempt claims the send again. */
  failureCounted: z.optional(z.string()),
  /** The error of a final failure, as Step Functions matched it: a later invocation ends the same way. */
  failedError: z.nullish(z.string()),
});

export type Claim =
  /**
   * `tookOverUnknown`: the claim took over (`retryUnknown`) from an attempt that called the provider
   * and stopped without saying how it ended: that attempt's outcome is unknown, and only this claim knows it.
   */
  /**
   * `orphanSlot`: the claim took over from an attempt that stopped after taking a frequency-cap slot
   * and before calling the provider: the slot it holds (`reservedAt`) counts a message that never went.
   */
  /**
   * `attempt`: this claim's number (the record's `attempts`): the writes of the attempt hold to it, so
   * an attempt another one took over from (its lease seen as over) writes nothing more, and sends nothing.
   */
  /**
   * `pending`: a count the record still owes (an earlier settle's, or the unknown outcome this claim took
   * over): written before anything else, and its mark removed.
   */
  /**
   * `deferred`: the record was deferred (its output): a retry of the attempt that deferred it, come back
   * before its time to settle the deferral's count, ends deferred again without counting it twice.
   */
  /**
   * `carried`: token counts an earlier attempt's push left uncounted (its failure was not final): the
   * outcome this claim counts carries them.
   */
  | {
      kind: 'claimed';
      attempt: number;
      tookOverUnknown?: true;
      orphanSlot?: string;
      pending?: PendingCount;
      carried?: TokenCounts;
      deferred?: Extract<SendMessageOutput, { status: 'deferred' }>;
      throttled?: ThrottleStreak;
    }
  /** `unreadable`: the record is there but not one this code can read; its outcome is unknown. */
  | { kind: 'done'; output: SendMessageOutput; unreadable?: true; pending?: PendingCount }
  /**
   * The send failed for good (a failure no retry overcomes, or the retries ran out), counted by the mark
   * of the write that made it final (`pending` while that count is not known written): `error` and
   * `detail` say how, so a later invocation ends as the first did, and sends nothing.
   */
  | { kind: 'failed'; error?: string; detail: string; pending?: PendingCount }
  /** Another attempt holds the claim until `until` (it may be live, or dead with its lease still running). */
  | { kind: 'busy'; until: Date }
  /** A previous attempt called the provider and never said how it ended: now recorded as unknown. */
  | { kind: 'stale'; output: SendMessageOutput; pending: PendingCount };

function throttleStreakOf(record: Record<string, unknown> | undefined): ThrottleStreak | undefined {
  const { throttles, throttleDeferrals, throttledSince } = record ?? {};
  if (typeof throttledSince !== 'number') return undefined;
  return {
    count: typeof throttles === 'number' ? throttles : 0,
    deferrals: typeof throttleDeferrals === 'number' ? throttleDeferrals : 0,
    since: throttledSince,
  };
}

export type ClaimOptions = {
  /** Claim a delivery whose outcome is unknown again (the step's `onUnknown: "retry"`). */
  retryUnknown?: boolean;
};

/** The item that records one feedback outcome of a provider message (counted once, read by traces). */
export function feedbackItemId(messageId: string, outcome: string): string {
  return `fb#${messageId}#${outcome}`;
}

/**
 * The idempotency key of a send: the execution, the step, and for a step a
 * loop comes back to, the visit (a step id has no `@`, a visit no `#`).
 */
export function deliveryIdOf(enrollmentId: string, stepId: string, visit?: string): string {
  return visit === undefined ? `${enrollmentId}#${stepId}` : `${enrollmentId}#${stepId}@${visit}`;
}

/**
 * An attempt's write refused because another attempt took the send over (it
 * saw this one's lease as over: a clock ahead, an attempt slower than its
 * lease). Nothing was sent by this attempt; a retry finds the other's outcome.
 */
export class ClaimLostError extends TransientError {
  constructor(deliveryId: string, attempt: number) {
    super(`delivery ${deliveryId}: attempt ${attempt} was taken over by a later attempt`);
  }
}

/** When a claim was just taken by another attempt whose lease is not known here. */
const BUSY_RECHECK_MS = 1_000;

const STALE_REASON = 'outcome unknown: an attempt stopped after calling the provider';
const PRECALL_REASON = 'an attempt stopped before calling the provider, and the retries ran out';

export class DeliveriesRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Claims the send of (execution, step). A new, deferred or failed delivery
   * can be claimed, and so can one whose attempt stopped (lease over) before
   * calling the provider. A sent or suppressed one returns its outcome; one
   * whose outcome is unknown is returned as such unless `retryUnknown`; a
   * stale attempt that did call the provider is settled as unknown here, so
   * no record stays "sending" and no message goes out twice.
   */
  async claim(
    deliveryId: string,
    meta: DeliveryMeta,
    now: Date,
    leaseMs: number,
    options: ClaimOptions = {},
  ): Promise<Claim> {
    const claimable = [
      'attribute_not_exists(deliveryId)',
      '#status = :deferred',
      // A failure a retry may overcome; one made final (and counted) is never sent again.
      '(#status = :failed AND attribute_not_exists(failureCounted))',
      // The previous attempt died before reaching the provider: nothing was sent.
      '(#status = :sending AND leaseUntil < :nowMs AND attribute_not_exists(calledAt))',
      // A stale attempt that called the provider is first settled as unknown, with its count's mark (`existing`).
      ...(options.retryUnknown ? ['#status = :unknown'] : []),
    ];
    try {
      const out = await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression:
          'SET #status = :sending, leaseUntil = :lease, userId = :u, journeyId = :j, version = :v, stepId = :s, channel = :c, updatedAt = :now, expiresAt = :exp REMOVE calledAt, reservedAt ADD attempts :one',
        ConditionExpression: claimable.join(' OR '),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sending': 'sending',
          ':deferred': 'deferred',
          ':failed': 'failed',
          ...(options.retryUnknown ? { ':unknown': 'unknown' } : {}),
          ':nowMs': now.getTime(),
          ':lease': now.getTime() + leaseMs,
          ':u': meta.userId,
          ':j': meta.journeyId,
          ':v': meta.version,
          ':s': meta.stepId,
          ':c': meta.channel,
          ':now': now.toISOString(),
          ':exp': Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
          ':one': 1,
        },
        ReturnValues: 'ALL_OLD',
        // Refused, the record says why (done, busy, stale) without a read.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      const before = out.Attributes;
      const attempt = (typeof before?.attempts === 'number' ? before.attempts : 0) + 1;
      const tokens = owedTokens(before);
      const pending = pendingOf(deliveryId, before?.[COUNT_PENDING], true, tokens);
      // Owed tokens go with the first count written: the mark found, else this claim's outcome.
      const streak = throttleStreakOf(before);
      const owed = {
        ...(pending !== undefined ? { pending } : tokens === undefined ? {} : { carried: tokens }),
        ...(streak === undefined ? {} : { throttled: streak }),
      };
      const earlier = SendMessageOutput.safeParse(before?.output);
      if (before?.status === 'deferred' && earlier.success && earlier.data.status === 'deferred')
        return { kind: 'claimed', attempt, ...owed, deferred: earlier.data };
      if (before?.status !== 'sending') return { kind: 'claimed', attempt, ...owed };
      // Removed by this claim: only this claim gives the slot back, once.
      return typeof before.reservedAt === 'string'
        ? { kind: 'claimed', attempt, orphanSlot: before.reservedAt, ...owed }
        : { kind: 'claimed', attempt, ...owed };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const found = await this.existing(deliveryId, now, refusedItem(error));
      if (found.kind !== 'stale' || !options.retryUnknown) return found;
      // The stale attempt is now settled as unknown: taken over, its count (just marked) owed by this claim.
      const taken = await this.claim(deliveryId, meta, now, leaseMs, options);
      // Claimed by another attempt meanwhile: that claim found the mark, and owes its count.
      return taken.kind === 'claimed' ? { ...taken, tookOverUnknown: true, pending: found.pending } : taken;
    }
  }

  /** The record as it is (`seen`: as a refused write returned it, else read now), and what it means for a send. */
  private async existing(deliveryId: string, now: Date, seen?: Record<string, unknown>): Promise<Claim> {
    const record =
      seen ??
      (await getItem(this.db, { TableName: this.table, Key: { deliveryId }, ConsistentRead: true })).Item;
    const item = DeliveryItem.safeParse(record);
    if (!item.success) {
      // An unreadable record may stand for a message that went out: never risk a second one.
      return {
        kind: 'done',
        output: { status: 'unknown', reason: 'outcome unknown: unreadable delivery record' },
        unreadable: true,
      };
    }
    const tokens = owedTokens(record);
    if (item.data.output != null && item.data.status !== 'sending') {
      const pending = pendingOf(deliveryId, record?.[COUNT_PENDING], true, tokens);
      return { kind: 'done', output: item.data.output, ...(pending === undefined ? {} : { pending }) };
    }
    if (item.data.status === 'failed') {
      const pending = pendingOf(deliveryId, record?.[COUNT_PENDING], true, tokens);
      const { failedError, detail } = item.data;
      return {
        kind: 'failed',
        detail: detail ?? 'the send failed',
        ...(failedError == null ? {} : { error: failedError }),
        ...(pending === undefined ? {} : { pending }),
      };
    }
    const leaseUntil = item.data.leaseUntil ?? 0;
    if (leaseUntil > now.getTime()) return { kind: 'busy', until: new Date(leaseUntil) };
    const output: SendMessageOutput = { status: 'unknown', reason: STALE_REASON };
    // Only the first to see the stale attempt settles it (and counts it).
    const settled = await this.settleIf(deliveryId, 'sending', 'unknown', output, now, STALE_REASON, tokens);
    // Another attempt claimed it meanwhile: come back shortly and see that attempt's outcome.
    return settled !== undefined
      ? { kind: 'stale', output, pending: settled }
      : { kind: 'busy', until: new Date(now.getTime() + BUSY_RECHECK_MS) };
  }

  /**
   * Makes the last attempt's outcome final once Step Functions has run out of
   * retries: a failed attempt is marked counted (once: a second call finds the
   * mark), an attempt that stopped before calling the provider is settled as
   * failed (nothing went out; `orphanSlot`: the cap slot it still holds), and
   * one that stopped after calling it as unknown, as the next attempt would
   * have done. Undefined when there is nothing to count (sent, or already
   * final); the lease's end while another attempt still holds the claim.
   */
  async settleExhausted(
    deliveryId: string,
    now: Date,
  ): Promise<
    { counted: 'failed' | 'unknown' | 'none'; orphanSlot?: string; pending?: PendingCount } | Date | undefined
  > {
    const { mark, withOwed } = markOf(deliveryId, 'failed', now, undefined);
    try {
      const out = await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression: 'SET failureCounted = :now, #pending = :mark',
        ConditionExpression: '#status = :failed AND attribute_not_exists(failureCounted)',
        ExpressionAttributeNames: { '#status': 'status', '#pending': COUNT_PENDING },
        ExpressionAttributeValues: { ':failed': 'failed', ':now': now.toISOString(), ':mark': mark },
        ReturnValues: 'ALL_NEW',
      });
      return { counted: 'failed', pending: withOwed(owedTokens(out.Attributes)) };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const precall = await this.settlePrecall(deliveryId, now);
    if (precall !== undefined) return precall;
    const claim = await this.existing(deliveryId, now);
    // An attempt still sending (live, or dead holding the claim) until its lease ends: not final yet.
    if (claim.kind === 'busy') return (await this.isSending(deliveryId)) ? claim.until : undefined;
    if (claim.kind === 'stale') return { counted: 'unknown', pending: claim.pending };
    // Final already, with a count still owed (its write failed, and the attempts after it too). A failure's
    // metric is left to the call that writes its count: the attempt that made it final failed before it.
    if (claim.kind === 'failed' && claim.pending !== undefined)
      return { counted: claim.pending.status === 'failed' ? 'failed' : 'none', pending: claim.pending };
    if (claim.kind === 'done' && claim.pending !== undefined)
      return { counted: 'none', pending: claim.pending };
    return undefined;
  }

  /**
   * Settles as failed, and counted, an attempt whose lease is over and that
   * never marked the provider called: it provably sent nothing, so its outcome
   * is not unknown (no alarm). Undefined when the record is not such an attempt.
   */
  private async settlePrecall(
    deliveryId: string,
    now: Date,
  ): Promise<{ counted: 'failed'; orphanSlot?: string; pending: PendingCount } | undefined> {
    const { mark, withOwed } = markOf(deliveryId, 'failed', now, undefined);
    try {
      const out = await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression:
          'SET #status = :failed, updatedAt = :now, #output = :null, detail = :detail, failureCounted = :now, #pending = :mark REMOVE leaseUntil, reservedAt',
        // Only a dead attempt (lease over) that never reached the provider: a live one, or a call, is not a failure.
        ConditionExpression: '#status = :sending AND leaseUntil < :nowMs AND attribute_not_exists(calledAt)',
        ExpressionAttributeNames: { '#status': 'status', '#output': 'output', '#pending': COUNT_PENDING },
        ExpressionAttributeValues: {
          ':mark': mark,
          ':failed': 'failed',
          ':sending': 'sending',
          ':null': null,
          ':detail': PRECALL_REASON,
          ':now': now.toISOString(),
          ':nowMs': now.getTime(),
        },
        ReturnValues: 'ALL_OLD',
      });
      const slot = out.Attributes?.reservedAt;
      const pending = withOwed(owedTokens(out.Attributes));
      return typeof slot === 'string'
        ? { counted: 'failed', orphanSlot: slot, pending }
        : { counted: 'failed', pending };
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  private async isSending(deliveryId: string): Promise<boolean> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { deliveryId },
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    });
    return out.Item?.status === 'sending';
  }

  /** Records how long the provider has been throttling the send (the attempt's, held to its claim). */
  async markThrottled(deliveryId: string, streak: ThrottleStreak, attempt: number): Promise<void> {
    await this.held(deliveryId, attempt, {
      UpdateExpression: 'SET throttles = :count, throttleDeferrals = :deferrals, throttledSince = :since',
      values: { ':count': streak.count, ':deferrals': streak.deferrals, ':since': streak.since },
    });
  }

  /**
   * Remembers the frequency-cap slot the attempt took, so that the attempt
   * taking over from it, should it stop before calling the provider, gives
   * the slot back instead of counting a message that never went.
   */
  async markReserved(deliveryId: string, at: string, attempt?: number): Promise<void> {
    await this.held(deliveryId, attempt, { UpdateExpression: 'SET reservedAt = :at', values: { ':at': at } });
  }

  /**
   * Marks that the provider is about to be called: from here a lost answer
   * means "outcome unknown". Refused (ClaimLostError) to an attempt another
   * one took over from: that one sends, this one must not.
   */
  async markCalled(deliveryId: string, now: Date, attempt?: number): Promise<void> {
    await this.held(deliveryId, attempt, {
      UpdateExpression: 'SET calledAt = :now',
      values: { ':now': now.toISOString() },
    });
  }

  /**
   * Gives the claim up as an attempt that never called the provider: for one
   * the provider proved it took nothing from (a throttle, a refusal) and
   * whose outcome could not be written. The next attempt claims the send at
   * once and tries again (a refusal for good is met again, and recorded),
   * instead of waiting out the lease and settling a message never sent as
   * "outcome unknown". Nothing when another attempt took over, or the
   * outcome was written after all.
   */
  async giveUp(deliveryId: string, attempt: number): Promise<void> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression: 'SET leaseUntil = :zero REMOVE calledAt',
        ConditionExpression: '#status = :sending AND attempts = :attempt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':zero': 0, ':sending': 'sending', ':attempt': attempt },
      });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /**
   * An update by the attempt that holds the claim: with `attempt`, only while
   * the record's attempts are still that number (no attempt took over since).
   */
  private async held(
    deliveryId: string,
    attempt: number | undefined,
    update: { UpdateExpression: string; names?: Record<string, string>; values: Record<string, unknown> },
  ): Promise<void> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression: update.UpdateExpression,
        ...(attempt === undefined ? {} : { ConditionExpression: 'attempts = :attempt' }),
        ...(update.names === undefined ? {} : { ExpressionAttributeNames: update.names }),
        ExpressionAttributeValues: {
          ...update.values,
          ...(attempt === undefined ? {} : { ':attempt': attempt }),
        },
      });
    } catch (error) {
      if (attempt !== undefined && isConditionFailed(error)) throw new ClaimLostError(deliveryId, attempt);
      throw error;
    }
  }

  /**
   * Keeps what the push service said about each device token of the send
   * (at most MAX_TOKEN_OUTCOMES, tokens shortened to their end: enough to
   * recognise one, not to send to it).
   */
  async recordTokenOutcomes(deliveryId: string, outcomes: readonly TokenOutcome[]): Promise<void> {
    const kept = outcomes.slice(0, MAX_TOKEN_OUTCOMES).map((o) => ({
      token: `…${o.token.slice(-8)}`,
      status: o.status,
      ...(o.statusCode === undefined ? {} : { statusCode: o.statusCode }),
      action: o.action,
      ...(o.action === 'remove' ? { reason: o.reason } : {}),
    }));
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression: 'SET tokenOutcomes = :outcomes',
        // Only on the claimed record: an update would otherwise create one with no expiry.
        ConditionExpression: 'attribute_exists(deliveryId)',
        ExpressionAttributeValues: { ':outcomes': kept },
      });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /**
   * Records the outcome of a claimed delivery; with `attempt`, only while that attempt holds the claim.
   * `counted`: the outcome is counted, its count marked pending in the same write (the count it owes, returned);
   * otherwise no mark is left (the attempt wrote any earlier one's count when it claimed). A failure counted
   * is final (`counted.error`: its error's name): no attempt claims the send again. `uncounted`: token
   * counts of an outcome not counted, kept on the record for the next count (which removes them).
   */
  async settle(
    deliveryId: string,
    status: DeliveryStatus,
    output: SendMessageOutput | undefined,
    now: Date,
    detail?: string,
    attempt?: number,
    counted?: { reason?: string; error?: string; tokens?: TokenCounts },
    uncounted?: TokenCounts,
  ): Promise<PendingCount | undefined> {
    const owed =
      counted === undefined ? undefined : markOf(deliveryId, status, now, counted.reason, counted.tokens);
    const final = status === 'failed' && counted !== undefined;
    const carry = owed === undefined && uncounted !== undefined;
    await this.held(deliveryId, attempt, {
      UpdateExpression: `SET #status = :status, updatedAt = :now, #output = :output, detail = :detail${
        owed === undefined ? '' : ', #pending = :mark'
      }${final ? ', failureCounted = :now, failedError = :error' : ''}${
        carry ? ', #tokens = :tokens' : ''
      } REMOVE leaseUntil${owed === undefined ? ', #pending' : ''}${carry ? '' : ', #tokens'}`,
      names: { '#status': 'status', '#output': 'output', '#pending': COUNT_PENDING, '#tokens': TOKENS_OWED },
      values: {
        ':status': status,
        ':now': now.toISOString(),
        ':output': output ?? null,
        ':detail': detail ?? null,
        ...(owed === undefined ? {} : { ':mark': owed.mark }),
        ...(final ? { ':error': counted.error ?? null } : {}),
        ...(carry ? { ':tokens': uncounted } : {}),
      },
    });
    return owed?.pending;
  }

  /**
   * The count a record owed is written: its mark is removed (unless a later
   * settle replaced it, or another invocation removed it first). True for
   * the one invocation that removed it — the one that publishes the count's
   * metric — also when the answer to its removal was lost.
   */
  async countWritten(deliveryId: string, pending: PendingCount): Promise<boolean> {
    const by = randomUUID();
    const remove = () =>
      updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        UpdateExpression: 'SET #by = :by REMOVE #pending',
        ConditionExpression: '#pending.p = :p',
        ExpressionAttributeNames: { '#pending': COUNT_PENDING, '#by': COUNTED_BY },
        ExpressionAttributeValues: { ':p': pending.pendingAt, ':by': by },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    // Refused: removed already, by this call (an answer lost, its retry refused) or by another.
    const removedHere = async (error: unknown) => {
      if (!isConditionFailed(error)) throw error;
      const record =
        refusedItem(error) ??
        (await getItem(this.db, { TableName: this.table, Key: { deliveryId }, ConsistentRead: true })).Item;
      return record?.[COUNTED_BY] === by;
    };
    try {
      await remove();
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return removedHere(error);
    }
    // Failed without an answer: once more, and the record tells whether the first landed.
    return remove().then(() => true, removedHere);
  }

  /** Settles a delivery only while it is still `from`; false when another attempt got there first. */
  private async settleIf(
    deliveryId: string,
    from: 'sending',
    status: DeliveryStatus,
    output: SendMessageOutput,
    now: Date,
    detail: string,
    owed?: TokenCounts,
  ): Promise<PendingCount | undefined> {
    const { mark, withOwed } = markOf(deliveryId, status, now, undefined);
    const pending = withOwed(owed);
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId },
        // A new attempt number: the attempt settled here, should it still be running (slower than its
        // lease), writes nothing more over the outcome recorded for it.
        UpdateExpression:
          'SET #status = :status, updatedAt = :now, #output = :output, detail = :detail, #pending = :mark REMOVE leaseUntil ADD attempts :one',
        // Guards against settling a record a live attempt has just claimed again.
        ConditionExpression: '#status = :from AND leaseUntil < :nowMs',
        ExpressionAttributeNames: { '#status': 'status', '#output': 'output', '#pending': COUNT_PENDING },
        ExpressionAttributeValues: {
          ':mark': mark,
          ':status': status,
          ':from': from,
          ':nowMs': now.getTime(),
          ':now': now.toISOString(),
          ':output': output,
          ':detail': detail,
          ':one': 1,
        },
      });
      return pending;
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Links a provider message id to the delivery, for feedback events, with
   * the address it went to when known. A retry that links again without the
   * address (it did not read the profile) keeps the one written before.
   * `outcomeWait`: whether the step may wait for the message's outcome, when
   * known (feedback looks for a waiting step unless it is false).
   */
  async linkMessage(
    messageId: string,
    deliveryId: string,
    meta: DeliveryMeta,
    now: Date,
    address?: string,
    outcomeWait?: boolean,
  ): Promise<void> {
    const b = new UpdateBuilder();
    b.set('target', deliveryId);
    for (const [key, value] of Object.entries(meta)) b.set(key, value);
    b.set('expiresAt', Math.floor(now.getTime() / 1000) + RETENTION_SECONDS);
    if (address !== undefined) b.set('address', address);
    if (outcomeWait !== undefined) b.set('outcomeWait', outcomeWait);
    await updateItem(this.db, {
      TableName: this.table,
      Key: { deliveryId: `msg#${messageId}` },
      UpdateExpression: b.expression(),
      ...b.attributes(),
    });
  }

  /**
   * Records a feedback outcome of a message once, its count pending until
   * `settleFeedback`: the count this call owes (`retry` when an earlier
   * attempt recorded it and stopped before settling), or undefined when it
   * was counted already.
   */
  async markFeedback(
    messageId: string,
    outcome: string,
    now: Date,
  ): Promise<{ pendingAt: number; retry: boolean } | undefined> {
    const deliveryId = feedbackItemId(messageId, outcome);
    const pendingAt = clockNow().getTime();
    let seen: Record<string, unknown> | undefined;
    try {
      await putItem(this.db, {
        TableName: this.table,
        Item: {
          deliveryId,
          at: now.toISOString(),
          [FEEDBACK_PENDING]: pendingAt,
          expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(deliveryId)',
        // Refused, the record says whether its count is still pending, without a read.
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return { pendingAt, retry: false };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      seen = refusedItem(error);
    }
    const record =
      seen ??
      (await getItem(this.db, { TableName: this.table, Key: { deliveryId }, ConsistentRead: true })).Item;
    const pending = record?.[FEEDBACK_PENDING];
    return typeof pending === 'number' ? { pendingAt: pending, retry: true } : undefined;
  }

  /** The feedback's count is written: its record is no longer pending. */
  async settleFeedback(messageId: string, outcome: string): Promise<void> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { deliveryId: feedbackItemId(messageId, outcome) },
        UpdateExpression: 'REMOVE #pending',
        ConditionExpression: 'attribute_exists(deliveryId)',
        ExpressionAttributeNames: { '#pending': FEEDBACK_PENDING },
      });
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** True when feedback with this outcome was recorded for a message (read consistently: a waiter registering races it). */
  async hasFeedback(messageId: string, outcome: string): Promise<boolean> {
    const out = await getItem(this.db, {
      TableName: this.table,
      Key: { deliveryId: feedbackItemId(messageId, outcome) },
      ConsistentRead: true,
    });
    return out.Item !== undefined;
  }

  /** The delivery a provider message id belongs to. */
  async byMessage(
    messageId: string,
  ): Promise<(DeliveryMeta & { deliveryId: string; address?: string; outcomeWait?: boolean }) | undefined> {
    const out = await getItem(this.db, { TableName: this.table, Key: { deliveryId: `msg#${messageId}` } });
    const parsed = MessageItem.safeParse(out.Item);
    if (!parsed.success) return undefined;
    const { target, ...meta } = parsed.data;
    return { ...meta, deliveryId: target };
  }
}
