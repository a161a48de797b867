/**
 * DynamoDB expression syntax (update, condition, key condition, projection),
 * parsed once per expression text into a small tree: the in-memory tables
 * evaluate what the repositories send with the grammar DynamoDB documents.
 */

/** A document path: a top-level name, then `.name` or `[index]` steps. Names are still placeholders. */
export type PathNode = { kind: 'path'; steps: (string | number)[] };
export type Operand =
  | PathNode
  | { kind: 'value'; ref: string }
  | { kind: 'call'; fn: 'if_not_exists' | 'list_append' | 'size'; args: Operand[] }
  | { kind: 'arith'; op: '+' | '-'; left: Operand; right: Operand };

type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition }
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; subject: Operand; low: Operand; high: Operand }
  | { kind: 'in'; subject: Operand; options: Operand[] }
  | { kind: 'fn'; fn: 'attribute_exists' | 'attribute_not_exists'; path: PathNode }
  | { kind: 'fn2'; fn: 'begins_with' | 'contains' | 'attribute_type'; path: Operand; arg: Operand };

export type UpdateAction =
  | { kind: 'set'; path: PathNode; value: Operand }
  | { kind: 'remove'; path: PathNode }
  | { kind: 'add' | 'delete'; path: PathNode; value: Operand };

const TOKEN = /\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|\d+|<>|<=|>=|[=<>(),.[\]+-])/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null || match[1] === undefined) throw syntaxError(text, `unexpected character at ${start}`);
    tokens.push(match[1]);
  }
  return tokens;
}

function syntaxError(text: string, reason: string): Error {
  const error = new Error(`Invalid expression "${text}": ${reason}`);
  error.name = 'ValidationException';
  return error;
}

