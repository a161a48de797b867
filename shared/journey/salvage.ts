import type * as z from 'zod';
import { formatPath, type Violation } from './violations.ts';

/**
 * Salvaging a part that failed the schema, so the semantic checks still see
 * the rest of it (a bad quiet hours entry must not hide an unknown time zone,
 * one bad branch or cap must not hide the problems of the others).
 */

/** A list that lost broken items: the original index of each item left, in order. */
export type ListRemap = { list: string; kept: readonly number[] };
export type Salvaged = { value: unknown; remaps: ListRemap[] };

type Item = { list: readonly PropertyKey[]; index: number };

/**
 * The part without what broke it: first only the broken list items (the
 * deepest list on each issue's path); if that does not parse, without the
 * broken top-level fields. `undefined` when a broken field is required or the
 * part is not an object. `at` is where the part sits in the journey.
 */
export function salvage(
  schema: z.ZodType,
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
  at: readonly PropertyKey[],
): Salvaged | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const items = withoutBrokenItems(value, issues, at);
  if (items !== undefined) {
    const parsed = schema.safeParse(items.value);
    if (parsed.success) return { value: parsed.data, remaps: items.remaps };
  }
  const broken = new Set<PropertyKey>();
  for (const issue of issues) {
    const [first] = issue.path;
    if (first !== undefined) broken.add(first);
    else if (issue.code === 'unrecognized_keys') for (const key of issue.keys) broken.add(key);
    else return undefined;
  }
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !broken.has(key)));
  const parsed = schema.safeParse(rest);
  return parsed.success ? { value: parsed.data, remaps: [] } : undefined;
}

function withoutBrokenItems(
  value: object,
  issues: readonly z.core.$ZodIssue[],
  at: readonly PropertyKey[],
): Salvaged | undefined {
  const lists = new Map<string, { path: readonly PropertyKey[]; removed: Set<number> }>();
  for (const issue of issues) {
    const item = deepestItem(value, issue.path);
    if (item === undefined) return undefined;
    const key = formatPath(item.list);
    const entry = lists.get(key) ?? { path: item.list, removed: new Set<number>() };
    entry.removed.add(item.index);
    lists.set(key, entry);
  }
  const copy: unknown = structuredClone(value);
  const remaps: ListRemap[] = [];
  // Deepest lists first: a shallower removal would shift the indices on a deeper list's path.
  const ordered = [...lists.values()].sort((a, b) => b.path.length - a.path.length);
  for (const { path, removed } of ordered) {
    const list = at_(copy, path);
    if (!Array.isArray(list)) return undefined;
    const kept = list.map((_, index) => index).filter((index) => !removed.has(index));
    for (const index of [...removed].sort((a, b) => b - a)) list.splice(index, 1);
    remaps.push({ list: formatPath([...at, ...path]), kept });
  }
  return { value: copy, remaps };
}

function at_(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || typeof segment === 'symbol') return undefined;
    node = Object.hasOwn(node, segment) ? (node as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  return node;
}

function deepestItem(root: unknown, path: readonly PropertyKey[]): Item | undefined {
  let node = root;
  let found: Item | undefined;
  for (const [depth, segment] of path.entries()) {
    if (Array.isArray(node) && typeof segment === 'number' && segment < node.length) {
      found = { list: path.slice(0, depth), index: segment };
    }
    node = at_(node, [segment]);
  }
  return found;
}

/**
 * Violations found on salvaged parts name list items by their position in
 * the salvaged list: this puts back the position in the file.
 */
export function restoreIndices(violations: readonly Violation[], remaps: readonly ListRemap[]): Violation[] {
  // Outer lists first: a deeper list's path is written with the file's own outer indices.
  const ordered = [...remaps].sort((a, b) => a.list.length - b.list.length);
  return violations.map((v) => {
    let path = v.path;
    for (const { list, kept } of ordered) {
      const prefix = `${list}[`;
      if (!path.startsWith(prefix)) continue;
      const close = path.indexOf(']', prefix.length);
      const original = kept[Number(path.slice(prefix.length, close))];
      if (close < 0 || original === undefined) continue;
      path = `${prefix}${original}${path.slice(close)}`;
    }
    return path === v.path ? v : { ...v, path };
  });
}
