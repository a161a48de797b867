import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  convertToAttr,
  convertToNative,
  type marshallOptions,
  type unmarshallOptions,
} from '@aws-sdk/util-dynamodb';
import { MARSHALL_OPTIONS, storedNumber, UNMARSHALL_OPTIONS } from '#functions/_lib/clients/dynamo.ts';
import { UNSTORABLE_KEY, UnstorableKeyError } from '#functions/_lib/clients/dynamo-documents.ts';
import { isDataMap } from '#shared/dictionary.ts';
/** An item in DynamoDB's AttributeValue form. */
export type Item = Record<string, AttributeValue>;

/**
 * Document values to AttributeValues and back, as the document client's
 * marshall/unmarshall do with the product's options: the plain cases a
 * simulation makes millions of (strings, safe numbers, booleans, null,
 * plain objects and arrays) directly, everything else (sets, binary, big or
 * special numbers, class instances) by the SDK's own functions, so every
 * result and error is the SDK's.
 */

/** The marshalling of the product's document client (functions/_lib/clients/dynamo.ts). */
export const MARSHALL: marshallOptions = MARSHALL_OPTIONS;

/** The unmarshalling of the product's document client. */
export const UNMARSHALL: unmarshallOptions = UNMARSHALL_OPTIONS;

/** One value as the SDK's convertToAttr (with MARSHALL) makes it. */
export function toAttribute(value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'bigint':
      // As the SDK's convertToBigIntAttr (a profile's packed event counters are bigints).
      return { N: value.toString() };
    case 'number':
      if (Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return { N: String(value) };
      break;
    case 'object':
      if (value === null) return { NULL: true };
      if (Array.isArray(value)) {
        const list: AttributeValue[] = [];
        for (const element of value)
          if (element !== undefined && typeof element !== 'function') list.push(toAttribute(element));
        return { L: list };
      }
      if (isDataMap(value)) return { M: toItem(value) };
      break;
  }
  return convertToAttr(value, MARSHALL);
}

/** An object's enumerable properties as an item (marshall with convertTopLevelContainer false). */
export function toItem(value: object): Item {
  const item: Item = {};
  for (const key in value) {
    if (key === UNSTORABLE_KEY) throw new UnstorableKeyError([key]);
    const v: unknown = Reflect.get(value, key);
    if (v !== undefined && typeof v !== 'function') item[key] = toAttribute(v);
  }
  return item;
}

/** One AttributeValue as the SDK's convertToNative makes it (the first defined member decides). */
export function fromAttribute(value: AttributeValue): unknown {
  for (const key in value) {
    switch (key) {
      case 'S':
        if (value.S !== undefined) return value.S;
        break;
      case 'BOOL':
        if (value.BOOL !== undefined) return Boolean(value.BOOL);
        break;
      case 'NULL':
        if (value.NULL !== undefined) return null;
        break;
      case 'N':
        if (value.N !== undefined) return storedNumber(value.N);
        break;
      case 'M':
        if (value.M !== undefined) return fromItem(value.M);
        break;
      case 'L':
        if (value.L !== undefined) return value.L.map(fromAttribute);
        break;
      default:
        if (Reflect.get(value, key) !== undefined) return convertToNative(value, UNMARSHALL);
    }
  }
  return convertToNative(value, UNMARSHALL);
}

/** An item as unmarshall makes it: a plain object, keys assigned in order. */
export function fromItem(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item)) {
    const value = item[key];
    if (value !== undefined) out[key] = fromAttribute(value);
  }
  return out;
}
