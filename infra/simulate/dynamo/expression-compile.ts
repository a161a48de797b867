import { isMap } from './documents.ts';
import {
  added,
  addTo,
  compare,
  functionHolds,
  type Item,
  nameOf,
  numberOf,
  own,
  type Placeholders,
  sizeOf,
  validation,
  valueAt,
  written,
} from './expression-eval.ts';
import type { Condition, Operand, PathNode, UpdateAction } from './expression-parser.ts';

/**
 * Parsed expressions made once into functions of (item, placeholders): a
 * forecast evaluates the same few hundred expression texts millions of
 * times, and a function per node does not decide the node's kind, nor read
 * a name that is no placeholder, at every call. Each parsed tree (cached by
 * its text, expression-parser.ts) is compiled once, when first evaluated.
 * The values, errors and the order operands are read in are
 * expression-eval.ts's.
 */

type Read = (item: Item, p: Placeholders) => unknown;
type Test = (item: Item, p: Placeholders) => boolean;

/** Names an item can inherit (a plain object's prototype): one of them is read only as an own member. */
function inherited(name: string): boolean {
  return name in Object.prototype;
}

/** The first step of a path: a name written in the expression is read directly when no item can inherit it. */
function headOf(step: string): Read {
  if (step.startsWith('#')) return (item, p) => own(item, nameOf(step, p));
  if (inherited(step)) return (item) => own(item, step);
  return (item) => item[step];
}

function compilePath(node: PathNode): Read {
  const head = headOf(String(node.steps[0]));
  const rest = node.steps.slice(1);
  if (rest.length === 0) return head;
  return (item, p) => {
    let current = head(item, p);
    for (let i = 0; i < rest.length && current !== undefined; i++) {
      const step = rest[i];
      if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
      else current = isMap(current) ? own(current, nameOf(String(step), p)) : undefined;
    }
    return current;
  };
}

function compileCall(node: Extract<Operand, { kind: 'call' }>): Read {
  const [a, b] = node.args.map(compileOperand);
  const fn = node.fn;
  if (a === undefined) return () => fail(`${fn} needs arguments`);
  if (fn === 'size') return (item, p) => sizeOf(a(item, p));
  if (b === undefined) return () => fail(`${fn} needs two arguments`);
  if (fn === 'if_not_exists') return (item, p) => a(item, p) ?? b(item, p);
  return (item, p) => {
    const left = a(item, p);
    const right = b(item, p);
    if (!Array.isArray(left) || !Array.isArray(right)) throw validation('list_append needs two lists');
    return Object.freeze([...left, ...right]);
  };
}

function fail(message: string): never {
  throw validation(message);
}

function compileOperand(node: Operand): Read {
  switch (node.kind) {
    case 'path':
      return compilePath(node);
    case 'value': {
      const ref = node.ref;
      return (_item, p) => valueAt(ref, p);
    }
    case 'arith': {
      const left = compileOperand(node.left);
      const right = compileOperand(node.right);
      const sign = node.op === '+' ? 1 : -1;
      return (item, p) => {
        const a = left(item, p);
        const b = right(item, p);
        numberOf(a, 'left of arithmetic');
        numberOf(b, 'right of arithmetic');
        return added(a as number | bigint, b as number | bigint, sign);
      };
    }
    case 'call':
      return compileCall(node);
  }
}

function compileCondition(c: Condition): Test {
  switch (c.kind) {
    case 'and': {
      const [left, right] = [compileCondition(c.left), compileCondition(c.right)];
      return (item, p) => left(item, p) && right(item, p);
    }
    case 'or': {
      const [left, right] = [compileCondition(c.left), compileCondition(c.right)];
      return (item, p) => left(item, p) || right(item, p);
    }
    case 'not': {
      const inner = compileCondition(c.inner);
      return (item, p) => !inner(item, p);
    }
    case 'compare': {
      const [left, right, op] = [compileOperand(c.left), compileOperand(c.right), c.op];
      return (item, p) => compare(op, left(item, p), right(item, p));
    }
    case 'between': {
      const [subject, low, high] = [compileOperand(c.subject), compileOperand(c.low), compileOperand(c.high)];
      return (item, p) => {
        const v = subject(item, p);
        return compare('>=', v, low(item, p)) && compare('<=', v, high(item, p));
      };
    }
    case 'in': {
      const subject = compileOperand(c.subject);
      const options = c.options.map(compileOperand);
      return (item, p) => {
        const v = subject(item, p);
        return options.some((o) => compare('=', v, o(item, p)));
      };
    }
    case 'fn': {
      const path = compilePath(c.path);
      const exists = c.fn === 'attribute_exists';
      return (item, p) => (path(item, p) !== undefined) === exists;
    }
    case 'fn2': {
      const [path, arg, fn] = [compileOperand(c.path), compileOperand(c.arg), c.fn];
      return (item, p) => functionHolds(fn, path(item, p), arg(item, p));
    }
  }
}

/** Compiled trees, by the tree (the parser's cache keeps a text's tree while the text is used). */
const tests = new WeakMap<Condition, Test>();

/** Whether a condition holds on an item (an absent item is `{}`). */
export function holds(item: Item, c: Condition, p: Placeholders): boolean {
  let test = tests.get(c);
  if (test === undefined) {
    test = compileCondition(c);
    tests.set(c, test);
  }
  return test(item, p);
}

/** An update action compiled: its value, and the path it writes (read for ADD and DELETE). */
type Step = { action: UpdateAction; value: Read | undefined; current: Read; top: string };
const plans = new WeakMap<readonly UpdateAction[], Step[]>();

function planOf(actions: readonly UpdateAction[]): Step[] {
  let plan = plans.get(actions);
  if (plan === undefined) {
    plan = actions.map((action) => ({
      action,
      value: action.kind === 'remove' ? undefined : compileOperand(action.value),
      current: compilePath(action.path),
      top: String(action.path.steps[0]),
    }));
    plans.set(actions, plan);
  }
  return plan;
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
  for (const { action, value: read, current, top: step } of planOf(actions)) {
    let value: unknown;
    if (read !== undefined) {
      value = read(before, p);
      if (value === undefined)
        throw validation('The provided expression refers to an attribute that does not exist in the item');
      if (action.kind !== 'set') value = addTo(current(before, p), value, action.kind === 'delete');
    }
    const top = nameOf(step, p);
    const now = changes.has(top) ? changes.get(top) : before[top];
    changes.set(top, written(now, action.path, value, p));
  }
  return changes;
}
