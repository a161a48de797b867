import { UNSTORABLE_KEY, UnstorableKeyError } from '#functions/_lib/clients/dynamo-documents.ts';
import { isDataMap } from '#shared/dictionary.ts';
import { fromAttribute, toAttribute } from './convert.ts';

/**
 * Items as the document client reads them back: plain objects, arrays,
 * strings, numbers (bigints past the safe range), booleans, null, Sets
 * (string, number or binary sets) and Uint8Arrays. The in-memory tables
 * keep items in this shape and answer document calls with it, so a call
 * converts nothing to DynamoDB's AttributeValue form and back; what is
 * stored is exactly what marshalling the written value and unmarshalling
 * it again would give (the plain cases directly, every other value through
 * the SDK's own conversions, with its results and errors).
 */

export type Doc = Record<string, unknown>;

/**
 * The stored form of one written value: `fromAttribute(toAttribute(value))`,
 * as fresh objects the writer holds no reference to. Maps and lists are
 * frozen: stored values are shared, between the versions of an item and with
 * the callers that read them (sets and binary, which cannot be frozen, are
 * copied for a caller: `readable`).
 */
export function storedValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // The number's text read back: the same number, except −0, whose text is "0".
      if (Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER)
        return value === 0 ? 0 : value;
      break;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const list: unknown[] = [];
        for (const element of value)
          if (element !== undefined && typeof element !== 'function') list.push(storedValue(element));
        return Object.freeze(list);
      }
      if (isDataMap(value)) return storedItem(value);
      break;
    }
  }
  return frozen(fromAttribute(toAttribute(value)));
}

/** `value` with every map and list in it frozen (sets and binary cannot be). */
export function frozen<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Set || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) for (const x of value) frozen(x);
  else for (const key in value) frozen((value as Doc)[key]);
  return Object.freeze(value);
}

/** The stored form of a written item (or key, or expression values): as marshall with the product's options, then unmarshall. */
export function storedItem(value: object): Doc {
  return Object.freeze(storedRequestItem(value));
}

/**
 * storedItem for a request's item, key or values: a new object only the
 * tables hold, so its top level is not frozen (an item put is the tables'
 * own until a reader gets it: memory-tables.ts); its maps and lists are.
 */
export function storedRequestItem(value: object): Doc {
  const item: Doc = {};
  for (const key in value) {
    if (key === UNSTORABLE_KEY) throw new UnstorableKeyError([key]);
    const v: unknown = Reflect.get(value, key);
    if (v !== undefined && typeof v !== 'function') item[key] = storedValue(v);
  }
  return item;
}

/**
 * storedRequestItem for a request's ExpressionAttributeValues: the caller's
 * object itself when every value in it is already in its stored form
 * (strings, booleans, null, safe numbers other than −0: nearly every
 * request). The tables only read the values during the call, and what they
 * store of one of these is the value itself, not the object holding it.
 */
export function storedRequestValues(values: object): Doc {
  const prototype: unknown = Object.getPrototypeOf(values);
  if (prototype !== Object.prototype && prototype !== null) return storedRequestItem(values);
  for (const key in values) {
    if (key === UNSTORABLE_KEY || !storedAsItIs(Reflect.get(values, key))) return storedRequestItem(values);
  }
  return values as Doc;
}

/**
 * storedRequestItem for a request's Key or ExclusiveStartKey: the caller's
 * object itself when each attribute is a string or a safe number other than
 * −0 (every key the product writes). The tables read a key during the call,
 * and an update that makes an item from its key makes it from a copy.
 */
export function storedRequestKey(key: object): Doc {
  const prototype: unknown = Object.getPrototypeOf(key);
  if (prototype !== Object.prototype && prototype !== null) return storedRequestItem(key);
  for (const name in key) {
    const value: unknown = Reflect.get(key, name);
    if (
      name === UNSTORABLE_KEY ||
      !(typeof value === 'string' || (typeof value === 'number' && storedAsItIs(value)))
    )
      return storedRequestItem(key);
  }
  return key as Doc;
}

/** Whether a written value is its own stored form (storedValue gives it back); undefined is left out either way. */
function storedAsItIs(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return Math.abs(value) <= Number.MAX_SAFE_INTEGER && !Object.is(value, -0);
    case 'object':
      return value === null;
    default:
      return false;
  }
}

