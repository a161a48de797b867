import type { Channel } from '../../../shared/channels.ts';

/**
 * Pinpoint message templates (Handlebars, with Pinpoint's message variables)
 * as Liquid templates here. What has an equivalent is converted, all of it or
 * nothing: a part left out would send customers a message Pinpoint did not
 * (a literal `{{formatDate …}}`, a blank where a helper printed something).
 *
 * - `{{User.UserAttributes.X}}`, `{{Attributes.X}}` → `{{ profile.traits.X }}`
 *   (a trailing `.[0]`, the first of Pinpoint's list, is the trait itself);
 *   `{{User.UserId}}` → `profile.userId`; `{{Address}}` → `profile.email` or
 *   `profile.phone`; `{{Demographic.Timezone}}` / `Locale` → `profile.timezone` / `locale`.
 * - a default value (`DefaultSubstitutions`) → `| default: "…"`; none: Pinpoint
 *   printed nothing for a customer without the value, so `| default: ""`.
 * - `{{{x}}}` (not escaped) → `| raw` in an email's HTML.
 * - `{{#if x}}` / `{{#unless x}}` / `{{else}}` / `{{else if x}}` → `{% if %}`
 *   with Handlebars' truth (an empty value is false: `!= blank`).
 * - `{{#each x}}` → `{% for %}` over at most 15 items, as Pinpoint; `{{this}}`,
 *   `{{this.y}}`, `{{@index}}`, `{{@first}}`, `{{@last}}`, `{{../X}}`.
 * - `{{#eq X "a"}}` / `{{#neq …}}` and `{{#if (eq X "a")}}` → `{% if X == "a" %}`;
 *   `{{upper X}}`, `{{lower X}}`, `{{stripTags X}}`, `{{join X ", "}}`,
 *   `{{defaultIfEmpty X "none"}}` → the Liquid filter that does the same.
 * - comments are dropped; `{{~` / `~}}` trim as `{{-` / `-}}`.
 * Anything else (a helper such as `formatDate`, endpoint data such as
 * `Location` or `Metrics`, recommendations, partials) is named, with where it is.
 */

/** A part of a template that has no equivalent: the tag as written, where, and why. */
export type Unconverted = { tag: string; line: number; column: number; why: string };

export type Converted =
  | { ok: true; liquid: string; blanks: string[] }
  | { ok: false; unconverted: Unconverted[] };

type ConvertOptions = {
  channel: Channel;
  /** The email HTML: `{{{x}}}` is written `| raw` (the other fields are not escaped). */
  html?: boolean;
  /** Pinpoint's default values, by variable as written (`User.UserAttributes.FirstName`). */
  defaults: ReadonlyMap<string, string>;
  /** Plain text made the HTML of an email: its own text is escaped, its line breaks kept. */
  textAsHtml?: boolean;
};

/** Pinpoint shows at most this many items of a list in an `each`. */
const EACH_LIMIT = 15;

type Block = {
  kind: 'if' | 'unless' | 'each' | 'eq' | 'neq';
  item?: string;
  otherwise?: string;
  elsed: boolean;
};

type Tag = { text: string; inner: string; raw: boolean; trimLeft: boolean; trimRight: boolean };

/** Converts one field of a Pinpoint template; `blanks` are the variables without a default value. */
export function convertHandlebars(source: string, options: ConvertOptions): Converted {
  const out: string[] = [];
  const unconverted: Unconverted[] = [];
  const blanks = new Set<string>();
  const blocks: Block[] = [];
  let at = 0;
  const where = (offset: number) => {
    const before = source.slice(0, offset).split('\n');
    return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
  };
  const refuse = (tag: string, offset: number, why: string) =>
    unconverted.push({ tag, ...where(offset), why });
  while (at < source.length) {
    const open = nextTag(source, at);
    out.push(literal(source.slice(at, open === -1 ? source.length : open), options.textAsHtml));
    if (open === -1) break;
    // `\{{` is a literal `{{` in Handlebars.
    if (open > 0 && source[open - 1] === '\\') {
      out[out.length - 1] = literal(source.slice(at, open - 1), options.textAsHtml);
      const end = source.indexOf('}}', open);
      const stop = end === -1 ? source.length : end + 2;
      out.push(literal(source.slice(open, stop), options.textAsHtml));
      at = stop;
      continue;
    }
    const tag = readTag(source, open);
    if (tag === undefined) {
      refuse(source.slice(open, open + 20), open, 'the tag is not closed');
      break;
    }
    at = open + tag.text.length;
    const written = convertTag(tag, blocks, options, blanks);
    if (typeof written === 'string') out.push(written);
    else refuse(tag.text, open, written.why);
  }
  for (const block of blocks.reverse())
    unconverted.push({
      tag: `{{#${block.kind}}}`,
      ...where(source.length),
      why: `{{/${block.kind}}} is missing`,
    });
  if (unconverted.length > 0) return { ok: false, unconverted };
  const liquid = out.join('');
  return {
    ok: true,
    liquid: options.textAsHtml === true ? `<div style="white-space: pre-wrap">${liquid}</div>` : liquid,
    blanks: [...blanks],
  };
}

