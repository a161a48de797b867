import { type Doc, frozen } from './documents.ts';

/**
 * An item as one JSON string instead of a graph of small objects: a forecast
 * keeps every customer's profile, deliveries and enrollment items, and as
 * text an item takes about a third of the memory (held.ts decides which items
 * are packed).
 *
 * Most items are plain JSON and packed as they are. An item holding a value
 * JSON does not carry (a bigint: every profile's packed event counters; a set;
 * binary; a number JSON cannot write) is packed after a mark, each such value
 * as an object with one tag member: `{"\u0000n": "123"}` a bigint,
 * `{"\u0000f": "Infinity"}` such a number, `{"\u0000b": "<base64>"}` binary,
 * `{"\u0000s": [...]}` a set of such values. A map's own name that starts with
 * "\u0000" gets one more in front, so no name a user chose reads as a tag.
 * Every value comes back as the same type, without the AttributeValue form
 * in between (the profile is packed and unpacked at almost every burst of a
 * customer's calls).
 *
 * An item whose only such values are its own attributes' bigints and sets of
 * strings or of numbers JSON carries (every profile: its event counters, and
 * the set of waits it is in while one is open) is packed after another mark,
 * as the JSON of `[bigint names, set names, item]`, the bigints as their
 * digits and the sets as lists. Unpacking it is one parse and a conversion
 * per name, where tags would need a second copy of every map to find them.
 */

/** The mark in front of an item packed with tags. */
const TAGGED = '\u0000';
/** The mark in front of an item packed with the names of its bigint attributes. */
const NAMED = '\u0001';
const BIGINT = '\u0000n';
const NUMBER = '\u0000f';
const BINARY = '\u0000b';
const SET = '\u0000s';

/** Whether a stored value holds a value JSON does not carry as it is. */
function special(value: unknown): boolean {
  switch (typeof value) {
    case 'bigint':
      return true;
    case 'number':
      return !Number.isFinite(value);
    case 'object': {
      if (value === null) return false;
      if (Array.isArray(value)) {
        for (const x of value) if (special(x)) return true;
        return false;
      }
      if (value instanceof Set || value instanceof Uint8Array) return true;
      for (const key in value) if (special((value as Doc)[key])) return true;
      return false;
    }
    default:
      return false;
  }
}

/** Defines a member as data: `__proto__` is a name like any other in an item. */
function setOwn(map: Doc, name: string, value: unknown): void {
  if (name === '__proto__')
    Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
  else map[name] = value;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function encode(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return { [BIGINT]: value.toString() };
    case 'number':
      return Number.isFinite(value) ? value : { [NUMBER]: String(value) };
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(encode);
      if (value instanceof Uint8Array) return { [BINARY]: base64(value) };
      if (value instanceof Set) return { [SET]: [...value].map(encode) };
      return encodeMap(value as Doc);
    }
    default:
      return value;
  }
}

function encodeMap(map: Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(map))
    setOwn(out, key.startsWith(TAGGED) ? TAGGED + key : key, encode(map[key]));
  return out;
}

/** A packed map's members, its names as they were, each value decoded. */
function decodeMembers(map: Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(map))
    setOwn(out, key.startsWith(TAGGED) ? key.slice(1) : key, decode(map[key]));
  return out;
}

/** A parsed value as stored: tags made into their values, maps and lists frozen (sets and binary cannot be). */
function decode(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return Object.freeze(value.map(decode));
  const map = value as Doc;
  const keys = Object.keys(map);
  const tag = keys.length === 1 ? keys[0] : undefined;
  if (tag?.startsWith(TAGGED) && !tag.startsWith(TAGGED, 1)) {
    const member = map[tag];
    if (tag === BIGINT) return BigInt(String(member));
    if (tag === NUMBER) return Number(member);
    // A copy with its own memory, not a view into Node's shared buffer pool.
    if (tag === BINARY) return new Uint8Array(Buffer.from(String(member), 'base64'));
    if (tag === SET && Array.isArray(member)) return new Set(member.map(decode));
    throw new Error(`A packed item holds an unknown tag ${JSON.stringify(tag)}`);
  }
  return Object.freeze(decodeMembers(map));
}

/** Whether a set's members all come back from JSON as they are (strings, or numbers JSON writes). */
function plainSet(set: Set<unknown>): boolean {
  for (const member of set)
    if (typeof member !== 'string' && (typeof member !== 'number' || !Number.isFinite(member))) return false;
  return true;
}

/** The item's own attributes holding a bigint and a plain set; undefined when another value needs a tag. */
type Named = { bigints: string[]; sets: string[] };

function namedValues(item: Doc): Named | undefined {
  const named: Named = { bigints: [], sets: [] };
  for (const key in item) {
    const value = item[key];
    if (typeof value === 'bigint') named.bigints.push(key);
    else if (value instanceof Set && plainSet(value)) named.sets.push(key);
    else if (special(value)) return undefined;
  }
  return named;
}

/** The item with its named values as JSON carries them: bigints as digits, sets as lists. */
function withNamedAsJson(item: Doc, { bigints, sets }: Named): Doc {
  const out: Doc = {};
  for (const key of Object.keys(item)) setOwn(out, key, item[key]);
  for (const name of bigints) out[name] = String(item[name]);
  for (const name of sets) out[name] = [...(item[name] as Set<unknown>)];
  return out;
}

/**
 * The text as one run of characters. V8 builds a long JSON text from parts
 * joined by reference (a rope: a node per part, each part an object of its
 * own), which it copies into one run only when the text is read; a packed
 * item is kept for long and read seldom, so it is made one run now: about a
 * fifth less memory, and one object for the collector to trace instead of a
 * dozen. Reading the last character makes V8 copy it (the JSON parse of an
 * unpack would have to all the same).
 */
function flat(text: string): string {
  text.charCodeAt(text.length - 1);
  return text;
}

/** An item as one string: its JSON when that carries every value as it is, else marked (see above). */
export function packDoc(item: Doc): string {
  const named = namedValues(item);
  if (named === undefined) return flat(TAGGED + JSON.stringify(encodeMap(item)));
  if (named.bigints.length === 0 && named.sets.length === 0) return flat(JSON.stringify(item));
  return flat(NAMED + JSON.stringify([named.bigints, named.sets, withNamedAsJson(item, named)]));
}

/** A packed item as fresh objects: its maps and lists frozen, the item itself the tables' own (memory-tables.ts). */
export function unpackDoc(text: string): Doc {
  if (text.startsWith(TAGGED)) return decodeMembers(JSON.parse(text.slice(1)));
  if (text.startsWith(NAMED)) {
    const [bigints, sets, item] = JSON.parse(text.slice(1)) as [string[], string[], Doc];
    for (const key in item) frozen(item[key]);
    for (const name of bigints) setOwn(item, name, BigInt(String(item[name])));
    for (const name of sets) setOwn(item, name, new Set(item[name] as unknown[]));
    return item;
  }
  const item: Doc = JSON.parse(text);
  for (const key in item) frozen(item[key]);
  return item;
}