class Reader {
  private i = 0;
  constructor(
    private readonly tokens: string[],
    private readonly text: string,
  ) {}
  peek(offset = 0): string | undefined {
    return this.tokens[this.i + offset];
  }
  next(): string {
    const token = this.tokens[this.i++];
    if (token === undefined) throw syntaxError(this.text, 'unexpected end');
    return token;
  }
  expect(token: string): void {
    const got = this.next();
    if (got.toUpperCase() !== token) throw syntaxError(this.text, `expected ${token}, got ${got}`);
  }
  keyword(word: string): boolean {
    if (this.peek()?.toUpperCase() !== word) return false;
    this.i++;
    return true;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  fail(reason: string): never {
    throw syntaxError(this.text, reason);
  }
}

function path(r: Reader): PathNode {
  const first = r.next();
  if (first.startsWith(':') || !/^[#A-Za-z_]/.test(first)) r.fail(`expected an attribute, got ${first}`);
  const steps: (string | number)[] = [first];
  for (;;) {
    if (r.peek() === '.') {
      r.next();
      steps.push(r.next());
    } else if (r.peek() === '[') {
      r.next();
      steps.push(Number(r.next()));
      r.expect(']');
    } else return { kind: 'path', steps };
  }
}

const OPERAND_FUNCTIONS = new Set(['if_not_exists', 'list_append', 'size']);

function operand(r: Reader): Operand {
  const token = r.peek();
  if (token?.startsWith(':')) return { kind: 'value', ref: r.next() };
  if (token !== undefined && OPERAND_FUNCTIONS.has(token) && r.peek(1) === '(') {
    r.next();
    r.expect('(');
    const args = [operand(r)];
    while (r.keyword(',')) args.push(operand(r));
    r.expect(')');
    const fn = token === 'if_not_exists' ? token : token === 'list_append' ? token : 'size';
    return { kind: 'call', fn, args };
  }
  return path(r);
}

function setValue(r: Reader): Operand {
  const left = operand(r);
  const op = r.peek();
  if (op !== '+' && op !== '-') return left;
  r.next();
  return { kind: 'arith', op, left, right: operand(r) };
}

const COMPARATORS = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);
function isComparator(token: string | undefined): token is Comparator {
  return token !== undefined && COMPARATORS.has(token);
}

function primary(r: Reader): Condition {
  if (r.keyword('NOT')) return { kind: 'not', inner: primary(r) };
  if (r.peek() === '(') {
    r.next();
    const inner = disjunction(r);
    r.expect(')');
    return inner;
  }
  const token = r.peek();
  if ((token === 'attribute_exists' || token === 'attribute_not_exists') && r.peek(1) === '(') {
    r.next();
    r.expect('(');
    const p = path(r);
    r.expect(')');
    return { kind: 'fn', fn: token, path: p };
  }
  if ((token === 'begins_with' || token === 'contains' || token === 'attribute_type') && r.peek(1) === '(') {
    r.next();
    r.expect('(');
    const p = operand(r);
    r.expect(',');
    const arg = operand(r);
    r.expect(')');
    return { kind: 'fn2', fn: token, path: p, arg };
  }
  const left = operand(r);
  if (r.keyword('BETWEEN')) {
    const low = operand(r);
    r.expect('AND');
    return { kind: 'between', subject: left, low, high: operand(r) };
  }
  if (r.keyword('IN')) {
    r.expect('(');
    const options = [operand(r)];
    while (r.keyword(',')) options.push(operand(r));
    r.expect(')');
    return { kind: 'in', subject: left, options };
  }
  const op = r.next();
  if (!isComparator(op)) r.fail(`expected a comparison, got ${op}`);
  return { kind: 'compare', op, left, right: operand(r) };
}

function conjunction(r: Reader): Condition {
  let left = primary(r);
  while (r.keyword('AND')) left = { kind: 'and', left, right: primary(r) };
  return left;
}

function disjunction(r: Reader): Condition {
  let left = conjunction(r);
  while (r.keyword('OR')) left = { kind: 'or', left, right: conjunction(r) };
  return left;
}

/**
 * Parsed expressions by their text. The repositories send a few hundred
 * distinct texts (names and values are placeholders), so each is parsed
 * once; a cache that fills anyway (texts built from data) starts over, so
 * what it holds stays bounded.
 */
const CACHED_EXPRESSIONS = 2_000;

class ParseCache<T> {
  private readonly parsed = new Map<string, T>();
  get(text: string): T | undefined {
    return this.parsed.get(text);
  }
  set(text: string, value: T): void {
    if (this.parsed.size >= CACHED_EXPRESSIONS) this.parsed.clear();
    this.parsed.set(text, value);
  }
}

const conditions = new ParseCache<Condition>();
const updates = new ParseCache<UpdateAction[]>();
const projections = new ParseCache<PathNode[]>();

/** The parsed tree of a condition (or key condition, or filter) expression; cached by its text. */
export function parseCondition(text: string): Condition {
  const cached = conditions.get(text);
  if (cached !== undefined) return cached;
  const r = new Reader(tokenize(text), text);
  const parsed = disjunction(r);
  if (!r.done()) r.fail(`unexpected ${r.peek()}`);
  conditions.set(text, parsed);
  return parsed;
}

const CLAUSES = new Set(['SET', 'REMOVE', 'ADD', 'DELETE']);

/** The actions of an update expression, in clause order; cached by its text. */
export function parseUpdate(text: string): UpdateAction[] {
  const cached = updates.get(text);
  if (cached !== undefined) return cached;
  const r = new Reader(tokenize(text), text);
  const actions: UpdateAction[] = [];
  while (!r.done()) {
    const clause = r.next().toUpperCase();
    if (!CLAUSES.has(clause)) r.fail(`expected SET, REMOVE, ADD or DELETE, got ${clause}`);
    do {
      const p = path(r);
      if (clause === 'SET') {
        r.expect('=');
        actions.push({ kind: 'set', path: p, value: setValue(r) });
      } else if (clause === 'REMOVE') actions.push({ kind: 'remove', path: p });
      else actions.push({ kind: clause === 'ADD' ? 'add' : 'delete', path: p, value: operand(r) });
    } while (r.keyword(','));
  }
  updates.set(text, actions);
  return actions;
}

/** The paths of a projection expression; cached by its text. */
export function parseProjection(text: string): PathNode[] {
  const cached = projections.get(text);
  if (cached !== undefined) return cached;
  const r = new Reader(tokenize(text), text);
  const paths = [path(r)];
  while (r.keyword(',')) paths.push(path(r));
  if (!r.done()) r.fail(`unexpected ${r.peek()}`);
  projections.set(text, paths);
  return paths;
}
