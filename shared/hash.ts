/**
 * Small deterministic hashes for ids and buckets. Not cryptographic: they
 * spread values evenly and give the same answer on every machine and runtime.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function fnv1a32(text: string, seed = FNV_OFFSET): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** A 128-bit hex digest made of four differently seeded FNV-1a hashes. */
export function hex128(text: string): string {
  return [FNV_OFFSET, 0x01234567, 0x89abcdef, 0x0badf00d]
    .map((seed) => fnv1a32(text, seed).toString(16).padStart(8, '0'))
    .join('');
}
