import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Condition, Operand, PathNode, UpdateAction } from './expression-parser.ts';

/**
 * Evaluates parsed expressions on items in DynamoDB's own data model
 * (AttributeValue), with DynamoDB's rules: comparisons across types are
 * false, numbers compare as numbers, binary and strings by bytes/code units,
 * ADD starts a missing number at 0 and a missing set empty.
 */

export type Item = Record<string, AttributeValue>;
export type Placeholders = {
  names?: Record<string, string> | undefined;
  values?: Record<string, AttributeValue> | undefined;
};

function validation(message: string): Error {
  const error = new Error(message);
  error.name = 'ValidationException';
  return error;
}

function nameOf(step: string, p: Placeholders): string {
  if (!step.startsWith('#')) return step;
  const name = p.names?.[step];
  if (name === undefined) throw validation(`An expression attribute name used is not defined: ${step}`);
  return name;
}

function valueAt(ref: string, p: Placeholders): AttributeValue {
  const value = p.values?.[ref];
  if (value === undefined) throw validation(`An expression attribute value used is not defined: ${ref}`);
  return value;
}

/** The top-level attribute a path starts at (an update changes only the attributes its paths start at). */
export function topName(node: PathNode, p: Placeholders): string {
  return nameOf(String(node.steps[0]), p);
}

/** A map's own attribute: a name such as `__proto__` or `constructor` is data, never inherited. */
function own<T>(map: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Sets a map's own attribute (an assignment to `__proto__` would set the prototype instead). */
function setOwn<T>(map: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
}

/** The attribute a path points at, or undefined. */
export function resolvePath(item: Item, node: PathNode, p: Placeholders): AttributeValue | undefined {
  let current: AttributeValue | undefined;
  for (const [i, step] of node.steps.entries()) {
    if (i === 0) current = own(item, nameOf(String(step), p));
    else if (typeof step === 'number') current = current?.L?.[step];
    else current = current?.M === undefined ? undefined : own(current.M, nameOf(step, p));
    if (current === undefined) return undefined;
  }
  return current;
}

function numberOf(value: AttributeValue | undefined, what: string): string {
  if (value?.N === undefined)
    throw validation(`An operand in the update expression has an incorrect data type: ${what}`);
  return value.N;
}

const INTEGER = /^-?\d+$/;
/** Integers short enough that their sum is exact as a double (and printed the same as a BigInt's). */
const SHORT_INTEGER = /^-?\d{1,15}$/;
/** Sum of two DynamoDB numbers; integers exactly (DynamoDB keeps 38 digits), others as doubles. */
function sum(a: string, b: string, sign: 1 | -1): string {
  if (SHORT_INTEGER.test(a) && SHORT_INTEGER.test(b)) return String(Number(a) + sign * Number(b));
  if (INTEGER.test(a) && INTEGER.test(b)) return String(BigInt(a) + BigInt(sign) * BigInt(b));
  return String(Number(a) + sign * Number(b));
}

function operand(item: Item, node: Operand, p: Placeholders): AttributeValue | undefined {
  switch (node.kind) {
    case 'path':
      return resolvePath(item, node, p);
    case 'value':
      return valueAt(node.ref, p);
    case 'arith': {
      const left = numberOf(operand(item, node.left, p), 'left of arithmetic');
      const right = numberOf(operand(item, node.right, p), 'right of arithmetic');
      return { N: sum(left, right, node.op === '+' ? 1 : -1) };
    }
    case 'call': {
      const [a, b] = node.args;
      if (a === undefined) throw validation(`${node.fn} needs arguments`);
      if (node.fn === 'size') return sizeOf(operand(item, a, p));
      if (b === undefined) throw validation(`${node.fn} needs two arguments`);
      if (node.fn === 'if_not_exists') return operand(item, a, p) ?? operand(item, b, p);
      const left = operand(item, a, p)?.L;
      const right = operand(item, b, p)?.L;
      if (left === undefined || right === undefined) throw validation('list_append needs two lists');
      return { L: [...left, ...right] };
    }
  }
}

function sizeOf(value: AttributeValue | undefined): AttributeValue | undefined {
  if (value === undefined) return undefined;
  const length =
    value.S?.length ??
    value.B?.length ??
    value.L?.length ??
    value.SS?.length ??
    value.NS?.length ??
    value.BS?.length ??
    (value.M === undefined ? undefined : Object.keys(value.M).length);
  return length === undefined ? undefined : { N: String(length) };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Equality as DynamoDB sees it: same type and same value (sets regardless of order). */
function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  if (a.S !== undefined) return a.S === b.S;
  if (a.N !== undefined) return b.N !== undefined && Number(a.N) === Number(b.N);
  if (a.B !== undefined) return b.B !== undefined && bytesEqual(a.B, b.B);
  if (a.BOOL !== undefined) return a.BOOL === b.BOOL;
  if (a.NULL !== undefined) return b.NULL !== undefined;
  if (a.SS !== undefined) return b.SS !== undefined && sameSet(a.SS, b.SS);
  if (a.NS !== undefined) return b.NS !== undefined && sameSet(a.NS.map(Number), b.NS.map(Number));
  if (a.L !== undefined)
    return (
      b.L !== undefined &&
      a.L.length === b.L.length &&
      a.L.every((x, i) => {
        const y = b.L?.[i];
        return y !== undefined && attributeEquals(x, y);
      })
    );
  if (a.M !== undefined) {
    const m = b.M;
    if (m === undefined) return false;
    const keys = Object.keys(a.M);
    if (keys.length !== Object.keys(m).length) return false;
    return keys.every((k) => {
      const x = a.M === undefined ? undefined : own(a.M, k);
      const y = own(m, k);
      return x !== undefined && y !== undefined && attributeEquals(x, y);
    });
  }
  return false;
}

function sameSet<T>(a: T[], b: T[]): boolean {
  const set = new Set(b);
  return a.length === b.length && a.every((x) => set.has(x));
}

/** Ordering of two scalars of one type; undefined when they cannot be ordered. */
export function order(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.N !== undefined && b.N !== undefined) return Number(a.N) - Number(b.N);
  if (a.S !== undefined && b.S !== undefined) return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  if (a.B !== undefined && b.B !== undefined) return compareBytes(a.B, b.B);
  return undefined;
}

