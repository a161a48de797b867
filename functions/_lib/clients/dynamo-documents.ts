import { dictionaryOf, isDataMap } from '#shared/dictionary.ts';
import { ErrorName, JourneyError } from '#shared/errors.ts';

/**
 * Documents as the DynamoDB marshaller must see them whatever their keys.
 *
 * The SDK's `marshall` tells a map from a class instance by the value's
 * `constructor` property, so an object holding data under the key
 * `constructor` (a customer's event property, a trait, a webhook response
 * field) is misread: refused as a class instance, or, when that key holds
 * `{"name": "String"}`, silently stored as the text "[object Object]". Its
 * option `convertClassInstanceToMap` does not help: the misreading comes
 * before it. A `Map` is read by its real prototype, so every plain object
 * (prototype `Object.prototype` or none) that carries such a key, or holds one
 * that does, is handed to the marshaller as a `Map` of its entries. Other
 * objects are left as they are, so a mistake such as storing a `Date` is
 * still refused.
 *
 * `__proto__` is the one key a document cannot hold: the marshaller (both
 * ways) and dynalite build objects by assignment, which turns that key into
 * a prototype and drops it. It is refused loudly here, as a permanent
 * failure naming the path; every edge (ingest, journey validation) refuses it
 * before, with the field named.
 */

/** The one key no stored document may have. */
export const UNSTORABLE_KEY = '__proto__';

/** A document that holds `__proto__` as a key reached storage: a permanent failure with the field named. */
export class UnstorableKeyError extends JourneyError {
  /** `segments`: the path to the key, outermost first (the key itself last). */
  constructor(readonly segments: readonly string[]) {
    super(
      ErrorName.InvalidInput,
      `${pathOf(segments)}: "${UNSTORABLE_KEY}" cannot be stored as a key`,
      false,
    );
  }

  /** The same error one level further out, under `segment`. */
  within(segment: string): UnstorableKeyError {
    return new UnstorableKeyError([segment, ...this.segments]);
  }
}

/** `Item`, `doc`, `l`, `[1]`, `__proto__` → `Item.doc.l[1].__proto__`. */
function pathOf(segments: readonly string[]): string {
  return segments.map((s, i) => (s.startsWith('[') || i === 0 ? s : `.${s}`)).join('');
}

/** `run()`, its UnstorableKeyError placed under `segment`: paths are built only when a key is refused. */
function under<T>(segment: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw error instanceof UnstorableKeyError ? error.within(segment) : error;
  }
}

/** `list` with `convert` applied to each element: the same array when no element changed. */
function mapList(list: readonly unknown[], convert: (element: unknown) => unknown): unknown {
  let changed = false;
  const out = list.map((element, index) => {
    const converted = under(`[${index}]`, () => convert(element));
    if (converted !== element) changed = true;
    return converted;
  });
  return changed ? out : list;
}

function storableEntries(entries: Iterable<[string, unknown]>) {
  let changed = false;
  const out: [string, unknown][] = [];
  for (const [key, value] of entries) {
    if (key === UNSTORABLE_KEY) throw new UnstorableKeyError([key]);
    const storable = under(key, () => storableValue(value));
    if (storable !== value) changed = true;
    out.push([key, storable]);
  }
  return { out, changed };
}

/**
 * `value` ready for the marshaller: the same reference when nothing in it
 * needs converting (the usual case, no copy), else a copy whose maps that
 * need it are `Map`s.
 */
function storableValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return mapList(value, storableValue);
  if (value instanceof Map) {
    const { out, changed } = storableEntries(value);
    return changed ? new Map(out) : value;
  }
  if (!isDataMap(value)) return value;
  const { out, changed } = storableEntries(Object.entries(value));
  return changed || Object.hasOwn(value, 'constructor') ? new Map(out) : value;
}

/** A record of attribute names to values (an item, a key, expression values): stays a record, its values made storable. */
function storableRecord(record: unknown): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record) || !isDataMap(record))
    return record;
  const { out, changed } = storableEntries(Object.entries(record));
  return changed ? dictionaryOf(out) : record;
}

/** Fields of a document command's input that hold records of attribute values (lib-dynamodb's input key nodes). */
const RECORD_FIELDS: ReadonlySet<string> = new Set([
  'Item',
  'Key',
  'ExpressionAttributeValues',
  'ExclusiveStartKey',
]);

function storableField(field: string, value: unknown): unknown {
  if (RECORD_FIELDS.has(field)) return storableRecord(value);
  if (field === 'Parameters') return storableValue(value);
  if (field === 'Keys' && Array.isArray(value)) return mapList(value, storableRecord);
  return storableInput(value);
}

/**
 * A document command's input with every document in it storable: records
 * under `Item`, `Key`, `ExpressionAttributeValues`, `ExclusiveStartKey`,
 * lists under `Keys` (batch gets) and `Parameters` (PartiQL), wherever they
 * sit (transactions, batches). The request's own structure is never a
 * document, so nothing else changes; an input with nothing to convert is
 * returned as it is.
 */
function storableInput(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  if (Array.isArray(input)) return mapList(input, storableInput);
  if (!isDataMap(input)) return input;
  let copy: Record<string, unknown> | undefined;
  for (const [field, value] of Object.entries(input)) {
    const storable = under(field, () => storableField(field, value));
    if (storable === value) continue;
    copy ??= { ...input };
    copy[field] = storable;
  }
  return copy ?? input;
}

/** A command input made storable (see `storableInput`); an input that is not an object is returned as it is. */
export function storableCommandInput<T extends object>(input: T): T {
  const storable = storableInput(input);
  // storableInput keeps the request's structure: only documents inside it change.
  return storable as T;
}
