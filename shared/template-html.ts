import { type Liquid, TagToken, Tokenizer, TokenKind } from 'liquidjs';
import {
  type HtmlComment,
  type HtmlReading,
  type HtmlTag,
  type HtmlText,
  htmlTokens,
  readingsOf,
} from './html-tokens.ts';

/**
 * Where a value may stand in an email's HTML. Escaping keeps a value inside
 * a quoted attribute or in text, but escapes no blank and no `=`: written
 * unquoted (`<a href={{ profile.traits.site }}>`) or as an attribute name
 * (`<div {{ x }}>`), a customer's `x onmouseover=alert(1)` adds attributes
 * of its own, script among them. In script (an `on…` attribute, a
 * `<script>` element) escaping keeps nothing: a browser decodes `&#39;` in
 * `onclick="go('{{ x }}')"` before it runs the code, and a `<script>` runs
 * what a value says. In CSS (a quoted `style` attribute, a `<style>`
 * element) HTML escaping keeps `;`, `}` and `(`: a customer's
 * `red;background:url(https://tracker.example/)` adds declarations of its
 * own, so a value there is CSS-escaped ({@link cssEscape}). In a comment a
 * value is text a reader never sees, but a customer's `--` before the
 * template's `>` would end it there, so its `-` and `!` are written as
 * character references ({@link commentEscape}). In an iframe's `srcdoc` a
 * value is a page's markup. The html is read by the tokenizer of
 * html-tokens.ts, before any value is in it, in every reading it has (a
 * `<noscript>` with and without script): a value must be safe in each. Pure.
 */

/** A value (`{{ … }}`, `{% echo %}`, `{% liquid %}`) where no escaping keeps a customer's text from being markup or code. */
export type UnquotedValue = {
  text: string;
  line: number;
  column: number;
  place: 'tag' | 'script' | 'document' | 'printing-tag' | 'ambiguous';
};

/** Tags that print a value of their own: inside a tag they are what `{{ … }}` is. */
const PRINTING_TAGS: ReadonlySet<string> = new Set(['echo', 'liquid']);

/** The filter a value in CSS is given: {@link cssEscape}. */
export const CSS_FILTER = 'css_escape';
/** The filter a value in a comment is given: {@link commentEscape}. */
export const COMMENT_FILTER = 'comment_escape';

/** Stands for the n-th value in the HTML: characters no name, quote, blank or `>` is made of. */
const mark = (n: number) => `\uE000${n}\uE001`;
const MARKS = /\uE000(\d+)\uE001/g;
/** A value right after `<` or `</` is a tag name being written. */
const IN_TAG_NAME = /<\/?[\t\n\f\r ]*\uE000(\d+)\uE001/;

type Value = UnquotedValue & { begin: number; end: number; output: boolean };
/** A value and the filter it prints through. */
type Escaped = { value: Value; filter: string };
type Reading = { refused: UnquotedValue | undefined; escaped: Escaped[] };

/** The html's values and what the tokenizer makes of where each stands, in every reading the html has. */
function readHtml(liquid: Liquid, html: string): Reading {
  const none: Reading = { refused: undefined, escaped: [] };
  if (!html.includes('<')) return none;
  const tokens = new Tokenizer(html, liquid.options.operators).readTopLevelTokens(liquid.options);
  const values: Value[] = [];
  let masked = '';
  for (const token of tokens) {
    const output = token.kind === TokenKind.Output;
    const prints = output || (token instanceof TagToken && PRINTING_TAGS.has(token.name));
    if (token.kind === TokenKind.HTML) masked += html.slice(token.begin, token.end);
    else if (prints) {
      const [line = 0, column = 0] = token.getPosition();
      masked += mark(values.length);
      const text = html.slice(token.begin, token.end);
      values.push({ text, line, column, place: 'tag', begin: token.begin, end: token.end, output });
    }
  }
  if (values.length === 0) return none;
  const filters = new Map<Value, string>();
  for (const reading of readingsOf(masked)) {
    const refused = new Scan(masked, values, filters).read(reading);
    if (refused !== undefined) return { refused, escaped: [] };
  }
  return {
    refused: undefined,
    escaped: [...filters]
      .map(([value, filter]) => ({ value, filter }))
      .sort((a, b) => a.value.begin - b.value.begin),
  };
}

