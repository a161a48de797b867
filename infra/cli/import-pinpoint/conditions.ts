import { DateTime } from 'luxon';
import { ISO_DATE } from '../../../shared/conditions/compare.ts';
import { pathOf as namedPath, PATH_PATTERN } from '../../../shared/conditions/path.ts';
import type { Condition } from '../../../shared/conditions/schema.ts';
import { type ImportLog, pathOf } from './notes.ts';
import type {
  PinpointAttributeDimension,
  PinpointEventDimensions,
  PinpointMetricDimension,
  PinpointSegmentDimensions,
  PinpointSimpleCondition,
} from './schema.ts';
import type { SegmentResolver } from './segments.ts';

/** An event Pinpoint recorded about its own messages (`_email.open`, `_SMS.SUCCESS`). */
const MESSAGE_EVENT = /^_(email|sms|push|voice|inapp)\./i;

const UNMAPPED_TRAIT = 'profile.traits.pinpointUnmappedCondition';

/** A condition no profile meets: stands in for a Pinpoint condition that has no equivalent, so the "false" path is taken. */
function unmappedCondition(): Condition {
  return { path: UNMAPPED_TRAIT, exists: true };
}

/**
 * Stands in for a filter that has no equivalent, in the condition it was part
 * of: met by no event (or customer), so that condition takes in no one the
 * Pinpoint filter kept out. Left out, the filter would widen it — a trigger
 * would enroll, a branch would take, customers Pinpoint did not.
 */
function neverMet(on: 'event' | 'customer', at: string, log: ImportLog): Condition {
  const path = on === 'event' ? 'event.properties.pinpointUnmappedFilter' : UNMAPPED_TRAIT;
  log.note(
    at,
    `No ${on} meets this filter here: it stands as ${path} exists, so the condition it is part of holds for no ${on} until you rewrite it (left out, it would take in ${on}s Pinpoint did not).`,
  );
  return { path, exists: true };
}

/** Where a Pinpoint segment id is looked up: profiles tagged with the segments they belonged to. */
export function segmentMembership(segmentId: string): Condition {
  return { path: 'profile.traits.pinpointSegments', contains: segmentId };
}

/** Joins conditions, each once: none → undefined, one → itself, more → all/any. */
export function combine(conditions: Condition[], operator: 'all' | 'any' = 'all'): Condition | undefined {
  const written = conditions.map((c) => JSON.stringify(c));
  const unique = conditions.filter((_, i) => written.indexOf(written[i] ?? '') === i);
  if (unique.length <= 1) return unique[0];
  return operator === 'all' ? { all: unique } : { any: unique };
}

/** The single event name of an `EventType` dimension, or undefined (with a note or problem) when there is none. */
export function eventNameOf(
  dimensions: PinpointEventDimensions | undefined,
  at: string,
  log: ImportLog,
): string | undefined {
  const type = dimensions?.EventType;
  if (type !== undefined && type.DimensionType !== 'EXCLUSIVE' && type.Values.length > 1) {
    log.note(
      pathOf(at, 'EventType', 'Values'),
      `Only the first event, "${type.Values[0]}", is used; ${type.Values.slice(1).join(', ')} need a journey (or branch) of their own.`,
    );
  }
  const [first] = eventNamesOf(dimensions, at, log, 1);
  return first;
}

/** Every event name of an `EventType` dimension (the first `limit`), each noted when it is not a customer event here. */
export function eventNamesOf(
  dimensions: PinpointEventDimensions | undefined,
  at: string,
  log: ImportLog,
  limit = Number.POSITIVE_INFINITY,
): string[] {
  const type = dimensions?.EventType;
  if (type === undefined || type.Values.length === 0) return [];
  if (type.DimensionType === 'EXCLUSIVE') {
    log.note(pathOf(at, 'EventType'), `"any event except ${type.Values.join(', ')}" has no equivalent here.`);
    return [];
  }
  const names = type.Values.slice(0, limit);
  for (const name of names) {
    if (MESSAGE_EVENT.test(name))
      log.note(
        pathOf(at, 'EventType', 'Values'),
        `"${name}" is a message event Pinpoint recorded: here delivery feedback is not a customer event, so this never happens unless your app puts "${name}" on the bus. Branch on what a message did with onOutcome on its step.`,
      );
    else if (name.startsWith('_'))
      log.note(
        pathOf(at, 'EventType', 'Values'),
        `"${name}" is an event Pinpoint recorded itself; it arrives here only if your app or a rule puts it on the bus under that name.`,
      );
  }
  return names;
}

