import { fnv1a32 } from '#shared/hash.ts';

/** A stream of numbers in [0, 1) from a 32-bit seed (mulberry32): the same seed, the same stream. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A stream named by `key` (seeded with the key's FNV-1a hash): the same key
 * gives the same stream in any run, any thread, whatever else was drawn before.
 */
export function randomStream(key: string): () => number {
  return mulberry32(fnv1a32(key));
}
