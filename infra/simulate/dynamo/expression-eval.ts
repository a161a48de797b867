import { integerText } from '#shared/number-text.ts';
import { type Doc, isMap, isNumber, numberFrom, numberText, typeName } from './documents.ts';
import type { Condition, Operand, PathNode, UpdateAction } from './expression-parser.ts';

/**
 * Evaluates parsed expressions on stored items (documents.ts), with
 * DynamoDB's rules: comparisons across types are false, numbers compare as
 * numbers, binary and strings by bytes/code units, ADD starts a missing
 * number at 0 and a missing set empty. Stored maps and lists are never
 * changed: an update computes the new values of the attributes it changes
 * (sharing what it leaves alone inside them), and the tables decide whether
 * the item itself takes them or a copy does (memory-tables.ts).
 */

export type Item = Doc;
export type Placeholders = {
  names?: Record<string, string> | undefined;
  values?: Doc | undefined;
};

function validation(message: string): Error {
  const error = new Error(message);
  error.name = 'ValidationException';
  return error;
}

function nameOf(step: string, p: Placeholders): string {
  if (step.charCodeAt(0) !== 0x23) return step; // '#'
  const name = p.names?.[step];
  if (name === undefined) throw validation(`An expression attribute name used is not defined: ${step}`);
  return name;
}

function valueAt(ref: string, p: Placeholders): unknown {
  const value = p.values === undefined ? undefined : own(p.values, ref);
  if (value === undefined) throw validation(`An expression attribute value used is not defined: ${ref}`);
  return value;
}

/** The top-level attribute a path starts at (an update changes only the attributes its paths start at). */
export function topName(node: PathNode, p: Placeholders): string {
  return nameOf(String(node.steps[0]), p);
}

/** A map's own attribute: a name such as `__proto__` or `constructor` is data, never inherited. */
function own<T>(map: Record<string, T>, name: string): T | undefined {
  const value = map[name];
  if (value === undefined) return undefined;
  // What a plain object inherits is a function or `__proto__`'s prototype; a stored value is neither.
  if (typeof value === 'function' || name === '__proto__')
    return Object.hasOwn(map, name) ? value : undefined;
  return value;
}

/** Sets a map's own attribute (an assignment to `__proto__` would set the prototype instead). */
function setOwn(map: object, name: string, value: unknown): void {
  Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A map's own attributes in a new map (the values shared). A loop of
 * assignments: spreading a map of more than a few dozen attributes (a
 * profile) costs several times as much.
 */
export function copied(map: Doc): Doc {
  const copy: Doc = {};
  for (const key of Object.keys(map)) {
    // `__proto__` is data inside a map an update wrote it into; an assignment would set the prototype.
    if (key === '__proto__') setOwn(copy, key, map[key]);
    else copy[key] = map[key];
  }
  return copy;
}

/** The attribute a path points at, or undefined. */
export function resolvePath(item: Item, node: PathNode, p: Placeholders): unknown {
  const steps = node.steps;
  let current: unknown = own(item, nameOf(String(steps[0]), p));
  for (let i = 1; i < steps.length && current !== undefined; i++) {
    const step = steps[i];
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = isMap(current) ? own(current, nameOf(String(step), p)) : undefined;
  }
  return current;
}

function numberOf(value: unknown, what: string): string {
  if (!isNumber(value))
    throw validation(`An operand in the update expression has an incorrect data type: ${what}`);
  return numberText(value);
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

/** A number's digits as DynamoDB holds them: a large double written out in full (1e+21 is 1000000000000000000000). */
function heldText(value: number | bigint): string {
  return typeof value === 'number' && Number.isInteger(value) ? integerText(value) : numberText(value);
}

/** Two numbers added as DynamoDB adds them, read back as the document client reads the sum. */
function added(a: number | bigint, b: number | bigint, sign: 1 | -1): unknown {
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) {
    const exact = a + sign * b;
    // Both safe integers (stored numbers are): the sum is exact while it is safe, as the texts' sum is.
    if (Math.abs(a) < 1e15 && Math.abs(b) < 1e15) return exact === 0 ? 0 : exact;
  }
  return numberFrom(sum(heldText(a), heldText(b), sign));
}

function operand(item: Item, node: Operand, p: Placeholders): unknown {
  switch (node.kind) {
    case 'path':
      return resolvePath(item, node, p);
    case 'value':
      return valueAt(node.ref, p);
    case 'arith': {
      const left = operand(item, node.left, p);
      const right = operand(item, node.right, p);
      numberOf(left, 'left of arithmetic');
      numberOf(right, 'right of arithmetic');
      return added(left as number | bigint, right as number | bigint, node.op === '+' ? 1 : -1);
    }
    case 'call': {
      const [a, b] = node.args;
      if (a === undefined) throw validation(`${node.fn} needs arguments`);
      if (node.fn === 'size') return sizeOf(operand(item, a, p));
      if (b === undefined) throw validation(`${node.fn} needs two arguments`);
      if (node.fn === 'if_not_exists') return operand(item, a, p) ?? operand(item, b, p);
      const left = operand(item, a, p);
      const right = operand(item, b, p);
      if (!Array.isArray(left) || !Array.isArray(right)) throw validation('list_append needs two lists');
      return Object.freeze([...left, ...right]);
    }
  }
}

function sizeOf(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length;
  if (value instanceof Set) return value.size;
  return Object.keys(value).length;
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
function valueEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string') return a === b;
  if (isNumber(a)) return isNumber(b) && Number(a) === Number(b);
  if (typeof a === 'boolean') return a === b;
  if (a === null) return b === null;
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesEqual(a, b);
  if (a instanceof Set) {
    if (!(b instanceof Set)) return false;
    const kind = typeName(a);
    if (kind !== typeName(b)) return false;
    if (kind === 'NS') return sameSet([...a].map(Number), [...b].map(Number));
    if (kind === 'BS') return false;
    return sameSet([...a], [...b]);
  }
  if (Array.isArray(a))
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => {
        const y: unknown = b[i];
        return x !== undefined && y !== undefined && valueEquals(x, y);
      })
    );
  if (Array.isArray(b) || b instanceof Set || b instanceof Uint8Array) return false;
  const am = a as Doc;
  const bm = b as Doc;
  const keys = Object.keys(am);
  if (keys.length !== Object.keys(bm).length) return false;
  return keys.every((k) => {
    const x = own(am, k);
    const y = own(bm, k);
    return x !== undefined && y !== undefined && valueEquals(x, y);
  });
}