function nextTag(source: string, from: number): number {
  return source.indexOf('{{', from);
}

/** The tag that starts at `open` (`{{…}}`, `{{{…}}}`, `{{!-- … --}}`), undefined when it never closes. */
function readTag(source: string, open: number): Tag | undefined {
  if (source.startsWith('{{!--', open) || source.startsWith('{{~!--', open)) {
    const end = source.indexOf('--', source.indexOf('!--', open) + 3);
    const close = end === -1 ? -1 : source.indexOf('}}', end);
    if (close === -1) return undefined;
    return { text: source.slice(open, close + 2), inner: '!', raw: false, trimLeft: false, trimRight: false };
  }
  const raw = source.startsWith('{{{', open) || source.startsWith('{{~{', open);
  const closer = raw ? '}}}' : '}}';
  const close = source.indexOf(closer, open + 2);
  if (close === -1) return undefined;
  const text = source.slice(open, close + closer.length);
  let inner = text.slice(raw ? 3 : 2, text.length - closer.length);
  const trimLeft = inner.startsWith('~') || text.startsWith('{{~');
  if (text.startsWith('{{~{')) inner = inner.slice(1);
  if (inner.startsWith('~')) inner = inner.slice(1);
  const trimRight = inner.endsWith('~');
  if (trimRight) inner = inner.slice(0, -1);
  return { text, inner: inner.trim(), raw, trimLeft, trimRight };
}

/** Literal text, with Liquid's own delimiters in it (`width:100%}` in a style) kept out of Liquid's reach. */
function literal(given: string, escapeHtml = false): string {
  const text = escapeHtml
    ? given.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    : given;
  return text.replace(/\{%|%\}|\{\{|\}\}/g, (delimiter) => `{% raw %}${delimiter}{% endraw %}`);
}

function liquidTag(tag: Tag, body: string): string {
  return `{%${tag.trimLeft ? '-' : ''} ${body} ${tag.trimRight ? '-' : ''}%}`;
}

function convertTag(
  tag: Tag,
  blocks: Block[],
  options: ConvertOptions,
  blanks: Set<string>,
): string | { why: string } {
  const inner = tag.inner;
  if (inner.startsWith('!'))
    return tag.trimLeft || tag.trimRight ? liquidTag(tag, 'comment %}{% endcomment') : '';
  const open = /^#(if|unless|each)\s+(.+)$/s.exec(inner);
  if (open !== null) return openBlock(tag, open[1] as Block['kind'], open[2] ?? '', blocks, options);
  const compare = /^#(eq|neq)\s+(.+)$/s.exec(inner);
  if (compare !== null) {
    const kind = compare[1] === 'eq' ? 'eq' : 'neq';
    const expression = comparison(kind, tokensOf(compare[2] ?? ''), blocks, options.channel);
    if (typeof expression !== 'string') return expression;
    blocks.push({ kind, elsed: false });
    return liquidTag(tag, `if ${expression}`);
  }
  if (inner.startsWith('#') || inner.startsWith('^') || inner.startsWith('>') || inner.startsWith('*'))
    return { why: blockWhy(inner) };
  const elseIf = /^else\s+if\s+(.+)$/s.exec(inner);
  if (inner === 'else' || inner === '^' || elseIf !== null) return elseTag(tag, elseIf?.[1], blocks, options);
  const close = /^\/(if|unless|each|eq|neq)$/.exec(inner);
  if (close !== null) return closeBlock(tag, close[1] ?? '', blocks);
  if (inner.startsWith('/')) return { why: `${inner.slice(1)} is not a block this import converts` };
  // Blanks in a bracketed name (`Attributes.[Favorite Color]`) do not separate arguments.
  const words = unbracketed(inner).split(/\s+/);
  if (words.length > 1 || inner.includes('(') || inner.includes('='))
    return helperOutput(tag, words[0] ?? inner, blocks, options, blanks);
  return output(tag, inner, [], blocks, options, blanks);
}

