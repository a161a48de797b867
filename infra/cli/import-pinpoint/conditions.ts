import { DateTime } from 'luxon';
import { ISO_DATE } from '../../../shared/conditions/compare.ts';
import { PATH_PATTERN } from '../../../shared/conditions/path.ts';
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

const PATH_SEGMENT = /^[A-Za-z0-9_$@:-]+( [A-Za-z0-9_$@:-]+)*$/;

/** A condition no profile meets: stands in for a Pinpoint condition that has no equivalent, so the "false" path is taken. */
function unmappedCondition(): Condition {
  return { path: 'profile.traits.pinpointUnmappedCondition', exists: true };
}

/** Where a Pinpoint segment id is looked up: profiles tagged with the segments they belonged to. */
export function segmentMembership(segmentId: string): Condition {
  return { path: 'profile.traits.pinpointSegments', contains: segmentId };
}

/** Joins conditions: none → undefined, one → itself, more → all/any. */
export function combine(conditions: Condition[], operator: 'all' | 'any' = 'all'): Condition | undefined {
  if (conditions.length <= 1) return conditions[0];
  return operator === 'all' ? { all: conditions } : { any: conditions };
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
    log.note(
      pathOf(at, 'EventType'),
      `"any event except ${type.Values.join(', ')}" has no equivalent; the condition is left out.`,
    );
    return [];
  }
  const names = type.Values.slice(0, limit);
  for (const name of names) {
    if (/^_(email|sms|push|voice|inapp)\./i.test(name))
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
    const c = propertyPath('event.properties', name, pathOf(at, 'Attributes', name), log);
    const mapped =
      c === undefined ? undefined : attributeCondition(c, dim, pathOf(at, 'Attributes', name), log);
    if (mapped !== undefined) out.push(mapped);
  }
  for (const [name, dim] of Object.entries(dimensions?.Metrics ?? {})) {
    const c = propertyPath('event.properties', name, pathOf(at, 'Metrics', name), log);
    const mapped = c === undefined ? undefined : metricCondition(c, dim, pathOf(at, 'Metrics', name), log);
    if (mapped !== undefined) out.push(mapped);
  }
  return out;
}

function propertyPath(prefix: string, name: string, at: string, log: ImportLog): string | undefined {
  if (PATH_SEGMENT.test(name)) return `${prefix}.${name}`;
  // A name with a dot (utm.source) is one name: written in brackets, not as a nested path.
  const bracketed = `${prefix}['${name}']`;
  if (PATH_PATTERN.test(bracketed)) return bracketed;
  log.note(
    at,
    `The attribute name "${name}" cannot be written as a path (${prefix}.<name>); the filter is left out.`,
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
    log.note(at, `"${type} ${notDate}": "${notDate}" is not an ISO 8601 date; the filter is left out.`);
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
    log.note(at, `"ON ${value}" is not an ISO 8601 date; the filter is left out.`);
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
      log.note(at, `Unknown comparison "${dim.ComparisonOperator}"; the filter is left out.`);
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
  if (event !== undefined) {
    const eventAt = pathOf(at, 'EventCondition', 'Dimensions');
    const names = eventNamesOf(event.Dimensions, eventAt, log);
    const performed = combine(
      names.map((n) => (window === undefined ? { performed: n } : { performed: n, within: window })),
      'any',
    );
    if (performed !== undefined) parts.push(performed);
    const name = names.join('" or "');
    if (names.length > 0 && window === undefined)
      log.note(
        eventAt,
        `"${name}" is counted over the customer's whole history, also before this journey: Pinpoint counted it since the customer reached the split, and only an evaluation wait given as a duration (WaitFor) bounds the window here.`,
      );
    if (event.Dimensions?.Attributes !== undefined || event.Dimensions?.Metrics !== undefined) {
      log.note(
        eventAt,
        'Event history counts events by name only: the attribute and metric filters are left out.',
      );
    }
    if (event.MessageActivity !== undefined) {
      log.note(
        pathOf(at, 'EventCondition', 'MessageActivity'),
        'Pinpoint tied this event to one message activity; the imported check counts the event by name, from any message.',
      );
    }
  }
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
  const { conditions, others } = attributeDimensions(dims, pathOf(at, key), log);
  for (const other of others) {
    log.note(
      pathOf(at, key, other),
      `Segment ${other} dimensions (endpoint data Pinpoint kept) have no equivalent; the filter is left out.`,
    );
  }
  return conditions;
}