function sameSet<T>(a: T[], b: T[]): boolean {
  const set = new Set(b);
  return a.length === b.length && a.every((x) => set.has(x));
}

/** Ordering of two scalars of one type; undefined when they cannot be ordered. */
export function order(a: unknown, b: unknown): number | undefined {
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  return undefined;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return op === '<>' && (a !== undefined || b !== undefined);
  if (op === '=') return valueEquals(a, b);
  if (op === '<>') return !valueEquals(a, b);
  const d = order(a, b);
  if (d === undefined) return false;
  return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
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
      if (c.fn === 'attribute_type') return typeof arg === 'string' && arg === typeName(v);
      if (c.fn === 'begins_with') {
        if (typeof v === 'string' && typeof arg === 'string') return v.startsWith(arg);
        if (v instanceof Uint8Array && arg instanceof Uint8Array)
          return v.length >= arg.length && bytesEqual(v.subarray(0, arg.length), arg);
        return false;
      }
      if (typeof v === 'string') return typeof arg === 'string' && v.includes(arg);
      if (v instanceof Set) {
        const kind = typeName(v);
        if (kind === 'SS') return typeof arg === 'string' && v.has(arg);
        if (kind === 'NS') return isNumber(arg) && [...v].some((n) => Number(n) === Number(arg));
        return false;
      }
      if (Array.isArray(v)) return v.some((x) => valueEquals(x, arg));
      return false;
    }
  }
}

const INVALID_PATH = 'The document path provided in the update expression is invalid for update';

/**
 * The new value of the top-level attribute a path starts at once `value` is
 * written there (or removed, when undefined): `current` is its value so far,
 * nested containers are copied, never changed.
 */
function written(current: unknown, node: PathNode, value: unknown, p: Placeholders): unknown {
  if (node.steps.length === 1) return value;
  if (current === undefined) throw validation(INVALID_PATH);
  return writeInside(current, node.steps.slice(1), value, p);
}

function writeInside(
  container: unknown,
  steps: (string | number)[],
  value: unknown,
  p: Placeholders,
): unknown {
  const [step, ...rest] = steps;
  if (typeof step === 'number') {
    if (!Array.isArray(container)) throw validation(INVALID_PATH);
    const copy: unknown[] = [...container];
    const inner = copy[step];
    if (rest.length === 0) {
      if (value === undefined) copy.splice(step, 1);
      else if (step >= copy.length) copy.push(value);
      else copy[step] = value;
    } else if (inner === undefined) throw validation(INVALID_PATH);
    else copy[step] = writeInside(inner, rest, value, p);
    return Object.freeze(copy);
  }
  if (!isMap(container) || step === undefined) throw validation(INVALID_PATH);
  const key = nameOf(step, p);
  const copy = copied(container);
  const inner = own(copy, key);
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else setOwn(copy, key, value);
  } else if (inner === undefined) throw validation(INVALID_PATH);
  else setOwn(copy, key, writeInside(inner, rest, value, p));
  return Object.freeze(copy);
}

