import { createRequire } from 'node:module';
import { onceForDynalite } from './dynalite-files.ts';

/** What dynalite's expression parsers read and write of the request: its names and values, and what is left unused. */
type ParseContext = {
  attrNames?: Record<string, unknown> | null;
  attrVals?: Record<string, unknown> | null;
  unusedAttrNames?: Record<string, unknown>;
  unusedAttrVals?: Record<string, unknown>;
};
type Parse = (input: string, options: { context: ParseContext }) => unknown;
type ParserModule = { parse: Parse };

/** Where dynalite's value refers to one of the request's values, in a cached parse. */
class ValueRef {
  constructor(readonly name: string) {}
}

type Entry = {
  /** The parse, with each of the request's values replaced by a {@link ValueRef}, and names by placeholders. */
  template: unknown;
  /** The names and values the expression uses (a parse marks them used). */
  names: readonly string[];
  values: readonly string[];
};

/**
 * Parses kept per parser: the product sends a few dozen expression shapes
 * (names of a customer's own, such as a trait or a token, do not make a
 * shape of their own); tests with generated expressions more.
 */
export const MAX_CACHED_PARSES = 2_000;

/** The parsers of dynalite's validations (one module each), by the file of the dynalite they belong to. */
const PARSERS = ['./db/conditionParser.js', './db/updateParser.js', './db/projectionParser.js'];

/** Per copy of dynalite (its main file): whether its parsers answer from a cache. */
const installed = new Map<string, boolean>();

/**
 * dynalite parses every expression of every request (update, condition, key
 * condition, filter, projection) with a generated PEG parser, resolving the
 * request's names and values as it goes: about a tenth of the CPU of a
 * DynamoDB call in-process. From here on a parse is answered from a cache
 * when the same expression came with values of the same types and names
 * equal where the earlier ones were: the parser's checks on values look at
 * their types only, except in BETWEEN (compares the bounds) and
 * attribute_type (reads its value), which are never cached; its checks on
 * names only compare document paths. A cached answer is the parse the parser
 * wrote, copied, with this request's names and values where the earlier
 * request's were, and marks the same names and values used; errors are never
 * cached (the parser answers them itself). `dynaliteMain` names another copy of dynalite (tests).
 * Returns whether the parsers are cached (false when dynalite's files are not
 * where this expects them: then nothing is replaced).
 */
export function cacheExpressionParsing(dynaliteMain?: string): boolean {
  return onceForDynalite(installed, install, dynaliteMain);
}

function install(main: string): boolean {
  const load = createRequire(main);
  const modules: ParserModule[] = [];
  for (const file of PARSERS) {
    let module: unknown;
    try {
      module = load(file);
    } catch {
      return false;
    }
    if (!isParserModule(module)) return false;
    modules.push(module);
  }
  for (const module of modules) module.parse = cachedParse(module.parse);
  return true;
}

function isParserModule(value: unknown): value is ParserModule {
  return typeof value === 'object' && value !== null && 'parse' in value && typeof value.parse === 'function';
}

/** `parse`, answering from a cache of its successful parses (see {@link cacheExpressionParsing}). */
export function cachedParse(parse: Parse, maxEntries = MAX_CACHED_PARSES): Parse {
  const cache = new Map<string, Entry>();
  return (input, options) => {
    const context = options.context;
    const shape = shapeOf(input, context);
    if (shape === undefined) return parse(input, options);
    const hit = cache.get(shape.key) ?? learn(parse, input, options, shape);
    if (hit === undefined) return parse(input, options);
    if (!cache.has(shape.key)) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(shape.key, hit);
    }
    markUsed(context, hit.names, hit.values);
    return withValues(hit.template, context.attrVals ?? {}, context.attrNames ?? {});
  };
}

/**
 * The parse of an expression's shape: parsed with each name that stands for
 * an attribute of its own replaced by its {@link placeholderName}, and each
 * value by a {@link ValueRef}. Undefined when the parser refuses it (the
 * parser then answers the request itself, in its own words).
 */
