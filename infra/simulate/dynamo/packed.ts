import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from './convert.ts';

/**
 * An item as one JSON string instead of a graph of small objects: a forecast
 * keeps every customer's profile, deliveries and enrollment items, and as
 * text an item takes about a third of the memory (held.ts decides which items
 * are packed). Binary values (B, BS) go into JSON as base64 under member
 * names no AttributeValue has, and come back as Uint8Array, as DynamoDB
 * returns them.
 */

const B = 'B\u0000base64';
const BS = 'BS\u0000base64';

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function bytes(text: string): Uint8Array {
  // A copy with its own memory, not a view into Node's shared buffer pool (copied at once, not element by element).
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Whether a value holds binary anywhere (most items hold none and are packed as they are). */
function hasBinary(value: AttributeValue): boolean {
  if (value.B !== undefined || value.BS !== undefined) return true;
  const map = value.M;
  if (map !== undefined) {
    for (const key in map) {
      const member = map[key];
      if (member !== undefined && hasBinary(member)) return true;
    }
    return false;
  }
  const list = value.L;
  if (list !== undefined) for (const element of list) if (hasBinary(element)) return true;
  return false;
}

function encodeBinary(value: AttributeValue): unknown {
  if (value.B !== undefined) return { [B]: base64(value.B) };
  if (value.BS !== undefined) return { [BS]: value.BS.map(base64) };
  if (value.M !== undefined) return { M: encodeItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(encodeBinary) };
  return value;
}

function encodeItem(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item)) {
    const value = item[key];
    if (value !== undefined) out[key] = hasBinary(value) ? encodeBinary(value) : value;
  }
  return out;
}

export function pack(item: Item): string {
  for (const key in item) {
    const value = item[key];
    if (value !== undefined && hasBinary(value)) return JSON.stringify(encodeItem(item));
  }
  return JSON.stringify(item);
}

/** Restores the binary members of a parsed value in place (the parsed value is the reader's own). */
function decodeBinary(value: Record<string, unknown>): void {
  const b = value[B];
  if (typeof b === 'string') {
    delete value[B];
    value.B = bytes(b);
  }
  const bs = value[BS];
  if (Array.isArray(bs)) {
    delete value[BS];
    value.BS = bs.map((x) => bytes(String(x)));
  }
  const m = value.M;
  if (typeof m === 'object' && m !== null) decodeItem(m);
  const l = value.L;
  if (Array.isArray(l)) for (const x of l) if (typeof x === 'object' && x !== null) decodeBinary(x);
}

function decodeItem(item: object): void {
  for (const value of Object.values(item))
    if (typeof value === 'object' && value !== null) decodeBinary(value);
}

/** The item a packed text holds: fresh objects each time, so a reader may keep or change them. */
export function unpack(text: string): Item {
  const item: Item = JSON.parse(text);
  if (text.includes('\\u0000base64')) decodeItem(item);
  return item;
}