function addTo(current: unknown, amount: unknown, remove: boolean): unknown {
  if (isNumber(amount) && !remove) {
    if (current === undefined) return added(0, amount, 1);
    numberOf(current, 'ADD');
    return added(current as number | bigint, amount, 1);
  }
  if (!(amount instanceof Set)) throw validation('ADD and DELETE take a number or a set');
  const kind = typeName(amount);
  const have = current instanceof Set && typeName(current) === kind ? [...current] : [];
  const key =
    kind === 'NS'
      ? (x: unknown) => Number(x)
      : kind === 'BS'
        ? (x: unknown) => Buffer.from(x as Uint8Array).toString('base64')
        : (x: unknown) => x;
  const byKey = new Map(have.map((x) => [key(x), x]));
  for (const x of amount) remove ? byKey.delete(key(x)) : byKey.set(key(x), x);
  return byKey.size === 0 ? undefined : new Set(byKey.values());
}

/**
 * The changes of update actions, by top-level attribute: each attribute's
 * new value, undefined for one removed, in the order the actions first name
 * them. Every operand is read from the item as it was before the update
 * (DynamoDB evaluates the whole expression on the old item), and nothing is
 * changed: an action that fails leaves the item as it was. The values share
 * every map and list the update leaves alone.
 */
export function updateChanges(
  before: Item,
  actions: readonly UpdateAction[],
  p: Placeholders,
): Map<string, unknown> {
  const changes = new Map<string, unknown>();
  for (const action of actions) {
    let value: unknown;
    if (action.kind !== 'remove') {
      value = operand(before, action.value, p);
      if (value === undefined)
        throw validation('The provided expression refers to an attribute that does not exist in the item');
      if (action.kind !== 'set')
        value = addTo(resolvePath(before, action.path, p), value, action.kind === 'delete');
    }
    const top = topName(action.path, p);
    if (action.path.steps.length === 1) {
      changes.set(top, value);
      continue;
    }
    // A path inside the attribute: written into it as this update has made it so far, else as it was.
    const current = changes.has(top) ? changes.get(top) : before[top];
    changes.set(top, written(current, action.path, value, p));
  }
  return changes;
}

/** Writes changes (updateChanges) into `item`, an item of the caller's own. */
export function applyChanges(item: Item, changes: ReadonlyMap<string, unknown>): void {
  for (const [name, value] of changes) {
    if (value === undefined) delete item[name];
    else item[name] = value;
  }
}

/**
 * What `ReturnValues: UPDATED_NEW` (from the item after) or `UPDATED_OLD`
 * (from the item before) returns: each path the update names, in the item's
 * shape — `SET m.b.c` gives `{ m: { b: { c } } }`, never all of `m`; the
 * elements a list's paths name, in index order — and nothing for a path
 * the item does not hold (a removed one after, a new one before). As
 * DynamoDB (and dynalite) answer. The maps and lists built are the answer's
 * own; the values in them are the item's.
 */
export function updatedPaths(item: Item, actions: readonly UpdateAction[], p: Placeholders): Item {
  const out: Item = Object.create(null);
  const lists: unknown[][] = [];
  const built = new Set<unknown>();
  for (const { path } of actions) {
    const value = resolvePath(item, path, p);
    if (value === undefined) continue;
    const [top, ...inside] = path.steps.map((step) => (typeof step === 'number' ? step : nameOf(step, p)));
    const name = String(top);
    if (inside.length === 0) {
      out[name] = value;
      continue;
    }
    const root = out[name] ?? containerFor(inside[0], lists, built);
    out[name] = root;
    let container: unknown = root;
    for (const [i, step] of inside.entries()) {
      const last = i === inside.length - 1;
      container = placeIn(
        container,
        step,
        last ? value : containerFor(inside[i + 1], lists, built),
        last,
        built,
      );
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
  container: unknown,
  step: string | number,
  child: unknown,
  last: boolean,
  built: Set<unknown>,
): unknown {
  // Only containers built here are written to (a stored value placed whole is never changed).
  if (!built.has(container)) return undefined;
  if (typeof step === 'number') {
    if (!Array.isArray(container)) return undefined;
    if (last || container[step] === undefined) container[step] = child;
    return container[step];
  }
  if (!isMap(container)) return undefined;
  if (last || !Object.hasOwn(container, step)) setOwn(container, step, child);
  return container[step];
}

function containerFor(step: string | number | undefined, lists: unknown[][], built: Set<unknown>): unknown {
  const container: unknown = typeof step !== 'number' ? Object.create(null) : [];
  if (Array.isArray(container)) lists.push(container);
  built.add(container);
  return container;
}