function compare(op: string, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return op === '<>' && (a !== undefined || b !== undefined);
  if (op === '=') return attributeEquals(a, b);
  if (op === '<>') return !attributeEquals(a, b);
  const d = order(a, b);
  if (d === undefined) return false;
  return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
}

function typeName(value: AttributeValue): string {
  for (const key of ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'] as const)
    if (value[key] !== undefined) return key;
  return '?';
}

/** Whether a condition holds on an item (an absent item is `{}`). */
export function holds(item: Item, c: Condition, p: Placeholders): boolean {
  switch (c.kind) {
    case 'and':
      return holds(item, c.left, p) && holds(item, c.right, p);
    case 'or':
      return holds(item, c.left, p) || holds(item, c.right, p);
    case 'not':
      return !holds(item, c.inner, p);
    case 'compare':
      return compare(c.op, operand(item, c.left, p), operand(item, c.right, p));
    case 'between': {
      const v = operand(item, c.subject, p);
      return compare('>=', v, operand(item, c.low, p)) && compare('<=', v, operand(item, c.high, p));
    }
    case 'in': {
      const v = operand(item, c.subject, p);
      return c.options.some((o) => compare('=', v, operand(item, o, p)));
    }
    case 'fn':
      return (resolvePath(item, c.path, p) !== undefined) === (c.fn === 'attribute_exists');
    case 'fn2': {
      const v = operand(item, c.path, p);
      const arg = operand(item, c.arg, p);
      if (v === undefined || arg === undefined) return false;
      if (c.fn === 'attribute_type') return arg.S === typeName(v);
      if (c.fn === 'begins_with') {
        if (v.S !== undefined && arg.S !== undefined) return v.S.startsWith(arg.S);
        if (v.B !== undefined && arg.B !== undefined)
          return v.B.length >= arg.B.length && bytesEqual(v.B.subarray(0, arg.B.length), arg.B);
        return false;
      }
      if (v.S !== undefined && arg.S !== undefined) return v.S.includes(arg.S);
      if (v.SS !== undefined && arg.S !== undefined) return v.SS.includes(arg.S);
      if (v.NS !== undefined && arg.N !== undefined) return v.NS.some((n) => Number(n) === Number(arg.N));
      if (v.L !== undefined) return v.L.some((x) => attributeEquals(x, arg));
      return false;
    }
  }
}

/** Writes `value` (or removes, when undefined) at a path of `out`, an item of the update's own; nested containers are copied, never changed. */
function writePath(out: Item, node: PathNode, value: AttributeValue | undefined, p: Placeholders): void {
  const top = nameOf(String(node.steps[0]), p);
  if (node.steps.length === 1) {
    if (value === undefined) delete out[top];
    else out[top] = value;
    return;
  }
  const current = out[top];
  if (current === undefined)
    throw validation('The document path provided in the update expression is invalid for update');
  out[top] = writeInside(current, node.steps.slice(1), value, p);
}

function writeInside(
  container: AttributeValue,
  steps: (string | number)[],
  value: AttributeValue | undefined,
  p: Placeholders,
): AttributeValue {
  const [step, ...rest] = steps;
  if (typeof step === 'number') {
    const list = container.L;
    if (list === undefined)
      throw validation('The document path provided in the update expression is invalid for update');
    const copy = [...list];
    const inner = copy[step];
    if (rest.length === 0) {
      if (value === undefined) copy.splice(step, 1);
      else if (step >= copy.length) copy.push(value);
      else copy[step] = value;
    } else if (inner === undefined)
      throw validation('The document path provided in the update expression is invalid for update');
    else copy[step] = writeInside(inner, rest, value, p);
    return { L: copy };
  }
  const map = container.M;
  if (map === undefined || step === undefined)
    throw validation('The document path provided in the update expression is invalid for update');
  const key = nameOf(step, p);
  const copy = { ...map };
  const inner = own(copy, key);
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else setOwn(copy, key, value);
  } else if (inner === undefined)
    throw validation('The document path provided in the update expression is invalid for update');
  else setOwn(copy, key, writeInside(inner, rest, value, p));
  return { M: copy };
}