/**
 * Where the values of the masked html stand in one reading: the first one a
 * tokenizer puts where escaping keeps nothing, else none, with the filter of
 * each value in CSS or a comment added to `filters` (shared by the readings:
 * a value two readings would escape differently is refused).
 */
class Scan {
  constructor(
    private readonly masked: string,
    private readonly values: Value[],
    private readonly filters: Map<Value, string>,
  ) {}

  read(reading: HtmlReading): UnquotedValue | undefined {
    for (const token of htmlTokens(this.masked, reading)) {
      const found =
        token.kind === 'comment'
          ? this.inComment(token)
          : token.kind === 'text'
            ? this.inText(token)
            : token.closing
              ? undefined
              : this.inTag(token);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private inText(token: HtmlText): UnquotedValue | undefined {
    const text = this.masked.slice(token.start, token.end);
    const named = this.tagName(text);
    if (named !== undefined || token.element === undefined) return named;
    if (token.element === 'script') return this.first(text, 'script');
    return token.element === 'style' ? this.escapedAs(text, CSS_FILTER) : undefined;
  }

  private inComment(token: HtmlComment): UnquotedValue | undefined {
    // `</{{ x }}>` is a bogus comment as written and an end tag once rendered.
    const opening = this.masked.slice(token.start, token.bodyEnd);
    return (
      this.tagName(opening) ??
      this.escapedAs(this.masked.slice(token.bodyStart, token.bodyEnd), COMMENT_FILTER)
    );
  }

  private inTag(tag: HtmlTag): UnquotedValue | undefined {
    const name = this.first(this.masked.slice(tag.start, tag.nameEnd), 'tag');
    if (name !== undefined) return name;
    const script = tag.name === 'script';
    for (const { name, value, quoted } of tag.attributes) {
      const found =
        this.first(name, 'tag') ??
        (quoted ? undefined : this.first(value, 'tag')) ??
        (script || name.startsWith('on') ? this.first(value, 'script') : undefined) ??
        (name === 'srcdoc' ? this.first(value, 'document') : undefined) ??
        (name === 'style' ? this.escapedAs(value, CSS_FILTER) : undefined);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** A value written as a tag's name (`<{{ x }}`): it would open a tag of the customer's choosing. */
  private tagName(text: string): UnquotedValue | undefined {
    const found = IN_TAG_NAME.exec(text);
    const value = found === null ? undefined : this.values[Number(found[1])];
    return value === undefined ? undefined : { ...stripped(value), place: 'tag' };
  }

  private first(text: string, place: UnquotedValue['place']): UnquotedValue | undefined {
    for (const [value] of marksIn(this.values, text)) return { ...stripped(value), place };
    return undefined;
  }

  private escapedAs(text: string, filter: string): UnquotedValue | undefined {
    for (const [value] of marksIn(this.values, text)) {
      if (!value.output) return { ...stripped(value), place: 'printing-tag' };
      const before = this.filters.get(value);
      if (before !== undefined && before !== filter) return { ...stripped(value), place: 'ambiguous' };
      this.filters.set(value, filter);
    }
    return undefined;
  }
}

/** The values written in `text` (a piece of the masked html). */
function* marksIn(values: Value[], text: string): Generator<[Value, number]> {
  for (const found of text.matchAll(MARKS)) {
    const value = values[Number(found[1])];
    if (value !== undefined) yield [value, found.index + found[0].length];
  }
}

function stripped(value: Value): UnquotedValue {
  return { text: value.text, line: value.line, column: value.column, place: value.place };
}

/**
 * The first value of the html template written where escaping keeps nothing
 * of a customer's (inside a tag outside quotes, in script; a printing tag
 * in CSS or a comment), as Liquid tokenizes it, else
 * `undefined`. Other tags (`{% if %}` around a whole attribute) print
 * nothing of a customer's and are left out of the HTML read.
 */
export function unquotedValue(liquid: Liquid, html: string): UnquotedValue | undefined {
  return readHtml(liquid, html).refused;
}

/**
 * The html template with {@link CSS_FILTER} last on every value written in
 * CSS (`{{ x }}` → `{{ x | css_escape }}`) and {@link COMMENT_FILTER} on every
 * value in a comment; the same text when there is none.
 */
export function withContextEscaping(liquid: Liquid, html: string): string {
  const { escaped } = readHtml(liquid, html);
  let out = '';
  let from = 0;
  for (const { value, filter } of escaped) {
    const close = value.text.endsWith('-}}') ? 3 : 2;
    out += `${html.slice(from, value.end - close)} | ${filter} `;
    from = value.end - close;
  }
  return from === 0 ? html : out + html.slice(from);
}

/** What a value in CSS keeps as it is: letters, digits and what colours, sizes, fonts and links are written with. */
const CSS_ESCAPED = /[^\p{L}\p{N} #.%_,+:/?=-]|^\/|\/$/gu;

/**
 * A customer's value as one piece of a CSS value: every character that could
 * end a declaration or rule (`;`, `}`), open a function (`url(`,
 * `expression(`), a string, a comment, an at-rule or an escape (`\`), or be
 * markup (`<`, `&`), is written as a CSS escape (`\3b `), which CSS reads as
 * that character within a name. `#ff0000`, `12px`, `Helvetica Neue, Arial`
 * and `https://img.example/a.png` stay as they are. The result holds no
 * character HTML escapes, so it stands in a `style` attribute and in a
 * `<style>` element (whose text a browser does not decode) alike.
 */
export function cssEscape(value: unknown): string {
  const text = Array.isArray(value) ? value.join('') : value == null ? '' : String(value);
  return text.replace(CSS_ESCAPED, (c) => `\\${(c.codePointAt(0) ?? 0).toString(16)} `);
}

/** What a comment's end and markup are made of: written as character references in a value in a comment. */
const COMMENT_ESCAPED = /[-!<>&"']/g;

/**
 * A customer's value in an HTML comment: its `-`, `!`, `<`, `>`, `&` and
 * quotes as character references, which a comment does not decode, so no
 * value ends the comment (`-->`, `--!>`, or `--` before the template's `>`)
 * or opens one (`<!-` written before it).
 */
export function commentEscape(value: unknown): string {
  const text = Array.isArray(value) ? value.join('') : value == null ? '' : String(value);
  return text.replace(COMMENT_ESCAPED, (c) => `&#${c.charCodeAt(0)};`);
}

/** What a template author is told: the value, where it is, and the fix. */
export function describeUnquotedValue(value: UnquotedValue): string {
  const where = `${value.text} (line ${value.line}, column ${value.column})`;
  if (value.place === 'script')
    return `${where} stands in script (an on… attribute or a <script> element), where escaping keeps nothing of a customer's value from running: leave values out of script (mail clients run none)`;
  if (value.place === 'document')
    return `${where} stands in an iframe's srcdoc, which a browser reads as a page of its own (markup and script): escaping keeps nothing there, so leave values out of srcdoc`;
  if (value.place === 'ambiguous')
    return `${where} is CSS to one reader and a comment to another (a <noscript>, or <svg>/<math> content, read with and without script or SVG): no one escaping keeps it in both, so move it out of there`;
  if (value.place === 'printing-tag')
    return `${where} prints with a tag in CSS (a style attribute, a <style> element) or in a comment, where a value is escaped only as {{ … }} prints it: write it as {{ … }}`;
  return `${where} stands inside a tag outside quotes, where a value's blanks and = would add attributes of its own (script among them): write it within quotes (name="${value.text}")`;
}
