/**
 * HTML as a browser's tokenizer reads it (HTML Standard, "Tokenization"):
 * tags with their attributes, comments (bogus ones too: `<!DOCTYPE …>`,
 * `<?xml …>`, `</ x>`), and the text of raw-text elements (`<script>`,
 * `<style>`, `<textarea>`, `<title>`…), where a tag or a comment is text. It
 * is the one reader of every part that looks at an email's markup: context
 * escaping, the link check, the click-tracking opt-out. Pure.
 *
 * Two readers of one message can disagree, and a value must be safe in both:
 * a mail client runs no script, so `<noscript>` content is markup to it and
 * raw text to a browser showing the message with script on; a browser reads
 * `<style>` or `<title>` inside `<svg>`/`<math>` as markup, where a reader that
 * knows no SVG reads raw text. {@link readingsOf} gives each reading the html
 * can have.
 */

/** An attribute: lower-case name, value as written (`''` without one), whether it was quoted, and where it stands. */
export type HtmlAttribute = { name: string; value: string; quoted: boolean; start: number; end: number };

/** A start or end tag: where it starts, where its name ends, where it ends (after its `>`). */
export type HtmlTag = {
  kind: 'tag';
  start: number;
  nameEnd: number;
  end: number;
  name: string;
  closing: boolean;
  attributes: HtmlAttribute[];
};

/** Text: between tags, or (`element`) the content of a raw-text element. */
export type HtmlText = { kind: 'text'; start: number; end: number; element: string | undefined };

/** A comment; `body` is the text between its delimiters. */
export type HtmlComment = { kind: 'comment'; start: number; bodyStart: number; bodyEnd: number; end: number };

export type HtmlToken = HtmlTag | HtmlText | HtmlComment;

/**
 * `scripting`: `<noscript>` content is raw text (a browser with script on);
 * `foreign`: inside `<svg>`/`<math>` no element is raw text (an HTML5 parser).
 */
export type HtmlReading = { scripting: boolean; foreign: boolean };

/** A mail client's reading: no script, SVG and MathML parsed as a browser parses them. */
export const MAIL_READING: HtmlReading = { scripting: false, foreign: true };
/** The other reading: script on, and raw-text elements raw wherever they stand. */
const RAW_READING: HtmlReading = { scripting: true, foreign: false };
/** Where the readings can part: without these, both read the html alike. */
const READINGS_PART = /<(?:noscript|svg|math)[\t\n\f\r />]/i;

/** Each reading the html can have: one when every reader reads it alike. */
export function readingsOf(html: string): HtmlReading[] {
  return READINGS_PART.test(html) ? [MAIL_READING, RAW_READING] : [MAIL_READING];
}

/** Elements whose content is text to their end tag (RCDATA and RAWTEXT states, script data, PLAINTEXT). */
const RAW_TEXT: ReadonlySet<string> = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'plaintext',
]);

/** HTML's whitespace (tab, LF, FF, CR, space): a no-break space or a vertical tab separates nothing. */
const TAG_NAME = /<(\/?)([a-zA-Z][^\t\n\f\r />]*)/y;
const ATTRIBUTE =
  /[\t\n\f\r /]*([^\t\n\f\r />][^\t\n\f\r />=]*)[\t\n\f\r ]*(?:=[\t\n\f\r ]*(?:"([^"]*)"?|'([^']*)'?|([^\t\n\f\r >]*)))?/y;
const TAG_END = /[\t\n\f\r /]*>/y;
/** What a comment's end is: `-->`, or `--!>` (a browser ends it there too). */
const COMMENT_END = /--!?>/g;

/** The tag at `start` (a `<` and a letter, or `</` and a letter), read to its `>`. */
export function readTag(html: string, start: number): HtmlTag {
  TAG_NAME.lastIndex = start;
  const found = TAG_NAME.exec(html);
  const nameEnd = found === null ? start + 1 : TAG_NAME.lastIndex;
  const tag: HtmlTag = {
    kind: 'tag',
    start,
    nameEnd,
    end: nameEnd,
    name: (found?.[2] ?? '').toLowerCase(),
    closing: found?.[1] === '/',
    attributes: [],
  };
  // One expression for every tag: a tag is read whole before the next is.
  const attribute = ATTRIBUTE;
  attribute.lastIndex = nameEnd;
  let at = nameEnd;
  for (let a = attribute.exec(html); a !== null && a[0] !== ''; a = attribute.exec(html)) {
    const quoted = a[2] ?? a[3];
    const name = (a[1] ?? '').toLowerCase();
    tag.attributes.push({
      name,
      value: quoted ?? a[4] ?? '',
      quoted: quoted !== undefined,
      start: at,
      end: attribute.lastIndex,
    });
    at = attribute.lastIndex;
  }
  TAG_END.lastIndex = at;
  tag.end = TAG_END.test(html) ? TAG_END.lastIndex : html.length;
  return tag;
}