function addTo(
  current: AttributeValue | undefined,
  amount: AttributeValue,
  remove: boolean,
): AttributeValue | undefined {
  if (amount.N !== undefined && !remove)
    return { N: sum(current === undefined ? '0' : numberOf(current, 'ADD'), amount.N, 1) };
  const merge = <T>(have: T[] | undefined, change: T[], key: (x: T) => unknown) => {
    const byKey = new Map((have ?? []).map((x) => [key(x), x]));
    for (const x of change) remove ? byKey.delete(key(x)) : byKey.set(key(x), x);
    return [...byKey.values()];
  };
  if (amount.SS !== undefined) {
    const out = merge(current?.SS, amount.SS, (x) => x);
    return out.length === 0 ? undefined : { SS: out };
  }
  if (amount.NS !== undefined) {
    const out = merge(current?.NS, amount.NS, Number);
    return out.length === 0 ? undefined : { NS: out };
  }
  if (amount.BS !== undefined) {
    const out = merge(current?.BS, amount.BS, (x) => Buffer.from(x).toString('base64'));
    return out.length === 0 ? undefined : { BS: out };
  }
  throw validation('ADD and DELETE take a number or a set');
}

/**
 * Applies update actions: every operand is read from the item as it was
 * before the update (DynamoDB evaluates the whole expression on the old item).
 */
export function applyUpdate(before: Item, actions: readonly UpdateAction[], p: Placeholders): Item {
  const item: Item = { ...before };
  for (const action of actions) {
    if (action.kind === 'remove') {
      writePath(item, action.path, undefined, p);
      continue;
    }
    const value = operand(before, action.value, p);
    if (value === undefined)
      throw validation('The provided expression refers to an attribute that does not exist in the item');
    if (action.kind === 'set') writePath(item, action.path, value, p);
    else
      writePath(
        item,
        action.path,
        addTo(resolvePath(before, action.path, p), value, action.kind === 'delete'),
        p,
      );
  }
  return item;
}

/**
 * What `ReturnValues: UPDATED_NEW` (from the item after) or `UPDATED_OLD`
 * (from the item before) returns: each path the update names, in the item's
 * shape — `SET m.b.c` gives `{ m: { b: { c } } }`, never all of `m`; the
 * elements a list's paths name, in index order — and nothing for a path
 * the item does not hold (a removed one after, a new one before). As
 * DynamoDB (and dynalite) answer.
 */
export function updatedPaths(item: Item, actions: readonly UpdateAction[], p: Placeholders): Item {
  const out: Item = Object.create(null);
  const lists: AttributeValue[][] = [];
  for (const { path } of actions) {
    const value = resolvePath(item, path, p);
    if (value === undefined) continue;
    const [top, ...inside] = path.steps.map((step) => (typeof step === 'number' ? step : nameOf(step, p)));
    const name = String(top);
    if (inside.length === 0) {
      out[name] = value;
      continue;
    }
    const root = out[name] ?? containerFor(inside[0], lists);
    out[name] = root;
    let container: AttributeValue | undefined = root;
    for (const [i, step] of inside.entries()) {
      const last = i === inside.length - 1;
      container = placeIn(container, step, last ? value : containerFor(inside[i + 1], lists), last);
      if (container === undefined) break;
    }
  }
  // Only the elements named are returned, without the gaps between them.
  for (const list of lists) {
    const kept = list.filter((element) => element !== undefined);
    list.splice(0, list.length, ...kept);
  }
  return out;
}

/** Puts `child` at `step` of a map or list being built (the value itself when `last`); returns what is there. */
function placeIn(
  container: AttributeValue | undefined,
  step: string | number,
  child: AttributeValue,
  last: boolean,
): AttributeValue | undefined {
  if (typeof step === 'number') {
    const list = container?.L;
    if (list === undefined) return undefined;
    if (last || list[step] === undefined) list[step] = child;
    return list[step];
  }
  const map = container?.M;
  if (map === undefined) return undefined;
  if (last || !Object.hasOwn(map, step)) map[step] = child;
  return map[step];
}

function containerFor(step: string | number | undefined, lists: AttributeValue[][]): AttributeValue {
  if (typeof step !== 'number') return { M: Object.create(null) };
  const list: AttributeValue[] = [];
  lists.push(list);
  return { L: list };
}