function learn(parse: Parse, input: string, options: Parameters<Parse>[1], shape: Shape): Entry | undefined {
  const context = options.context;
  const probe: ParseContext = {
    ...context,
    attrNames: shape.names,
    unusedAttrNames: flags(context.attrNames),
    unusedAttrVals: flags(context.attrVals),
  };
  let parsed: unknown;
  try {
    parsed = parse(input, { ...options, context: probe });
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  return {
    template: withRefs(parsed, context.attrVals ?? {}),
    names: used(context.attrNames, probe.unusedAttrNames),
    values: used(context.attrVals, probe.unusedAttrVals),
  };
}

/** What a parse depends on ({@link shapeOf}), and the names to parse the shape with. */
type Shape = { key: string; names: Record<string, unknown> | null | undefined };

/**
 * Marks an attribute name in a cached parse: a character no expression or
 * parser output holds, and the position of the request's name it stands for.
 */
const PLACEHOLDER = '\u0001';

function placeholderName(position: number): string {
  return `${PLACEHOLDER}${position}`;
}

/**
 * What a parse depends on: the expression, each value's type (the type
 * dynalite's parsers see: the first of theirs the value holds), and of the
 * names only which are equal — the parsers compare document paths, never
 * read a name — unless a name could be equal to one the expression spells
 * out (then the name itself). So an expression sent with a name of each
 * customer's (a trait, a token) is one entry, not one per customer.
 * Undefined when the parse depends on a value's content.
 */
function shapeOf(input: string, context: ParseContext): Shape | undefined {
  if (/between|attribute_type/i.test(input) || input.includes(PLACEHOLDER)) return undefined;
  const parts: string[] = [input];
  for (const [name, value] of Object.entries(context.attrVals ?? {})) parts.push(`${name}=${typeOf(value)}`);
  if (context.attrNames === undefined || context.attrNames === null)
    return { key: parts.join('\u0000'), names: context.attrNames };
  const names: Record<string, unknown> = Object.create(null);
  const firstOf = new Map<unknown, string>();
  Object.entries(context.attrNames).forEach(([name, value], position) => {
    const spelled = typeof value !== 'string' || value === '' || input.includes(value);
    const stands = spelled ? value : (firstOf.get(value) ?? placeholderName(position));
    if (!spelled) firstOf.set(value, stands as string);
    names[name] = stands;
    parts.push(`${name}${spelled ? `=${JSON.stringify(value)}` : `~${stands}`}`);
  });
  return { key: parts.join('\u0000'), names };
}

const TYPES = ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M'];

function typeOf(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '-';
  const fields = value as Record<string, unknown>;
  return TYPES.find((type) => fields[type] !== undefined && fields[type] !== null) ?? '-';
}

function flags(record: Record<string, unknown> | null | undefined): Record<string, true> {
  const out: Record<string, true> = Object.create(null);
  for (const name of Object.keys(record ?? {})) out[name] = true;
  return out;
}

function used(record: Record<string, unknown> | null | undefined, unused: Record<string, unknown> = {}) {
  return Object.keys(record ?? {}).filter((name) => !(name in unused));
}

function markUsed(context: ParseContext, names: readonly string[], values: readonly string[]): void {
  for (const name of names) if (context.unusedAttrNames) delete context.unusedAttrNames[name];
  for (const name of values) if (context.unusedAttrVals) delete context.unusedAttrVals[name];
}

/** A copy of `parsed` with each of `values` (by identity) replaced by a reference to its name. */
function withRefs(parsed: unknown, values: Record<string, unknown>): unknown {
  const names = new Map<unknown, string>();
  for (const [name, value] of Object.entries(values))
    if (typeof value === 'object' && value !== null) names.set(value, name);
  return copy(parsed, (node) => {
    const name = names.get(node);
    return name === undefined ? undefined : new ValueRef(name);
  });
}

/**
 * A copy of a cached parse with each value reference replaced by the
 * request's value of that name, and each placeholder name by the request's
 * name at that position.
 */
function withValues(
  template: unknown,
  values: Record<string, unknown>,
  names: Record<string, unknown>,
): unknown {
  const spelled = Object.values(names);
  return copy(
    template,
    (node) => (node instanceof ValueRef ? { value: values[node.name] } : undefined),
    (text) => (text.startsWith(PLACEHOLDER) ? spelled[Number(text.slice(PLACEHOLDER.length))] : text),
  );
}

/**
 * A deep copy of arrays and objects (keeping their prototypes, and shared
 * parts shared), where `replace` may answer a node's replacement and `text`
 * a string's.
 */
function copy(
  root: unknown,
  replace: (node: object) => { value: unknown } | ValueRef | undefined,
  text: (value: string) => unknown = (value) => value,
): unknown {
  const copies = new Map<object, unknown>();
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return text(node);
    if (typeof node !== 'object' || node === null) return node;
    const replaced = replace(node);
    if (replaced instanceof ValueRef) return replaced;
    if (replaced !== undefined) return replaced.value;
    const done = copies.get(node);
    if (done !== undefined) return done;
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      copies.set(node, out);
      for (const item of node) out.push(visit(item));
      return out;
    }
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(node));
    copies.set(node, out);
    // Names are keys too (a parse's set of paths): written as the parser writes them, by assignment.
    for (const [field, value] of Object.entries(node)) out[String(text(field))] = visit(value);
    return out;
  };
  return visit(root);
}