/** The comment or bogus comment at `open` (`<!`, `<?`, `</` and no letter). */
function readComment(html: string, open: number): HtmlComment {
  if (!html.startsWith('<!--', open)) {
    // A bogus comment (`<!DOCTYPE …>`, `<?xml …>`, `</ x>`) runs to the next `>`.
    const close = html.indexOf('>', open);
    const end = close === -1 ? html.length : close + 1;
    return { kind: 'comment', start: open, bodyStart: open + 2, bodyEnd: close === -1 ? end : close, end };
  }
  const body = open + 4;
  // `<!-->` and `<!--->` end where they start.
  const abrupt = html.startsWith('>', body) ? 1 : html.startsWith('->', body) ? 2 : 0;
  if (abrupt > 0) return { kind: 'comment', start: open, bodyStart: body, bodyEnd: body, end: body + abrupt };
  COMMENT_END.lastIndex = body;
  const found = COMMENT_END.exec(html);
  const end = found === null ? html.length : COMMENT_END.lastIndex;
  return { kind: 'comment', start: open, bodyStart: body, bodyEnd: found?.index ?? html.length, end };
}

/** What changes where a script ends: a comment's delimiters, and a `<script>` or `</script>` written in it. */
const SCRIPT_MARKS = /<!--(?:-?>)?|-->|<\/?script(?=[\t\n\f\r />])/gi;

/**
 * Where a script's text ends (script data states): at its `</script`, but
 * within `<!--` a `<script>` makes the next `</script>` part of the text
 * (double-escaped), until `-->` or that `</script>`.
 */
function scriptEnd(html: string, from: number): number {
  let state: 'data' | 'escaped' | 'double' = 'data';
  SCRIPT_MARKS.lastIndex = from;
  for (let found = SCRIPT_MARKS.exec(html); found !== null; found = SCRIPT_MARKS.exec(html)) {
    const mark = found[0].toLowerCase();
    if (mark.startsWith('<!--')) state = state === 'data' && mark === '<!--' ? 'escaped' : state;
    else if (mark === '-->') state = 'data';
    else if (mark === '<script') state = state === 'escaped' ? 'double' : state;
    else if (state === 'double') state = 'escaped';
    else return found.index;
  }
  return html.length;
}

/** Where the raw text of `element` opened at `from` ends: its end tag, else the end of the html. */
function rawTextEnd(html: string, element: string, from: number): number {
  if (element === 'plaintext') return html.length;
  if (element === 'script') return scriptEnd(html, from);
  const close = new RegExp(`</${element}(?=[\\t\\n\\f\\r />])`, 'gi');
  close.lastIndex = from;
  return close.exec(html)?.index ?? html.length;
}

