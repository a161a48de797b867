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

function hex32(hash: number): string {
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * A 128-bit hex digest made of four differently seeded FNV-1a hashes
 * (fnv1a32 with each seed), computed in one pass over the text: ids and
 * keys of every event and message are made with it.
 */
export function hex128(text: string): string {
  let a = FNV_OFFSET;
  let b = 0x01234567;
  let c = 0x89abcdef;
  let d = 0x0badf00d;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, FNV_PRIME);
    b = Math.imul(b ^ code, FNV_PRIME);
    c = Math.imul(c ^ code, FNV_PRIME);
    d = Math.imul(d ^ code, FNV_PRIME);
  }
  return hex32(a) + hex32(b) + hex32(c) + hex32(d);
}