/** `Attributes` and `Metrics` of event dimensions as conditions on `event.properties.*`. */
export function eventPropertyConditions(
  dimensions: PinpointEventDimensions | undefined,
  at: string,
  log: ImportLog,
): Condition[] {
  const out: Condition[] = [];
  for (const [name, dim] of Object.entries(dimensions?.Attributes ?? {})) {
    const where = pathOf(at, 'Attributes', name);
    const c = propertyPath('event.properties', name, where, log);
    const mapped = c === undefined ? undefined : attributeCondition(c, dim, where, log);
    if (mapped !== undefined) out.push(mapped);
    else if (dim.Values.length > 0) out.push(neverMet('event', where, log));
  }
  for (const [name, dim] of Object.entries(dimensions?.Metrics ?? {})) {
    const where = pathOf(at, 'Metrics', name);
    const c = propertyPath('event.properties', name, where, log);
    const mapped = c === undefined ? undefined : metricCondition(c, dim, where, log);
    out.push(mapped ?? neverMet('event', where, log));
  }
  return out;
}

function propertyPath(prefix: string, name: string, at: string, log: ImportLog): string | undefined {
  // A name with a dot (utm.source), a quote or a parenthesis is one name: written in brackets, not as a nested path.
  const path = namedPath(prefix, [name]);
  if (PATH_PATTERN.test(path)) return path;
  log.note(
    at,
    `The attribute name "${name}" cannot be written as a path (${prefix}.<name>): no data holds it.`,
  );
  return undefined;
}

/**
 * A Pinpoint attribute value, which is always text, with the number or
 * boolean it writes: profiles keep traits typed ("3" is the trait 3, "true" is
 * true), and comparisons here are strict about types. Only the canonical
 * spelling has a twin ("3.50" stays text).
 */
function withTypedTwin(value: string): (string | number | boolean)[] {
  if (value === 'true' || value === 'false') return [value, value === 'true'];
  const number = Number(value);
  return value.trim() !== '' && Number.isFinite(number) && String(number) === value
    ? [value, number]
    : [value];
}

/**
 * Equal to one of the values, or — Pinpoint attributes are lists, and a
 * customer's trait may be one — a list holding one of them. `contains` alone
 * would also take text containing a value ("golden" for "gold"), so the list
 * test first makes sure the value is not text (every text starts with "").
 */
function equalsOrListed(path: string, scalars: (string | number | boolean)[], lists: boolean): Condition {
  const [only] = scalars;
  const equals: Condition =
    scalars.length === 1 && only !== undefined ? { path, eq: only } : { path, in: scalars };
  if (!lists) return equals;
  const listed = combine(
    scalars.map((value) => ({ path, contains: value })),
    'any',
  );
  if (listed === undefined) return equals;
  return { any: [equals, { all: [{ not: { path, startsWith: '' } }, listed] }] };
}

/**
 * One Pinpoint attribute filter as a condition on `path`; `lists` when the
 * attribute is an endpoint's or user's (a list in Pinpoint), not an event's.
 */
function attributeCondition(
  path: string,
  dim: PinpointAttributeDimension,
  at: string,
  log: ImportLog,
  lists = false,
): Condition | undefined {
  const values = dim.Values;
  const [first, second] = values;
  if (first === undefined) return undefined;
  const equals = equalsOrListed(path, values.flatMap(withTypedTwin), lists);
  const type = dim.AttributeType ?? 'INCLUSIVE';
  switch (type) {
    case 'INCLUSIVE':
      return equals;
    case 'EXCLUSIVE':
      return { not: equals };
    case 'CONTAINS':
      return combine(
        values.map((v) => ({ path, contains: v })),
        'any',
      );
    case 'BEFORE':
    case 'AFTER':
    case 'BETWEEN':
      return dateRange(path, type, first, second, at, log);
    case 'ON':
      return onDay(path, first, at, log);
  }
}

