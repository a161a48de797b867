import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '#shared/tables.ts';
import { withoutStack } from '../machine/stackless.ts';
import { toItem } from './convert.ts';
import { copyItem, type Doc, frozen, itemSize, keyText, numberFrom, valueSize } from './documents.ts';
import {
  applyChanges,
  copied,
  holds,
  type Item,
  order,
  type Placeholders,
  resolvePath,
  updateChanges,
  updatedPaths,
} from './expression-eval.ts';
import {
  type Condition,
  parseCondition,
  parseProjection,
  parseUpdate,
  type UpdateAction,
} from './expression-parser.ts';
import { type Held, HeldItems } from './held.ts';
import { Rows } from './rows.ts';

/**
 * DynamoDB tables held in memory, for the operations the repositories use
 * (Get, Put, Update, Delete, Query, Scan) with their expressions, return
 * values, conditional failures and pagination. Items are held as the
 * document client reads them (documents.ts): requests come in that shape,
 * already in their stored form, and answers are the stored items themselves,
 * frozen, which the clients copy or convert before a caller gets them. An
 * update writes into the stored item while no reader holds it (its top level
 * not frozen), else into a copy: a read never sees a later write. It also
 * meters capacity as DynamoDB bills it (write units by the larger of the old
 * and new item per 1 KB, read units per 4 KB), which the simulation turns
 * into cost.
 */

/**
 * The fields of the requests the tables answer (one shape for every
 * operation); items, keys and values in their stored form (storedItem).
 */
export type Request = {
  TableName?: string | undefined;
  Key?: Doc | undefined;
  Item?: Doc | undefined;
  ExclusiveStartKey?: Doc | undefined;
  ExpressionAttributeValues?: Doc | undefined;
  ExpressionAttributeNames?: Record<string, string> | undefined;
  UpdateExpression?: string | undefined;
  ConditionExpression?: string | undefined;
  KeyConditionExpression?: string | undefined;
  FilterExpression?: string | undefined;
  ProjectionExpression?: string | undefined;
  ReturnValues?: string | undefined;
  ReturnValuesOnConditionCheckFailure?: string | undefined;
  ConsistentRead?: boolean | undefined;
  ScanIndexForward?: boolean | undefined;
  Limit?: number | undefined;
  IndexName?: string | undefined;
};

/** An item as read, with its size (every write and read is billed by it). */
type Stored = { item: Item; size: number };
/** Where a key's item is: its partition and sort key strings, and the item held there, if any. */
type Place = { pk: string; sk: string; held: Held | undefined; stored: Stored | undefined };
type Table = { def: TableDefinition; rows: Rows<Held> };

/** Items held as objects at once; the others are packed (about 1.5 KB each as objects, a third of that packed). */
export const HOT_ITEMS = 20_000;

/** Read and write request units consumed (on-demand billing). */
export type Capacity = { reads: number; writes: number };

function notFound(table: string): Error {
  const error = new Error(`Requested resource not found: Table: ${table} not found`);
  error.name = 'ResourceNotFoundException';
  return error;
}

/** A key attribute from the string it is stored under (keyText), as the document client reads it. */
function keyAttribute(type: TableDefinition['partitionKey']['type'], value: string): unknown {
  return type === 'N' ? numberFrom(value) : value;
}

/** DynamoDB's limit on an item: 400 KB, its attribute names and values in UTF-8. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** `size`, when an item of that size may be stored; DynamoDB's ValidationException otherwise. */
function withinItemLimit(size: number, what: string): number {
  if (size <= MAX_ITEM_BYTES) return size;
  const error = new Error(`${what} the maximum allowed size`);
  error.name = 'ValidationException';
  throw error;
}

/**
 * How much an update changes an item's billing size: each attribute it
 * changes as it will be (a removed one is none) less as it was on `item`
 * (undefined: no item yet; an update never sets a key).
 */
function sizeChange(item: Item | undefined, changes: ReadonlyMap<string, unknown>): number {
  let change = 0;
  for (const [name, value] of changes) {
    const before = item === undefined ? undefined : item[name];
    // The same value (a number added to by nothing, a value set again) is the same size.
    if (value === before) continue;
    const nameSize = Buffer.byteLength(name);
    if (value !== undefined) change += nameSize + valueSize(value);
    if (before !== undefined) change -= nameSize + valueSize(before);
  }
  return change;
}