/** Pinpoint's string helpers that are one Liquid filter on one value: `{{upper X}}` → `{{ X | upcase }}`. */
const FILTER_HELPERS: ReadonlyMap<string, string> = new Map([
  ['upper', 'upcase'],
  ['lower', 'downcase'],
  ['stripTags', 'strip_html'],
]);

/** `{{helper X …}}`: a helper that is a Liquid filter, or why it has no equivalent. */
function helperOutput(
  tag: Tag,
  name: string,
  blocks: Block[],
  options: ConvertOptions,
  blanks: Set<string>,
): string | { why: string } {
  const tokens = tokensOf(tag.inner);
  const [, value, argument, ...more] = tokens ?? [];
  const filter = FILTER_HELPERS.get(name);
  if (tokens === undefined || value?.kind !== 'path' || more.length > 0) return { why: helperWhy(name) };
  if (filter !== undefined && argument === undefined)
    return output(tag, value.text, [filter], blocks, options, blanks);
  if (name === 'defaultIfEmpty' && argument?.kind === 'literal')
    return output(tag, value.text, [], blocks, options, blanks, literalText(argument.text));
  if (name === 'join' && argument?.kind === 'literal')
    return output(tag, value.text, [`join: ${argument.text}`], blocks, options, blanks);
  return { why: helperWhy(name) };
}

/** A variable's output, with its default value (Pinpoint's, `given`, or empty) first and then `filters`. */
function output(
  tag: Tag,
  inner: string,
  filters: readonly string[],
  blocks: Block[],
  options: ConvertOptions,
  blanks: Set<string>,
  given?: string,
): string | { why: string } {
  const variable = variablePath(inner, blocks, options.channel);
  if (typeof variable !== 'string') return variable;
  const fallback = given ?? defaultOf(inner, blocks, options.defaults);
  // A loop's item, and the fields every message has (its customer, its address), need no fallback.
  const always =
    ALWAYS_SET.has(variable) ||
    variable.startsWith('forloop.') ||
    blocks.some((b) => b.item !== undefined && variable.startsWith(b.item));
  if (fallback === undefined && !always) blanks.add(inner);
  const all = [
    ...(always && fallback === undefined ? [] : [`default: ${JSON.stringify(fallback ?? '')}`]),
    ...filters,
    ...(tag.raw && options.html === true ? ['raw'] : []),
  ];
  const body = [variable, ...all].join(' | ');
  return `{{${tag.trimLeft ? '-' : ''} ${body} ${tag.trimRight ? '-' : ''}}}`;
}

function openBlock(
  tag: Tag,
  kind: Block['kind'],
  argument: string,
  blocks: Block[],
  options: ConvertOptions,
): string | { why: string } {
  const arg = argument.trim();
  // `{{#if (eq X "gold")}}`: a comparison, as Pinpoint's eq and neq helpers make one.
  const sub = /^\((eq|neq)\s+(.+)\)$/s.exec(arg);
  if (sub !== null && kind !== 'each') {
    // `{{#unless (eq …)}}` is the other comparison.
    const equal = (sub[1] === 'eq') === (kind === 'if');
    const expression = comparison(equal ? 'eq' : 'neq', tokensOf(sub[2] ?? ''), blocks, options.channel);
    if (typeof expression !== 'string') return expression;
    blocks.push({ kind, elsed: false });
    return liquidTag(tag, `if ${expression}`);
  }
  if (/[\s()]/.test(unbracketed(arg)))
    return { why: `{{#${kind}}} on an expression (a helper or a comparison) has no automatic equivalent` };
  const path = variablePath(arg, blocks, options.channel);
  if (typeof path !== 'string') return path;
  if (kind === 'each') {
    const item = blocks.some((b) => b.item !== undefined)
      ? `item${blocks.filter((b) => b.item).length + 1}`
      : 'item';
    blocks.push({ kind, item, otherwise: path, elsed: false });
    // An empty or missing list takes the {{else}} part, as in Handlebars; Pinpoint shows 15 items at most.
    return `${liquidTag(tag, `if ${path} != blank`)}{% for ${item} in ${path} limit: ${EACH_LIMIT} %}`;
  }
  blocks.push({ kind, elsed: false });
  return liquidTag(tag, `if ${path} ${kind === 'if' ? '!=' : '=='} blank`);
}

