/**
 * How counters are named: the metrics, and the sort keys of the stats
 * table's first layout (one item per counter), which tables written before
 * counter sets (counter-sets.ts) still hold and which name each counter when
 * the repository sums both layouts for every reader (report, dashboard,
 * console). Sort keys join their parts with `#`; each part is URI-encoded so
 * a step id, variant name or reason can never shift the parts.
 */

/** The counters the product keeps. Message outcomes come from send-message, feedback from the providers. */
export const COUNTER_METRICS = [
  'enrolled',
  'assigned',
  'sent',
  'suppressed',
  'deferred',
  'failed',
  'unknown',
  /** Provider feedback (feedbackMetric): what became of a message after it was sent. */
  'delivered',
  'undelivered',
  'bounced',
  'complained',
  'opened',
  'clicked',
  'unsubscribed',
  'eventReceived',
  /** An awaited event that could not resume its step, with the reason (tooLarge: over its share of the state). */
  'eventIgnored',
  'converted',
  'entrySkipped',
] as const;

/**
 * The counter of what a provider reported of a sent message, or undefined
 * for a report that is not counted. SES publishes "Email Sent" for every
 * email: send-message has counted it as sent already. A message the provider
 * or carrier could not deliver after taking it (an SMS to a phone out of
 * reach, an email SES rejected) is `undelivered`: `failed` is send-message's
 * final outcome of a send the provider refused, one per customer who reached
 * the step, and counting both would count the customer twice.
 */
export function feedbackMetric(outcome: string): string | undefined {
  if (outcome === 'sent') return undefined;
  return outcome === 'failed' ? 'undelivered' : outcome;
}

/**
 * How an enrollment ended: counted once per enrollment, per journey and per variant. `stepFailed`: a
 * step failed and its failure policy (`exit`) ended the enrollment, which Step Functions reports as
 * SUCCEEDED like a run to an exit step; `failed`: the execution itself failed.
 */
export const OUTCOMES = [
  'completed',
  'goal',
  'exited',
  'stepFailed',
  'failed',
  'aborted',
  'timedOut',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcome metric of an ending (`failed` is also a message metric, so outcomes carry a prefix). */
export function outcomeMetric(outcome: Outcome): string {
  return `ended:${outcome}`;
}

export type CounterKey = {
  version: string;
  metric: string;
  stepId?: string;
  variant?: string;
  /**
   * A bounded reason code (suppressed / deferred / entrySkipped); for `enrolled`, the step the
   * entries began at (their version's start step: one per version), absent on counts made before it was kept.
   */
  reason?: string;
};

const NONE = '-';

function part(value: string | undefined): string {
  if (value === undefined) return NONE;
  // encodeURIComponent leaves "-" as it is: a variant named "-" would read back as none.
  return value === NONE ? '%2D' : encodeURIComponent(value);
}

function unpart(value: string | undefined): string | undefined {
  return value === undefined || value === NONE ? undefined : decodeURIComponent(value);
}

/** The sort key of a counter. */
export function counterSortKey(key: CounterKey): string {
  const parts = [part(key.version), part(key.stepId), part(key.variant), part(key.metric)];
  if (key.reason !== undefined) parts.push(part(key.reason));
  return parts.join('#');
}

/** The first layout's day counters' sort key prefix. */
export const DAY_PREFIX = 'day#';

export type DayKey = { day: string; metric: string; channel?: string };

/** The sort key of a per-day counter (UTC day, `YYYY-MM-DD`). */
export function daySortKey(key: DayKey): string {
  return `${DAY_PREFIX}${key.day}#${part(key.metric)}#${part(key.channel)}`;
}

/** A stats table sort key read back: a counter, a per-day counter, or something else. */
export function parseSortKey(
  sk: string,
): { kind: 'counter'; key: CounterKey } | { kind: 'day'; key: DayKey } | undefined {
  const parts = sk.split('#');
  if (sk.startsWith(DAY_PREFIX)) {
    const [, day, metric, channel] = parts;
    if (day === undefined || metric === undefined) return undefined;
    const c = unpart(channel);
    return {
      kind: 'day',
      key: { day, metric: decodeURIComponent(metric), ...(c === undefined ? {} : { channel: c }) },
    };
  }
  const [version, stepId, variant, metric, reason] = parts;
  if (version === undefined || metric === undefined || parts.length > 5) return undefined;
  const s = unpart(stepId);
  const v = unpart(variant);
  const r = unpart(reason);
  return {
    kind: 'counter',
    key: {
      version: decodeURIComponent(version),
      metric: decodeURIComponent(metric),
      ...(s === undefined ? {} : { stepId: s }),
      ...(v === undefined ? {} : { variant: v }),
      ...(r === undefined ? {} : { reason: r }),
    },
  };
}

/** The UTC day of an instant. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}
