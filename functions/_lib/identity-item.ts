import { profileKeys } from '#shared/tables.ts';

/**
 * How a merged profile's item is read: `aliasOf` names the profile it joined
 * (layout in shared/tables.ts). Chains (an anonymous id merged into a userId
 * that was later aliased to another) are followed this many hops at most, and
 * a merge that would make one longer is refused (`aliasDepth` on the profile
 * at a chain's end says how long its longest chain is), so every id reaches
 * its profile; merges never close a cycle.
 */
export const MAX_ALIAS_HOPS = 8;

/** The most hops from any id merged into this profile to it; 0 when none was. */
export function aliasDepth(item: Readonly<Record<string, unknown>> | undefined): number {
  const depth = item?.[profileKeys.aliasDepth];
  return typeof depth === 'number' && Number.isInteger(depth) && depth > 0 ? depth : 0;
}

export type AliasState = 'merging' | 'merged';

/** The key a profile item was merged into, if it is an alias item. */
export function aliasTarget(item: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const target = item?.[profileKeys.aliasOf];
  return typeof target === 'string' && target !== '' ? target : undefined;
}

export function aliasState(item: Readonly<Record<string, unknown>> | undefined): AliasState | undefined {
  const state = item?.[profileKeys.aliasState];
  return state === 'merging' || state === 'merged' ? state : undefined;
}