function elseTag(
  tag: Tag,
  condition: string | undefined,
  blocks: Block[],
  options: ConvertOptions,
): string | { why: string } {
  const block = blocks[blocks.length - 1];
  if (block === undefined) return { why: '{{else}} outside a block' };
  if (block.kind === 'each') {
    if (condition !== undefined) return { why: '{{else if}} in an {{#each}} has no equivalent' };
    block.elsed = true;
    return `{% endfor %}${liquidTag(tag, 'else')}`;
  }
  if (condition === undefined) {
    block.elsed = true;
    return liquidTag(tag, 'else');
  }
  const path = variablePath(condition.trim(), blocks, options.channel);
  if (typeof path !== 'string') return path;
  return liquidTag(tag, `elsif ${path} != blank`);
}

function closeBlock(tag: Tag, kind: string, blocks: Block[]): string | { why: string } {
  const block = blocks.pop();
  if (block === undefined || block.kind !== kind)
    return { why: `{{/${kind}}} closes ${block === undefined ? 'no block' : `{{#${block.kind}}}`}` };
  if (block.kind === 'each' && !block.elsed) return `{% endfor %}${liquidTag(tag, 'endif')}`;
  return liquidTag(tag, 'endif');
}

type Token = { kind: 'path' | 'literal'; text: string };

/** The words of a tag: paths, and string or number literals (as JSON); undefined when one is neither. */
function tokensOf(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)(?![\w.])|((?:[^\s[\]()"']|\[[^\]]*\])+))/y;
  let at = 0;
  while (at < text.trimEnd().length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    const [, double, single, number, path] = match;
    if (double !== undefined) tokens.push({ kind: 'literal', text: `"${double}"` });
    else if (single !== undefined) tokens.push({ kind: 'literal', text: JSON.stringify(single) });
    else if (number !== undefined) tokens.push({ kind: 'literal', text: number });
    else if (path !== undefined) tokens.push({ kind: 'path', text: path });
    at = pattern.lastIndex;
  }
  return tokens;
}

/** The text a literal token stands for. */
function literalText(token: string): string {
  try {
    return String(JSON.parse(token));
  } catch {
    return token.slice(1, -1);
  }
}

/** `eq A B` / `neq A B` as a Liquid comparison (a literal as written, a path as its variable). */
function comparison(
  kind: 'eq' | 'neq',
  tokens: readonly Token[] | undefined,
  blocks: readonly Block[],
  channel: Channel,
): string | { why: string } {
  if (tokens?.length !== 2) return { why: `${kind} compares two values` };
  const sides: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'literal') {
      sides.push(token.text);
      continue;
    }
    const path = variablePath(token.text, blocks, channel);
    if (typeof path !== 'string') return path;
    sides.push(path);
  }
  return `${sides[0]} ${kind === 'eq' ? '==' : '!='} ${sides[1]}`;
}

/** A Handlebars path as its Liquid variable, or why it has none. */
function variablePath(text: string, blocks: readonly Block[], channel: Channel): string | { why: string } {
  const loops = blocks.filter((b) => b.item !== undefined);
  const loop = loops[loops.length - 1];
  const data = /^@(index|first|last)$/.exec(text);
  if (data !== null) {
    if (loop === undefined) return { why: `${text} is only known inside {{#each}}` };
    return `forloop.${data[1] === 'index' ? 'index0' : data[1]}`;
  }
  if (text.startsWith('@root.')) return rootVariable(text.slice(6), channel);
  if (loop !== undefined) {
    if (text === 'this' || text === '.') return loop.item ?? 'item';
    if (text.startsWith('../')) {
      if (loops.length > 1) return { why: `${text} reaches out of nested {{#each}} blocks` };
      return rootVariable(text.slice(3), channel);
    }
    const relative = text.startsWith('this.') ? text.slice(5) : text;
    const segments = segmentsOf(relative);
    if (segments === undefined) return { why: `${text} is not a path` };
    return written(loop.item ?? 'item', segments) ?? { why: `${text} cannot be written as a Liquid path` };
  }
  if (text.startsWith('this.')) return rootVariable(text.slice(5), channel);
  return rootVariable(text, channel);
}

/** Set on every message: the customer's id, and the address an email or SMS goes to. */
const ALWAYS_SET: ReadonlySet<string> = new Set(['profile.userId', 'profile.email', 'profile.phone']);

const PROFILE_FIELDS: ReadonlyMap<string, string> = new Map([
  ['User.UserId', 'profile.userId'],
  ['Demographic.Timezone', 'profile.timezone'],
  ['Demographic.Locale', 'profile.locale'],
]);

/** A Pinpoint message variable as the profile field or trait it is here. */
function rootVariable(text: string, channel: Channel): string | { why: string } {
  const segments = segmentsOf(text);
  if (segments === undefined) return { why: `${text} is not a path` };
  const joined = segments.join('.');
  const field = PROFILE_FIELDS.get(joined);
  if (field !== undefined) return field;
  if (joined === 'Address') {
    if (channel === 'push') return { why: 'a device token is not text a message shows' };
    return channel === 'email' ? 'profile.email' : 'profile.phone';
  }
  const [root, second, ...rest] = segments;
  const trait =
    root === 'Attributes'
      ? [second, ...rest]
      : root === 'User' && second === 'UserAttributes'
        ? rest
        : undefined;
  if (trait !== undefined) {
    // Pinpoint keeps each attribute as a list; `.[0]`, its first value, is the trait itself here.
    const name = trait[trait.length - 1] === '0' ? trait.slice(0, -1) : trait;
    const [only] = name;
    if (name.length !== 1 || only === undefined) return { why: `${text} is not one attribute` };
    return (
      written('profile.traits', [only]) ?? {
        why: `the attribute name "${only}" cannot be written as a Liquid path`,
      }
    );
  }
  // A single unknown word is a helper without arguments ({{now}}), or a variable Pinpoint did not have.
  if (segments.length === 1) return { why: helperWhy(joined) };
  return { why: variableWhy(root ?? text) };
}

/** The text with every bracketed path segment emptied (`a.[b c]` → `a.[]`). */
function unbracketed(text: string): string {
  return text.replace(/\[[^\]]*\]/g, '[]');
}

/** Segments of a Handlebars path: `a.b`, `a/b`, `a.[b c]`; undefined when it is not one. */
function segmentsOf(text: string): string[] | undefined {
  const segments: string[] = [];
  const pattern = /\[([^\]]*)\]|([^./[\]\s]+)/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    segments.push(match[1] ?? match[2] ?? '');
    at = pattern.lastIndex;
    if (at < text.length) {
      if (text[at] !== '.' && text[at] !== '/') return undefined;
      at++;
    }
  }
  return segments.length === 0 ? undefined : segments;
}