/**
 * A stored item as a reader gets it: frozen. A stored item whose top level is
 * not frozen is the tables' alone, and an update writes into it; once a
 * reader holds it (frozen), the next update writes into a copy instead.
 */
function handedOut(item: Item): Item {
  return Object.freeze(item);
}

function project(item: Item, expression: string | undefined, names: Record<string, string> | undefined) {
  if (expression === undefined) return handedOut(item);
  const out: Item = {};
  for (const path of parseProjection(expression)) {
    const top = String(path.steps[0]);
    const name = top.startsWith('#') ? (names?.[top] ?? top) : top;
    const value = resolvePath(item, { kind: 'path', steps: [top] }, { names });
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** DynamoDB's answer to a failed condition, the SDK's own exception (the product expects many: claims, first writer wins). */
function conditionFailed(item: Item | undefined): ConditionalCheckFailedException {
  return withoutStack(
    () =>
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        // As DynamoDB's error carries it, in AttributeValue form (the document client does not convert errors).
        ...(item === undefined ? {} : { Item: toItem(item) }),
      }),
  );
}

/**
 * Whether a Put or Delete reads the item it replaces: for its condition or to
 * return it. Otherwise only the old item's size is billed, which is kept
 * beside it, and a packed item is dropped without being unpacked.
 */
function readsOld(input: Request): boolean {
  return input.ConditionExpression !== undefined || input.ReturnValues === 'ALL_OLD';
}

export class MemoryTables {
  /** `hotItems`: how many items are held as objects at once, the others packed. */
  constructor(hotItems = HOT_ITEMS) {
    this.held = new HeldItems(hotItems);
  }

  private readonly tables = new Map<string, Table>();
  readonly capacity: Capacity = { reads: 0, writes: 0 };
  private readonly held: HeldItems;
  private readonly open = (held: Held): Stored => ({ item: this.held.item(held), size: held.size });

  /** Creates an empty table under `name` with the key schema of `def`. */
  create(name: string, def: TableDefinition): void {
    this.tables.set(name, { def, rows: new Rows(def.sortKey !== undefined) });
  }

  private table(name: string | undefined): Table {
    const table = name === undefined ? undefined : this.tables.get(name);
    if (table === undefined) throw notFound(String(name));
    return table;
  }

  private locate(t: Table, key: Item | undefined): { pk: string; sk: string } {
    const pk = keyText(key?.[t.def.partitionKey.name], t.def.partitionKey.name);
    const sk = t.def.sortKey === undefined ? '' : keyText(key?.[t.def.sortKey.name], t.def.sortKey.name);
    return { pk, sk };
  }

  /** The key attributes of the item stored under `pk` and `sk`, typed as the table declares them. */
  private keyItem(t: Table, pk: string, sk: string): Item {
    const key: Item = { [t.def.partitionKey.name]: keyAttribute(t.def.partitionKey.type, pk) };
    if (t.def.sortKey !== undefined) key[t.def.sortKey.name] = keyAttribute(t.def.sortKey.type, sk);
    return key;
  }

  /**
   * The place of a key, and the item held there (a write goes where its read found the item).
   * `read` false: the write needs only the old item's size, so a packed item is not unpacked.
   */
  private find(t: Table, key: Item | undefined, read = true): Place {
    const { pk, sk } = this.locate(t, key);
    const held = t.rows.get(pk, sk);
    return { pk, sk, held, stored: held === undefined || !read ? undefined : this.open(held) };
  }

  private read(t: Table, key: Item | undefined): Stored | undefined {
    return this.find(t, key).stored;
  }

  private write(
    t: Table,
    { pk, sk, held }: Place,
    item: Item | undefined,
    size = item === undefined ? 0 : itemSize(item),
  ): void {
    this.capacity.writes += Math.max(1, Math.ceil(Math.max(held?.size ?? 0, size) / 1024));
    if (item === undefined) {
      if (held !== undefined) this.held.forget(held);
      t.rows.delete(pk, sk);
    } else if (held === undefined) t.rows.set(pk, sk, this.held.create(item, size));
    else this.held.replace(held, item, size);
  }

