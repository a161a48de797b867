import { profileKeys } from '#shared/tables.ts';

/**
 * How a merged profile's item is read: `aliasOf` names the profile it joined
 * (layout in shared/tables.ts). Chains (an anonymous id merged into a userId
 * that was later aliased to another) are followed this many hops at most;
 * merges never close a cycle.
 */
export const MAX_ALIAS_HOPS = 8;

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
