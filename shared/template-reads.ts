import {
  Liquid,
  type Template as LiquidNode,
  Tag,
  type Token,
  TypeGuards,
  toValueSync,
  Value,
} from 'liquidjs';
import type { Template } from './templates.ts';

/**
 * A variable a template reads where a missing value fails the render
 * (strict Liquid): not behind `default`, not in an `if`/`unless`/`case`
 * condition or an `assign`, not inside a block whose condition tested it,
 * and not one the template sets itself (`assign`, `capture`, `for`).
 */
export type TemplateRead = {
  /** The template field: `subject`, `html`, `text`, `body`, `title` or `url`. */
  field: string;
  /** The expression as written, e.g. `trigger.properties.cartTotal`. */
  text: string;
  /** Its names up to the first computed one (`a[b].c` → `["a"]`). */
  segments: string[];
  line: number;
  column: number;
  /** The tag whose argument it is (`for`), absent for an output (`{{ … }}`). */
  tag?: string;
};

/** Tags whose arguments Liquid reads leniently (lenientIf): a missing variable there is empty. */
const LENIENT_TAGS: ReadonlySet<string> = new Set(['if', 'unless', 'case', 'assign']);
/** Tags whose blocks run only when their condition holds: what the condition names is there inside. */
const CONDITIONAL_TAGS: ReadonlySet<string> = new Set(['if', 'unless', 'case']);

// Parsing only: which tags and filters exist, not how values print.
const parser = new Liquid({ strictFilters: true, templates: {} });

/** `locals`: names the template assigns (one set per field); `block`: loop variables in reach. */
type Scope = { locals: Set<string>; block: ReadonlySet<string>; guards: readonly string[][] };
type Found = { field: string; out: TemplateRead[]; tag?: string };

/** Whether one path is a prefix of the other: a condition on either speaks for the other's presence. */
function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The literal names of a property access, up to the first computed one. */
function literalSegments(props: readonly Token[]): string[] {
  const segments: string[] = [];
  for (const prop of props) {
    if (TypeGuards.isWordToken(prop) || TypeGuards.isQuotedToken(prop) || TypeGuards.isNumberToken(prop))
      segments.push(String(prop.content));
    else break;
  }
  return segments;
}

type FilterLike = { name: string; args: readonly unknown[] };

/** A filtered value: its first expression lenient after `default`, filter arguments always strict. */
function readsOfFiltered(
  postfix: readonly Token[],
  filters: readonly FilterLike[],
  lenient: boolean,
  scope: Scope,
  found: Found,
  paths: string[][],
): void {
  const initialLenient = lenient || filters[0]?.name === 'default';
  for (const token of postfix) readsOfToken(token, initialLenient, scope, found, paths);
  for (const filter of filters) {
    for (const arg of filter.args) {
      const value = Array.isArray(arg) ? arg[1] : arg;
      if (TypeGuards.isValueToken(value)) readsOfToken(value, false, scope, found, paths);
    }
  }
}

function readsOfToken(token: Token, lenient: boolean, scope: Scope, found: Found, paths: string[][]): void {
  if (TypeGuards.isRangeToken(token)) {
    readsOfToken(token.lhs, false, scope, found, paths);
    readsOfToken(token.rhs, false, scope, found, paths);
    return;
  }
  if (TypeGuards.isFilteredValueToken(token)) {
    readsOfFiltered(token.initial.postfix, token.filters, lenient, scope, found, paths);
    return;
  }
  if (!TypeGuards.isPropertyAccessToken(token)) return;
  // A computed name (`a[b]`) is read strictly, whatever the access around it.
  for (const prop of token.props)
    if (TypeGuards.isPropertyAccessToken(prop)) readsOfToken(prop, false, scope, found, paths);
  if (token.variable !== undefined) {
    readsOfToken(token.variable, lenient, scope, found, paths);
    return;
  }
  const segments = literalSegments(token.props);
  const root = segments[0];
  if (root === undefined || scope.locals.has(root) || scope.block.has(root)) return;
  paths.push(segments);
  if (lenient || scope.guards.some((guard) => overlaps(guard, segments))) return;
  const [line = 0, column = 0] = token.getPosition();
  const read = { field: found.field, text: token.getText(), segments, line, column };
  found.out.push(found.tag === undefined ? read : { ...read, tag: found.tag });
}

function visit(node: LiquidNode, scope: Scope, found: Found): void {
  const name = node instanceof Tag ? node.name : undefined;
  const lenient = name !== undefined && LENIENT_TAGS.has(name);
  const tested: string[][] = [];
  const args: Found = name === undefined ? found : { ...found, tag: name };
  for (const arg of node.arguments?.() ?? []) {
    if (arg instanceof Value) readsOfFiltered(arg.initial.postfix, arg.filters, lenient, scope, args, tested);
    else if (TypeGuards.isValueToken(arg)) readsOfToken(arg, lenient, scope, args, tested);
  }
  for (const identifier of node.localScope?.() ?? []) scope.locals.add(identifier.content);
  if (node.children === undefined) return;
  const inner: Scope = {
    locals: scope.locals,
    block: new Set([...scope.block, ...(node.blockScope?.() ?? [])]),
    guards: name !== undefined && CONDITIONAL_TAGS.has(name) ? [...scope.guards, ...tested] : scope.guards,
  };
  // Templates read no files: partials are never loaded.
  for (const child of toValueSync(node.children(false, true))) visit(child, inner, found);
}

/**
 * Every variable of a template that must have a value when it renders, with
 * where it is written; empty for a field that does not parse (its syntax is
 * reported on its own).
 */
export function templateReads(template: Template): TemplateRead[] {
  const out: TemplateRead[] = [];
  for (const [field, source] of Object.entries(template)) {
    if (field === 'channel' || typeof source !== 'string') continue;
    let nodes: LiquidNode[];
    try {
      nodes = parser.parse(source);
    } catch {
      continue;
    }
    const scope: Scope = { locals: new Set(), block: new Set(), guards: [] };
    for (const node of nodes) visit(node, scope, { field, out });
  }
  return out;
}