  private check(
    before: Item | undefined,
    expression: string | undefined,
    input: Request,
    returnOld?: string,
  ) {
    if (expression === undefined) return;
    const placeholders = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    if (holds(before ?? {}, parseCondition(expression), placeholders)) return;
    throw conditionFailed(returnOld === 'ALL_OLD' ? before : undefined);
  }

  private readUnits(items: readonly (Stored | undefined)[], consistent: boolean | undefined): void {
    let bytes = 0;
    for (const stored of items) bytes += stored?.size ?? 0;
    this.capacity.reads += Math.max(1, Math.ceil(bytes / 4096)) * (consistent === true ? 1 : 0.5);
  }

  get(input: Request): { Item?: Item } {
    const t = this.table(input.TableName);
    const stored = this.read(t, input.Key);
    this.readUnits([stored], input.ConsistentRead);
    if (stored === undefined) return {};
    return { Item: project(stored.item, input.ProjectionExpression, input.ExpressionAttributeNames) };
  }

  put(input: Request): { Attributes?: Item } {
    const t = this.table(input.TableName);
    const item = input.Item ?? {};
    const place = this.find(t, item, readsOld(input));
    const before = place.stored;
    this.check(before?.item, input.ConditionExpression, input, input.ReturnValuesOnConditionCheckFailure);
    this.write(t, place, item, withinItemLimit(itemSize(item), 'Item size has exceeded'));
    return input.ReturnValues === 'ALL_OLD' && before !== undefined
      ? { Attributes: handedOut(before.item) }
      : {};
  }

  delete(input: Request): { Attributes?: Item } {
    const t = this.table(input.TableName);
    const place = this.find(t, input.Key ?? {}, readsOld(input));
    const before = place.stored;
    this.check(before?.item, input.ConditionExpression, input, input.ReturnValuesOnConditionCheckFailure);
    if (place.held !== undefined) this.write(t, place, undefined);
    else this.capacity.writes += 1;
    return input.ReturnValues === 'ALL_OLD' && before !== undefined
      ? { Attributes: handedOut(before.item) }
      : {};
  }

  update(input: Request): { Attributes?: Item } {
    const t = this.table(input.TableName);
    const key = input.Key ?? {};
    const place = this.find(t, key);
    const stored = place.stored;
    const before = stored?.item;
    this.check(before, input.ConditionExpression, input, input.ReturnValuesOnConditionCheckFailure);
    const placeholders = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    const actions = input.UpdateExpression === undefined ? [] : parseUpdate(input.UpdateExpression);
    // Every change is computed before any is written: an action that fails leaves the item as it was.
    const changes = updateChanges(before ?? key, actions, placeholders);
    // The size after, judged before the stored item is changed: an update past the limit changes nothing.
    const size = withinItemLimit(
      (stored === undefined ? itemSize(key) : stored.size) + sizeChange(stored?.item, changes),
      'Item size to update has exceeded',
    );
    // Written into the stored item itself while no reader holds it and the answer is not the old item.
    const keepsOld = input.ReturnValues === 'ALL_OLD' || input.ReturnValues === 'UPDATED_OLD';
    const after =
      before !== undefined && !keepsOld && !Object.isFrozen(before) ? before : copied(before ?? key);
    applyChanges(after, changes);
    this.write(t, place, after, size);
    return returned(input.ReturnValues, before, after, actions, placeholders);
  }

  query(input: Request): { Items: Item[]; Count: number; LastEvaluatedKey?: Item } {
    const t = this.table(input.TableName);
    if (input.IndexName !== undefined) throw new Error(`MemoryTables has no index ${input.IndexName}`);
    const placeholders = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    const keyCondition = parseCondition(input.KeyConditionExpression ?? '');
    const pk = partitionValue(keyCondition, t.def.partitionKey.name, placeholders);
    // The key condition names key attributes only: it is decided on the keys, and only the items it
    // selects are read (unpacked, when packed), not every item of the partition.
    const selected: { key: Item; held: Held }[] = [];
    for (const [sk, held] of t.rows.entries(pk)) {
      const key = this.keyItem(t, pk, sk);
      if (holds(key, keyCondition, placeholders)) selected.push({ key, held });
    }
    const sortName = t.def.sortKey?.name;
    if (sortName !== undefined)
      selected.sort((a, b) => {
        const x = a.key[sortName];
        const y = b.key[sortName];
        return x === undefined || y === undefined ? 0 : (order(x, y) ?? 0);
      });
    if (input.ScanIndexForward === false) selected.reverse();
    return this.page(
      t,
      selected.map(({ held }) => this.open(held)),
      input,
    );
  }