/**
 * A stored item as a caller gets it: the item itself, frozen, when nothing in
 * it can be changed; else a copy (a set or binary value inside), so no caller
 * can change what is stored.
 */
export function readable(item: Doc): Doc {
  for (const key in item) if (key === UNSTORABLE_KEY || mutable(item[key])) return copyItem(item);
  return item;
}

/**
 * Whether a caller must get a copy of a value: it holds a set or binary, or a
 * map holds `__proto__` (an update may write it inside a map; the document
 * client reads it back by assignment, which drops it, and so does the copy).
 */
function mutable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Set || value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (const x of value) if (mutable(x)) return true;
    return false;
  }
  for (const key in value) if (key === UNSTORABLE_KEY || mutable((value as Doc)[key])) return true;
  return false;
}

/** A stored value as fresh objects. */
export function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const list = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) list[i] = copyValue(value[i]);
    return list;
  }
  if (value instanceof Set) return new Set([...value].map(copyValue));
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return copyItem(value as Doc);
}

export function copyItem(item: Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(item)) out[key] = copyValue(item[key]);
  return out;
}

/** DynamoDB's type of a stored value (S, N, B, BOOL, NULL, M, L, SS, NS, BS). */
export function typeName(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'S';
    case 'number':
    case 'bigint':
      return 'N';
    case 'boolean':
      return 'BOOL';
    case 'object':
      if (value === null) return 'NULL';
      if (Array.isArray(value)) return 'L';
      if (value instanceof Uint8Array) return 'B';
      if (value instanceof Set) {
        const first: unknown = value.values().next().value;
        return typeof first === 'string' ? 'SS' : first instanceof Uint8Array ? 'BS' : 'NS';
      }
      return 'M';
    default:
      return '?';
  }
}

export function isNumber(value: unknown): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

export function isMap(value: unknown): value is Doc {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Set) &&
    !(value instanceof Uint8Array)
  );
}

/** A number's text as DynamoDB holds it (as the document client writes it). */
export function numberText(value: number | bigint): string {
  return String(value);
}

/** A number's text as the document client reads it back. */
export function numberFrom(text: string): unknown {
  return fromAttribute({ N: text });
}

/** A key attribute as the string it is found under: a string's text or a number's; else the schema does not match. */
export function keyText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (isNumber(value)) return numberText(value);
  const error = new Error(`The provided key element does not match the schema (${what})`);
  error.name = 'ValidationException';
  throw error;
}

/** Item size as DynamoDB counts it: attribute names (UTF-8) plus values (close enough to bill units). */
export function itemSize(item: Doc | undefined): number {
  if (item === undefined) return 0;
  let size = 0;
  for (const name in item) {
    const value = item[name];
    if (value !== undefined) size += Buffer.byteLength(name) + valueSize(value);
  }
  return size;
}

/** The digits of a number's text: without a leading sign, the decimal point and the exponent. */
function digitCount(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) break; // e, E: the exponent to the end
    if (c !== 0x2e && !(c === 0x2d && i === 0)) digits += 1; // '.', a leading '-'
  }
  return digits;
}

/** digitCount of a number's text, without making the text for a safe integer (most stored numbers). */
function numberDigits(n: number): number {
  const a = Math.abs(n);
  if (!Number.isInteger(a) || a > Number.MAX_SAFE_INTEGER || a >= 1e21) return digitCount(numberText(n));
  let digits = 1;
  for (let p = 10; p <= a; p *= 10) digits += 1;
  return digits;
}

export function valueSize(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return Buffer.byteLength(v);
    case 'number':
      return Math.ceil(numberDigits(v) / 2) + 1;
    case 'bigint':
      return Math.ceil(digitCount(numberText(v)) / 2) + 1;
    case 'boolean':
      return 1;
    case 'object': {
      if (v === null) return 1;
      if (Array.isArray(v)) {
        let n = 3;
        for (const x of v) n += 1 + valueSize(x);
        return n;
      }
      if (v instanceof Uint8Array) return v.length;
      if (v instanceof Set) {
        let n = 0;
        for (const x of v)
          n +=
            typeof x === 'string'
              ? Buffer.byteLength(x)
              : x instanceof Uint8Array
                ? x.length
                : numberText(x as number).length;
        return n;
      }
      const map = v as Doc;
      return 3 + itemSize(map) + Object.keys(map).length;
    }
    default:
      return 0;
  }
}
