/**
 * Counter sets: the stats table's items that hold many counters each, one
 * attribute per counter, so that one handler call adds to all it counts in
 * one write per item. (The first layout, one item per counter, is still read:
 * see keys.ts.) Three kinds of item, each bounded by the journey's definition:
 *
 * - a version item, `=v#<version>#<split step>`: the journey's own counters
 *   (enrolled, converted, endings, skipped entries) and the variant counters of
 *   one split step (the first the enrollment was assigned; `-` for none);
 * - a step item, `=s#<version>#<step>`: one step's counters (messages, provider
 *   feedback, events, failures, the conversions it is the last message of),
 *   and the variant counters of any further split step; a message step's
 *   sent, failed and deferred (by reason) per variant of the one split it
 *   counts by (shared/journey/variant-split.ts), added in the step's write;
 * - a day item, `=d#<day>`: one UTC day's counters, which expire;
 * - an experiment item, `=x#<split step>#<first version>`: the entrants and
 *   conversions of each variant of one experiment over all its versions,
 *   added in the same handler call as the version's own counters, so that
 *   deciding it reads this item's shards and nothing else; it expires when
 *   nothing was added for as long as results are kept.
 *
 * Worst case, the largest journey validate accepts: a split owns at most 100
 * counted variants (integer weights summing to 100; a weight of 0 is never
 * assigned), each with 11 attributes (assigned; converted, its sum, how many
 * conversions carried a value, and the sum an item written before that count
 * was kept may hold; 6 endings) whose names are at most 148 bytes (a 128-byte
 * variant name kept as it is, behind at most 20 bytes of encoded metric,
 * reason and `#`s) and whose values at most 21 bytes: 100 × 11 × 169 =
 * 185,900 bytes, about 182 KiB, plus a few KiB of the journey's or a step's
 * own counters (bounded codes: metrics, reasons, channels) — under half of
 * DynamoDB's 400 KB. A message step's per-variant counters are 5 attributes a
 * variant (sent, failed, deferred for 3 reason codes): 100 × 5 × 169 = 84,500
 * bytes, with its own counters far under half the limit too. A version item or step item holds one split's variants
 * at most, whatever the number of steps; a typical one (3 variants, a few
 * message outcomes) is under 1 KB, one write unit per update.
 *
 * Sort keys start with `=`, which no sort key of the first layout does (its
 * parts are URI-encoded; its day keys start with `day#`). Attribute names
 * always hold a `#`, so none is `pk`, `sk` or `expiresAt`, nor a name such as
 * `__proto__`, nor a slot of the count guard (`g0`…`g15`, functions/_lib/stats.ts);
 * a sum's name is its count's behind a `$`, and the number of values in it
 * (conversions that carried one: the average is over these) behind a `*`.
 * A sum behind a `+` was written before that number was kept: how many
 * values it adds up is not known.
 */

import { type CounterKey, DAY_PREFIX, type DayKey } from './keys.ts';

const NONE = '-';

function part(value: string | undefined): string {
  if (value === undefined) return NONE;
  // encodeURIComponent leaves "-" as it is: a name "-" would read back as none.
  return value === NONE ? '%2D' : encodeURIComponent(value);
}

function unpart(value: string): string | undefined {
  return value === NONE ? undefined : decodeURIComponent(value);
}

const VERSION_ITEM = '=v#';
const STEP_ITEM = '=s#';
const DAY_ITEM = '=d#';
const EXPERIMENT_ITEM = '=x#';
const SUM = '$';
const VALUED = '*';
const PRIOR_SUM = '+';

/** Where a counter of a handler call is kept: `split` is the split step whose variants the call's version item holds. */
export function counterSetKey(key: CounterKey, split: string | undefined): string {
  if (key.stepId === undefined || (key.variant !== undefined && key.stepId === split))
    return `${VERSION_ITEM}${part(key.version)}#${part(split)}`;
  return `${STEP_ITEM}${part(key.version)}#${part(key.stepId)}`;
}

/** The sort key of a day's counter set (UTC day, `YYYY-MM-DD`). */
export function daySetKey(day: string): string {
  return `${DAY_ITEM}${day}`;
}

/** The sort key of an experiment's totals: its split step and the first version it counts. */
export function experimentSetKey(stepId: string, fromVersion: string): string {
  return `${EXPERIMENT_ITEM}${part(stepId)}#${part(fromVersion)}`;
}

/**
 * A count attribute of an experiment's totals read back into its metric and
 * variant; undefined for sums, keys, guard slots and anything else.
 */