  scan(input: Request): { Items: Item[]; Count: number; LastEvaluatedKey?: Item } {
    const t = this.table(input.TableName);
    const items = t.rows.all().map(this.open);
    return this.page(t, items, input);
  }

  /** Limit and ExclusiveStartKey apply before the filter, as in DynamoDB. */
  private page(t: Table, all: Stored[], input: Request) {
    let start = 0;
    if (input.ExclusiveStartKey !== undefined) {
      const { pk, sk } = this.locate(t, input.ExclusiveStartKey);
      start = all.findIndex((stored) => {
        const at = this.locate(t, stored.item);
        return at.pk === pk && at.sk === sk;
      });
      start = start < 0 ? all.length : start + 1;
    }
    const end = input.Limit === undefined ? all.length : Math.min(all.length, start + input.Limit);
    const slice = all.slice(start, end);
    this.readUnits(slice, input.ConsistentRead);
    const placeholders = { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
    const filter: Condition | undefined =
      input.FilterExpression === undefined ? undefined : parseCondition(input.FilterExpression);
    const items = slice
      .filter((stored) => filter === undefined || holds(stored.item, filter, placeholders))
      .map((stored) => project(stored.item, input.ProjectionExpression, input.ExpressionAttributeNames));
    const last = slice.at(-1)?.item;
    const more = end < all.length && last !== undefined;
    return {
      Items: items,
      Count: items.length,
      ...(more ? { LastEvaluatedKey: keyOf(t, last) } : {}),
    };
  }

  /** Packed items unpacked so far (for benches and tests). */
  get unpacked(): number {
    return this.held.unpacked;
  }

  /** The billing size kept beside the item under `key`, undefined without one (for tests). */
  storedSize(name: string, key: Item): number | undefined {
    const t = this.table(name);
    const { pk, sk } = this.locate(t, key);
    return t.rows.get(pk, sk)?.size;
  }

  /** Items held, per table name (for memory reports and tests). */
  count(name: string): number {
    return this.table(name).rows.size;
  }
}

function keyOf(t: Table, item: Item): Item {
  const out: Item = {};
  for (const k of [t.def.partitionKey, ...(t.def.sortKey === undefined ? [] : [t.def.sortKey])]) {
    const v = item[k.name];
    if (v !== undefined) out[k.name] = v;
  }
  return out;
}

function partitionValue(c: Condition, name: string, p: Parameters<typeof holds>[2]): string {
  if (c.kind === 'and') {
    try {
      return partitionValue(c.left, name, p);
    } catch {
      return partitionValue(c.right, name, p);
    }
  }
  if (c.kind === 'compare' && c.op === '=' && c.left.kind === 'path' && c.right.kind === 'value') {
    const head = String(c.left.steps[0]);
    const attribute = head.startsWith('#') ? p.names?.[head] : head;
    if (attribute === name) return keyText(p.values?.[c.right.ref], name);
  }
  const error = new Error(`Query condition missed key schema element: ${name}`);
  error.name = 'ValidationException';
  throw error;
}

function returned(
  mode: string | undefined,
  before: Item | undefined,
  after: Item,
  actions: readonly UpdateAction[],
  placeholders: Placeholders,
): { Attributes?: Item } {
  switch (mode) {
    case 'ALL_NEW':
      return { Attributes: handedOut(after) };
    case 'ALL_OLD':
      return before === undefined ? {} : { Attributes: handedOut(before) };
    case 'UPDATED_NEW':
    case 'UPDATED_OLD': {
      const out = updatedPaths(mode === 'UPDATED_NEW' ? after : (before ?? {}), actions, placeholders);
      return Object.keys(out).length === 0 ? {} : { Attributes: frozen(copyItem(out)) };
    }
    default:
      return {};
  }
}