/** `prefix.a.b`, a name with other characters in brackets; undefined when Liquid cannot say it. */
function written(prefix: string, segments: readonly string[]): string | undefined {
  let path = prefix;
  for (const segment of segments) {
    if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) path += `.${segment}`;
    else if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (!segment.includes("'")) path += `['${segment}']`;
    else if (!segment.includes('"')) path += `["${segment}"]`;
    else return undefined;
  }
  return path;
}

function defaultOf(
  text: string,
  blocks: readonly Block[],
  defaults: ReadonlyMap<string, string>,
): string | undefined {
  if (blocks.some((b) => b.item !== undefined) && !text.startsWith('../') && !text.startsWith('@root.'))
    return undefined;
  const key = text.replace(/^(\.\.\/|@root\.|this\.)/, '');
  return defaults.get(key) ?? defaults.get(key.replace(/\.\[?0\]?$/, ''));
}

function variableWhy(root: string): string {
  switch (root) {
    case 'Location':
    case 'Metrics':
    case 'Demographic':
    case 'Id':
    case 'ChannelType':
    case 'EndpointStatus':
    case 'OptOut':
    case 'EffectiveDate':
    case 'CreationDate':
      return `${root} is endpoint data Pinpoint kept; profiles here have no such field (keep it as a trait and write {{ profile.traits.<name> }})`;
    case 'Recommendations':
    case 'RecommendationItems':
      return 'recommendations (Amazon Personalize through Pinpoint) are not imported';
    default:
      return `${root} is not a Pinpoint message variable this import knows`;
  }
}

function helperWhy(name: string): string {
  return `the helper ${name} (or a variable Pinpoint did not have) has no automatic equivalent: write it with Liquid filters (upcase, downcase, date, plus…)`;
}

function blockWhy(inner: string): string {
  if (inner.startsWith('>')) return 'partials are not imported: templates here read no other files';
  const name = /^[#^*]\s*([^\s}]+)/.exec(inner)?.[1] ?? inner;
  return `the block helper ${name} has no automatic equivalent: write it with Liquid tags`;
}