export function parseExperimentAttribute(name: string): { metric: string; variant: string } | undefined {
  if (PREFIXES.some(([prefix]) => name.startsWith(prefix))) return undefined;
  const first = name.indexOf('#');
  const second = first < 0 ? -1 : name.indexOf('#', first + 1);
  if (second < 0) return undefined;
  const metric = unpart(name.slice(0, first));
  return metric === undefined ? undefined : { metric, variant: name.slice(second + 1) };
}

/**
 * A counter's attribute in its set. The variant comes last, as it is: the
 * parts before it are encoded, so the first two `#` end them.
 */
export function counterAttribute(key: CounterKey): string {
  const head = `${part(key.metric)}#${part(key.reason)}`;
  return key.variant === undefined ? head : `${head}#${key.variant}`;
}

/** A day counter's attribute in its day's set. */
export function dayAttribute(key: DayKey): string {
  return `${part(key.metric)}#${part(key.channel)}`;
}

/** The attribute of a counter's sum (a money value), beside its count. */
export function sumAttribute(countAttribute: string): string {
  return `${SUM}${countAttribute}`;
}

/** The attribute of how many values a counter's sum adds up (added in the same write as the sum). */
export function valuedAttribute(countAttribute: string): string {
  return `${VALUED}${countAttribute}`;
}

/** The attribute a counter's sum had before the number of its values was kept (read only). */
export function priorSumAttribute(countAttribute: string): string {
  return `${PRIOR_SUM}${countAttribute}`;
}

/**
 * The version whose counters an item of the stats table keeps: a version or
 * step item's, or one counter's of the first layout; undefined for a day's
 * items (they expire on their own) and anything else.
 */
export function versionOfItem(sk: string): string | undefined {
  if (sk.startsWith(DAY_ITEM) || sk.startsWith(DAY_PREFIX)) return undefined;
  const counterSet = sk.startsWith(VERSION_ITEM) || sk.startsWith(STEP_ITEM);
  if (sk.startsWith('=') && !counterSet) return undefined;
  const [version] = (counterSet ? sk.slice(VERSION_ITEM.length) : sk).split('#');
  if (version === undefined || version === '') return undefined;
  try {
    return decodeURIComponent(version);
  } catch {
    return undefined;
  }
}

/** Whether a sort key is a counter set's (the second layout) rather than one counter's. */
export function isCounterSet(sk: string): boolean {
  return sk.startsWith('=');
}

/**
 * `sum`: the values added, with `valued` the number of them; `priorSum`: values added before
 * that number was kept, whose number is not known.
 */
export type SetField = 'count' | 'sum' | 'valued' | 'priorSum';

export type SetEntry =
  | { kind: 'counter'; key: CounterKey; field: SetField }
  | { kind: 'day'; key: DayKey; field: SetField };

const PREFIXES: readonly (readonly [string, SetField])[] = [
  [SUM, 'sum'],
  [VALUED, 'valued'],
  [PRIOR_SUM, 'priorSum'],
];

/**
 * Reads one attribute of a counter set back into its counter, or undefined
 * for the item's keys, its expiry and anything unknown.
 */
export function parseSetAttribute(sk: string, name: string): SetEntry | undefined {
  const field = PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1] ?? 'count';
  const text = field === 'count' ? name : name.slice(1);
  const first = text.indexOf('#');
  if (first < 0) return undefined;
  const second = text.indexOf('#', first + 1);
  const metric = unpart(text.slice(0, first));
  const tail = unpart(text.slice(first + 1, second < 0 ? undefined : second));
  const variant = second < 0 ? undefined : text.slice(second + 1);
  if (metric === undefined) return undefined;
  if (sk.startsWith(DAY_ITEM)) {
    if (variant !== undefined) return undefined;
    const day = sk.slice(DAY_ITEM.length);
    return { kind: 'day', field, key: { day, metric, ...(tail === undefined ? {} : { channel: tail }) } };
  }
  const item = sk.startsWith(VERSION_ITEM) ? 'version' : sk.startsWith(STEP_ITEM) ? 'step' : undefined;
  if (item === undefined) return undefined;
  const [version, step, extra] = sk.slice(VERSION_ITEM.length).split('#');
  if (version === undefined || step === undefined || extra !== undefined) return undefined;
  // A version item's counters without a variant are the journey's own; with one, its split step's.
  const stepId = item === 'version' && variant === undefined ? undefined : unpart(step);
  if (item === 'version' && variant !== undefined && stepId === undefined) return undefined;
  const key: CounterKey = {
    version: decodeURIComponent(version),
    metric,
    ...(stepId === undefined ? {} : { stepId }),
    ...(variant === undefined ? {} : { variant }),
    ...(tail === undefined ? {} : { reason: tail }),
  };
  return { kind: 'counter', field, key };
}