/** An ISO 8601 date as the UTC instant Pinpoint read it: one without an offset gets `Z`. */
function inUtc(value: string): string {
  const text = value.replace(' ', 'T');
  if (/[Zz]$|[+-]\d\d(:?\d\d)?$/.test(text) && text.includes('T')) return value;
  return DateTime.fromISO(text, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? value;
}

/**
 * BEFORE / AFTER / BETWEEN compare dates; a value that is no ISO 8601 date
 * cannot be compared here (text compares letter by letter), so the filter is
 * left out with a note, as for ON.
 */
function dateRange(
  path: string,
  type: 'BEFORE' | 'AFTER' | 'BETWEEN',
  first: string,
  second: string | undefined,
  at: string,
  log: ImportLog,
): Condition | undefined {
  const notDate = (type === 'BETWEEN' ? [first, second] : [first]).find(
    (v) => v !== undefined && !ISO_DATE.test(v),
  );
  if (notDate !== undefined) {
    log.note(
      at,
      `"${type} ${notDate}": "${notDate}" is not an ISO 8601 date, which only text could be compared with.`,
    );
    return undefined;
  }
  // Pinpoint compared dates in UTC; a date without an offset here is the customer's local time.
  const from = inUtc(first);
  const to = second === undefined ? undefined : inUtc(second);
  switch (type) {
    case 'BEFORE':
      return { path, lt: from };
    case 'AFTER':
      return { path, gt: from };
    case 'BETWEEN':
      if (to === undefined) return { path, gte: from };
      return {
        all: [
          { path, gte: from },
          { path, lte: to },
        ],
      };
  }
}

/**
 * ON: the value, read as an instant, falls on the day of `value` in UTC (Pinpoint
 * ignores the time). Compared as instants, so a value written with another
 * offset is placed on its UTC day, not on the day its text starts with.
 */
function onDay(path: string, value: string, at: string, log: ImportLog): Condition | undefined {
  const day = DateTime.fromISO(value, { zone: 'utc' });
  if (!day.isValid) {
    log.note(at, `"ON ${value}" is not an ISO 8601 date.`);
    return undefined;
  }
  const start = day.startOf('day');
  const iso = (d: DateTime) => d.toISO({ suppressMilliseconds: true }) ?? '';
  return {
    all: [
      { path, gte: iso(start) },
      { path, lt: iso(start.plus({ days: 1 })) },
    ],
  };
}

function metricCondition(
  path: string,
  dim: PinpointMetricDimension,
  at: string,
  log: ImportLog,
): Condition | undefined {
  const value = dim.Value;
  switch (dim.ComparisonOperator) {
    case 'GREATER_THAN':
      return { path, gt: value };
    case 'GREATER_THAN_OR_EQUAL':
      return { path, gte: value };
    case 'LESS_THAN':
      return { path, lt: value };
    case 'LESS_THAN_OR_EQUAL':
      return { path, lte: value };
    case 'EQUAL':
      return { path, eq: value };
    default:
      log.note(at, `Unknown comparison "${dim.ComparisonOperator}".`);
      return undefined;
  }
}

/**
 * A Pinpoint simple condition checked at one moment (a branch): an event becomes
 * "performed within the evaluation window", a segment becomes a membership trait,
 * segment attribute dimensions become `profile.traits.*` comparisons.
 */
export function branchCondition(
  condition: PinpointSimpleCondition | undefined,
  window: string | undefined,
  at: string,
  log: ImportLog,
  segments?: SegmentResolver,
): Condition {
  const parts: Condition[] = [];
  const event = condition?.EventCondition;
  if (event !== undefined) parts.push(...eventHistoryConditions(event, window, at, log));
  if (condition?.SegmentCondition !== undefined) {
    const segmentId = condition.SegmentCondition.SegmentId;
    const resolved = segments?.(segmentId, pathOf(at, 'SegmentCondition'));
    parts.push(resolved ?? segmentMembership(segmentId));
    if (resolved === undefined)
      log.note(
        pathOf(at, 'SegmentCondition'),
        `Pinpoint segments do not exist here: "in segment ${segmentId}" became profile.traits.pinpointSegments contains "${segmentId}"; re-express the segment as profile conditions.`,
      );
  }
  parts.push(...segmentDimensionConditions(condition, at, log));
  const combined = combine(parts);
  if (combined !== undefined) return combined;
  log.note(at, 'This condition could not be mapped; it was replaced by one no customer meets. Rewrite it.');
  return unmappedCondition();
}

/** An event condition of a split as event history: performed within the window, by name. */
function eventHistoryConditions(
  event: NonNullable<PinpointSimpleCondition['EventCondition']>,
  window: string | undefined,
  at: string,
  log: ImportLog,
): Condition[] {
  const eventAt = pathOf(at, 'EventCondition', 'Dimensions');
  const asked = event.Dimensions?.EventType?.Values.find((name) => MESSAGE_EVENT.test(name));
  if (event.MessageActivity !== undefined && asked !== undefined) {
    // Delivery feedback answers the message's own step, never an event count: everyone would take the "no" path.
    log.note(
      pathOf(at, 'EventCondition', 'MessageActivity'),
      `This split asks what message activity "${event.MessageActivity}" did ("${asked}"): only a split right after that message (its only way in, asking of it alone sent, delivered, opened, clicked, hard bounce or SMS success/failure) can ask that here, as that step's onOutcome. The condition is refused: it stands as one no customer meets, so everyone takes the "no" path until you move the split right after "${event.MessageActivity}" or rewrite it.`,
    );
    return [neverMet('customer', pathOf(at, 'EventCondition'), log)];
  }
  const names = eventNamesOf(event.Dimensions, eventAt, log);
  const performed = combine(
    names.map((n) => (window === undefined ? { performed: n } : { performed: n, within: window })),
    'any',
  );
  // An event type that has no equivalent (any event except…) is a filter met by no customer.
  if (performed === undefined)
    return event.Dimensions?.EventType === undefined
      ? []
      : [neverMet('customer', pathOf(eventAt, 'EventType'), log)];
  const name = names.join('" or "');
  if (window === undefined)
    log.note(
      eventAt,
      `"${name}" is counted over the customer's whole history, also before this journey: Pinpoint counted it since the customer reached the split, and only an evaluation wait given as a duration (WaitFor) bounds the window here.`,
    );
  if (event.MessageActivity !== undefined)
    log.note(
      pathOf(at, 'EventCondition', 'MessageActivity'),
      'Pinpoint tied this event to one message activity; the imported check counts the event by name, from any message.',
    );
  const filtered =
    Object.keys(event.Dimensions?.Attributes ?? {}).length > 0 ||
    Object.keys(event.Dimensions?.Metrics ?? {}).length > 0;
  if (!filtered) return [performed];
  log.note(
    eventAt,
    'Event history counts events by name only: its attribute and metric filters have no equivalent in a split.',
  );
  return [performed, neverMet('customer', eventAt, log)];
}

/**
 * A segment's attribute dimensions as `profile.traits.*` conditions, with the
 * paths of the attribute dimensions and of the other dimension groups
 * (demographic, location, behaviour…) that have no equivalent.
 */
function attributeDimensions(
  dims: PinpointSegmentDimensions,
  at: string,
  log: ImportLog,
): { conditions: Condition[]; unmapped: string[]; others: string[] } {
  const conditions: Condition[] = [];
  const unmapped: string[] = [];
  const { Attributes, UserAttributes, ...rest } = dims;
  for (const [group, attributes] of [
    ['Attributes', Attributes],
    ['UserAttributes', UserAttributes],
  ] as const) {
    for (const [name, dim] of Object.entries(attributes ?? {})) {
      const where = pathOf(at, group, name);
      const path = propertyPath('profile.traits', name, where, log);
      const mapped = path === undefined ? undefined : attributeCondition(path, dim, where, log, true);
      if (mapped === undefined) unmapped.push(where);
      else conditions.push(mapped);
    }
  }
  return { conditions, unmapped, others: Object.keys(rest) };
}

/**
 * Segment dimensions as `profile.traits.*` conditions, all or nothing: the
 * conditions, or the paths of the dimensions that have no equivalent (a
 * segment left with part of its filters would take in customers it did not).
 */
export function strictDimensionConditions(
  dims: PinpointSegmentDimensions,
  at: string,
  log: ImportLog,
): { ok: true; conditions: Condition[] } | { ok: false; unmapped: string[] } {
  const { conditions, unmapped, others } = attributeDimensions(dims, at, log);
  const missing = [...unmapped, ...others.map((other) => pathOf(at, other))];
  return missing.length === 0 ? { ok: true, conditions } : { ok: false, unmapped: missing };
}

function segmentDimensionConditions(
  condition: PinpointSimpleCondition | undefined,
  at: string,
  log: ImportLog,
): Condition[] {
  const key = condition?.SegmentDimensions === undefined ? 'segmentDimensions' : 'SegmentDimensions';
  const dims = condition?.[key];
  if (dims === undefined) return [];
  const { conditions, unmapped, others } = attributeDimensions(dims, pathOf(at, key), log);
  const never = unmapped.map((where) => neverMet('customer', where, log));
  for (const other of others) {
    const where = pathOf(at, key, other);
    log.note(where, `Segment ${other} dimensions (endpoint data Pinpoint kept) have no equivalent here.`);
    never.push(neverMet('customer', where, log));
  }
  return [...conditions, ...never];
}
