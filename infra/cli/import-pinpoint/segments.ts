import type { Condition } from '../../../shared/conditions/schema.ts';
import { combine, strictDimensionConditions } from './conditions.ts';
import { type ImportLog, pathOf } from './notes.ts';
import { PinpointSegment } from './schema.ts';

/** Pinpoint segments by id, from `aws pinpoint get-segment` or `get-segments` output. */
export type SegmentCatalog = ReadonlyMap<string, PinpointSegment>;

/** A segment id as profile conditions, with a note either way; undefined when it cannot be one. */
export type SegmentResolver = (segmentId: string, at: string) => Condition | undefined;

/**
 * The segments of a parsed export: `get-segment` output (`SegmentResponse`),
 * `get-segments` output (`SegmentsResponse.Item`), one segment or a list of
 * them; undefined when the value is none of these.
 */
export function segmentsIn(value: unknown): PinpointSegment[] | undefined {
  const inner = isObject(value) ? (value.SegmentResponse ?? value.SegmentsResponse ?? value) : value;
  const list =
    isObject(inner) && Array.isArray(inner.Item) ? inner.Item : Array.isArray(inner) ? inner : [inner];
  const parsed = list.map((item) => (looksLikeSegment(item) ? PinpointSegment.safeParse(item) : undefined));
  const segments = parsed.flatMap((p) => (p?.success === true ? [p.data] : []));
  return segments.length === list.length && segments.length > 0 ? segments : undefined;
}

/** A segment has an Id and is defined by dimensions, groups or an import, never by activities. */
export function looksLikeSegment(value: unknown): boolean {
  if (!isObject(value)) return false;
  const inner = value.SegmentResponse ?? value;
  return (
    isObject(inner) &&
    !('Activities' in inner) &&
    ('Dimensions' in inner ||
      'SegmentGroups' in inner ||
      'SegmentType' in inner ||
      'ImportDefinition' in inner)
  );
}

type Mapped = { ok: true; condition: Condition | undefined } | { ok: false; why: string };

/**
 * Resolves segment ids against the exported segments: a dimensional segment
 * becomes profile conditions when every one of its filters has an equivalent;
 * otherwise (an imported list, a demographic, location or behaviour filter, a
 * segment of no filters) it does not, and the note says why. All or nothing:
 * a segment with some filters left out would take in customers it did not.
 */
export function segmentResolver(catalog: SegmentCatalog, log: ImportLog): SegmentResolver {
  return (segmentId, at) => {
    const segment = catalog.get(segmentId);
    const name = segment?.Name === undefined ? segmentId : `"${segment.Name}" (${segmentId})`;
    const mapped = segmentCondition(segmentId, catalog, new Set(), log);
    if (mapped.ok && mapped.condition !== undefined) {
      log.note(
        at,
        `Segment ${name} became profile conditions from its filters: its endpoint and user attributes are profile traits here.`,
      );
      return mapped.condition;
    }
    const why = mapped.ok ? 'it has no filters (every endpoint)' : mapped.why;
    log.note(at, `Segment ${name} could not become profile conditions: ${why}.`);
    return undefined;
  };
}

function segmentCondition(id: string, catalog: SegmentCatalog, seen: Set<string>, log: ImportLog): Mapped {
  const segment = catalog.get(id);
  if (segment === undefined) return { ok: false, why: `segment ${id} is not in the segments export` };
  if (seen.has(id)) return { ok: false, why: `segment ${id} is built from itself` };
  if (segment.SegmentType === 'IMPORT')
    return { ok: false, why: `segment ${id} is an imported list of endpoints; tag its members instead` };
  const at = pathOf(`segments[${JSON.stringify(id)}]`);
  const parts: Condition[] = [];
  if (segment.Dimensions !== undefined) {
    const dims = strictDimensionConditions(segment.Dimensions, pathOf(at, 'Dimensions'), log);
    if (!dims.ok) return unmapped(dims.unmapped);
    parts.push(...dims.conditions);
  }
  const groups = segment.SegmentGroups;
  if (groups !== undefined) {
    const mapped = groupsCondition(groups, at, catalog, new Set([...seen, id]), log);
    if (!mapped.ok) return mapped;
    if (mapped.condition !== undefined) parts.push(mapped.condition);
  }
  return { ok: true, condition: combine(parts) };
}

function groupsCondition(
  groups: NonNullable<PinpointSegment['SegmentGroups']>,
  at: string,
  catalog: SegmentCatalog,
  seen: Set<string>,
  log: ImportLog,
): Mapped {
  const mapped: (Condition | undefined)[] = [];
  for (const [i, group] of (groups.Groups ?? []).entries()) {
    const groupAt = pathOf(at, 'SegmentGroups', 'Groups', i);
    const filters: Condition[] = [];
    for (const [j, dims] of (group.Dimensions ?? []).entries()) {
      const one = strictDimensionConditions(dims, pathOf(groupAt, 'Dimensions', j), log);
      if (!one.ok) return unmapped(one.unmapped);
      const all = combine(one.conditions);
      if (all !== undefined) filters.push(all);
    }
    const sources: Condition[] = [];
    let everyone = false;
    for (const source of group.SourceSegments ?? []) {
      const one = segmentCondition(source.Id, catalog, seen, log);
      if (!one.ok) return one;
      if (one.condition === undefined) everyone = true;
      else sources.push(one.condition);
    }
    const filter = applyType(filters, group.Type ?? 'ALL');
    // A source segment of every endpoint restricts nothing: with ANY, the sources restrict nothing.
    const source =
      group.SourceType === 'ANY' && everyone
        ? undefined
        : combine(sources, group.SourceType === 'ANY' ? 'any' : 'all');
    mapped.push(combine([source, filter].filter((c) => c !== undefined)));
  }
  const include = groups.Include ?? 'ALL';
  const restricted = mapped.filter((c) => c !== undefined);
  if (include === 'ANY' && restricted.length < mapped.length) return { ok: true, condition: undefined };
  return { ok: true, condition: applyType(restricted, include) };
}

/** ALL: every condition; ANY: one of them; NONE: none of them. */
function applyType(conditions: Condition[], type: 'ALL' | 'ANY' | 'NONE'): Condition | undefined {
  if (type === 'NONE') {
    const any = combine(conditions, 'any');
    return any === undefined ? undefined : { not: any };
  }
  return combine(conditions, type === 'ANY' ? 'any' : 'all');
}

function unmapped(paths: readonly string[]): Mapped {
  return { ok: false, why: `${paths.join(', ')} ha${paths.length === 1 ? 's' : 've'} no equivalent here` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
