import { type Liquid, TagToken, Tokenizer, TokenKind } from 'liquidjs';
import { openingTags } from './template-links.ts';

/**
 * Where a value may stand in an email's HTML. Escaping keeps a value inside
 * a quoted attribute or in text, but escapes no blank and no `=`: written
 * unquoted (`<a href={{ profile.traits.site }}>`) or as an attribute name
 * (`<div {{ x }}>`), a customer's `x onmouseover=alert(1)` adds attributes
 * of its own, script among them. In script (an `on…` attribute, a
 * `<script>` element) escaping keeps nothing: a browser decodes `&#39;` in
 * `onclick="go('{{ x }}')"` before it runs the code, and a `<script>` runs
 * what a value says. Such a place is found in the template as written,
 * before any value is in it. Pure.
 */

/** A value (`{{ … }}`, `{% echo %}`, `{% liquid %}`) inside a tag outside quotes, or in script. */
export type UnquotedValue = { text: string; line: number; column: number; place: 'tag' | 'script' };

/** Tags that print a value of their own: inside a tag they are what `{{ … }}` is. */
const PRINTING_TAGS: ReadonlySet<string> = new Set(['echo', 'liquid']);

/** Stands for the n-th value in the HTML: characters no name, quote, blank or `>` is made of. */
const mark = (n: number) => `\uE000${n}\uE001`;
const MARK = /\uE000(\d+)\uE001/;
/** A value right after `<` or `</` is a tag name being written. */
const IN_TAG_NAME = /<\/?\s*\uE000(\d+)\uE001/;
/** A `<script>` element, its tag and its content to its end tag (or the end of the html). */
const SCRIPT_ELEMENT = /<script\b[\s\S]*?(?:<\/script|$)/gi;

/**
 * The first value of the html template written inside a tag but not inside
 * a quoted attribute value, as Liquid tokenizes it, else `undefined`. Other
 * tags (`{% if %}` around a whole attribute) print nothing of a customer's
 * and are left out of the HTML read.
 */
export function unquotedValue(liquid: Liquid, html: string): UnquotedValue | undefined {
  if (!html.includes('<')) return undefined;
  const tokens = new Tokenizer(html, liquid.options.operators).readTopLevelTokens(liquid.options);
  const values: UnquotedValue[] = [];
  let masked = '';
  for (const token of tokens) {
    const prints =
      token.kind === TokenKind.Output || (token instanceof TagToken && PRINTING_TAGS.has(token.name));
    if (token.kind === TokenKind.HTML) masked += html.slice(token.begin, token.end);
    else if (prints) {
      const [line = 0, column = 0] = token.getPosition();
      masked += mark(values.length);
      values.push({ text: html.slice(token.begin, token.end), line, column, place: 'tag' });
    }
  }
  if (values.length === 0) return undefined;
  const at = (found: RegExpExecArray | null) => (found === null ? undefined : values[Number(found[1])]);
  const inScript = (found: RegExpExecArray | null) => {
    const value = at(found);
    return value === undefined ? undefined : { ...value, place: 'script' as const };
  };
  const inName = at(IN_TAG_NAME.exec(masked));
  if (inName !== undefined) return inName;
  for (const tag of openingTags(masked)) {
    const name = at(MARK.exec(tag.name));
    if (name !== undefined) return name;
    for (const [attribute, value, quoted] of tag.attributes) {
      const found =
        at(MARK.exec(attribute)) ??
        (quoted ? undefined : at(MARK.exec(value))) ??
        (attribute.startsWith('on') ? inScript(MARK.exec(value)) : undefined);
      if (found !== undefined) return found;
    }
  }
  for (const script of masked.matchAll(SCRIPT_ELEMENT)) {
    const found = inScript(MARK.exec(script[0]));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What a template author is told: the value, where it is, and the fix. */
export function describeUnquotedValue(value: UnquotedValue): string {
  if (value.place === 'script')
    return `${value.text} (line ${value.line}, column ${value.column}) stands in script (an on… attribute or a <script> element), where escaping keeps nothing of a customer's value from running: leave values out of script (mail clients run none)`;
  return `${value.text} (line ${value.line}, column ${value.column}) stands inside a tag outside quotes, where a value's blanks and = would add attributes of its own (script among them): write it within quotes (name="${value.text}")`;
}