/** Every token of the html in order, as `reading` reads it. */
export function* htmlTokens(html: string, reading: HtmlReading = MAIL_READING): Generator<HtmlToken> {
  const foreign = new ForeignContent();
  let text = 0;
  for (let open = html.indexOf('<'); open !== -1; open = html.indexOf('<', open)) {
    const next = html.charCodeAt(open + 1);
    const letter = isLetter(next) || (next === 0x2f && isLetter(html.charCodeAt(open + 2)));
    const comment = next === 0x21 || next === 0x3f || (next === 0x2f && html.charAt(open + 2) !== '>');
    if (!letter && !comment) {
      // `</>` is dropped; a `<` before anything else is text.
      open += html.startsWith('</>', open) ? 3 : 1;
      continue;
    }
    if (open > text) yield { kind: 'text', start: text, end: open, element: undefined };
    const token = letter ? readTag(html, open) : readComment(html, open);
    yield token;
    open = token.end;
    text = open;
    if (token.kind !== 'tag' || token.closing) {
      if (token.kind === 'tag' && reading.foreign) foreign.close(token.name);
      continue;
    }
    const inForeign = reading.foreign && foreign.open(token, html);
    const raw = !inForeign && (RAW_TEXT.has(token.name) || (token.name === 'noscript' && reading.scripting));
    if (!raw) continue;
    const end = rawTextEnd(html, token.name, open);
    if (end > open) yield { kind: 'text', start: open, end, element: token.name };
    open = end;
    text = end;
  }
  if (html.length > text) yield { kind: 'text', start: text, end: html.length, element: undefined };
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** HTML elements that end SVG or MathML content when opened in it (HTML Standard, "in foreign content"). */
const BREAKS_OUT: ReadonlySet<string> = new Set(
  (
    'b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing ' +
    'menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var'
  ).split(' '),
);
/** Elements of SVG and of MathML whose content is HTML again (integration points). */
const INTEGRATION_POINTS = {
  svg: new Set(['foreignobject', 'desc', 'title']),
  math: new Set(['mi', 'mo', 'mn', 'ms', 'mtext']),
} as const;
/** MathML elements that stay MathML inside a MathML text integration point. */
const MATH_IN_TEXT: ReadonlySet<string> = new Set(['mglyph', 'malignmark']);

/** An open element raw text depends on: an `<svg>`/`<math>` (or MathML in text), or an integration point. */
type Open = { name: string; ns: 'svg' | 'math'; html: boolean };

/** Which SVG/MathML elements are open, as far as raw text depends on it, innermost last. */
class ForeignContent {
  private readonly elements: Open[] = [];
  /** How many of each name are open: an end tag of none searches nothing (nesting grows with the html). */
  private readonly counts = new Map<string, number>();

  /** Takes a start tag; whether it stands in SVG or MathML content (where no element is raw text). */
  open(tag: HtmlTag, html: string): boolean {
    const top = this.elements.at(-1);
    const inside = top !== undefined && !top.html;
    if (inside && (BREAKS_OUT.has(tag.name) || (tag.name === 'font' && breaksOutFont(tag)))) {
      while (this.inForeign()) this.pop();
      return false;
    }
    const root = tag.name === 'svg' || tag.name === 'math';
    const mathInText = top?.html === true && top.ns === 'math' && MATH_IN_TEXT.has(tag.name);
    if (html.charAt(tag.end - 2) === '/') return inside || root || mathInText;
    if (root) this.push({ name: tag.name, ns: tag.name === 'svg' ? 'svg' : 'math', html: false });
    else if (mathInText) this.push({ name: tag.name, ns: 'math', html: false });
    else if (inside && (INTEGRATION_POINTS[top.ns].has(tag.name) || htmlAnnotation(tag)))
      this.push({ name: tag.name, ns: top.ns, html: true });
    return inside || root || mathInText;
  }

  /** Takes an end tag: closes the innermost open element of that name. */
  close(name: string): void {
    if (this.inForeign() && (name === 'p' || name === 'br')) {
      while (this.inForeign()) this.pop();
      return;
    }
    if ((this.counts.get(name) ?? 0) === 0) return;
    while (this.pop()?.name !== name);
  }

  private push(open: Open): void {
    this.elements.push(open);
    this.counts.set(open.name, (this.counts.get(open.name) ?? 0) + 1);
  }

  private pop(): Open | undefined {
    const open = this.elements.pop();
    if (open !== undefined) this.counts.set(open.name, (this.counts.get(open.name) ?? 1) - 1);
    return open;
  }

  private inForeign(): boolean {
    const top = this.elements.at(-1);
    return top !== undefined && !top.html;
  }
}

function breaksOutFont(tag: HtmlTag): boolean {
  return tag.attributes.some(({ name }) => name === 'color' || name === 'face' || name === 'size');
}

/** MathML's `<annotation-xml encoding="text/html">` holds HTML. */
function htmlAnnotation(tag: HtmlTag): boolean {
  if (tag.name !== 'annotation-xml') return false;
  const encoding = tag.attributes.find(({ name }) => name === 'encoding')?.value.toLowerCase();
  return encoding === 'text/html' || encoding === 'application/xhtml+xml';
}
