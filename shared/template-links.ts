/**
 * Links in rendered messages. A value reaches a link through a template
 * (`href="{{ profile.website }}"`, a push `url` of `{{ trigger.properties.link }}`),
 * and HTML escaping keeps it inside its attribute but says nothing of what it
 * opens: a `javascript:` link runs script in the mail clients and browsers
 * that still follow it. Pure; templates.ts applies it to every render.
 */

/** Schemes that run script when opened: never a link or a resource of a message. */
const SCRIPT_SCHEMES = ['javascript:', 'vbscript:'] as const;
/** A `data:` link opens a document the message carries (a page, a script), not a place: never a link target. */
const DOCUMENT_SCHEMES = ['data:'] as const;

/** Attributes a reader opens by clicking (a link target) and attributes a client loads (a resource). */
const LINK_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href',
  'xlink:href',
  'action',
  'formaction',
  // The document an <object> opens.
  'data',
  // What an SVG animation sets another attribute to (`<set attributeName="href" to="…">`).
  'to',
  'from',
  'values',
]);
const RESOURCE_ATTRIBUTES: ReadonlySet<string> = new Set(['src', 'background', 'poster']);

/**
 * The pieces of an opening tag as a browser's tokenizer reads them (HTML
 * tokenization, tag and attribute states): a tag is `<` and a letter, then
 * its name; blanks and `/` separate attributes; a name runs to a blank, `/`,
 * `>` or `=` (its first character may be `=`); a value is quoted (a `>` in it
 * ends nothing) or runs to a blank or `>`. A regular expression over whole
 * tags stopped at a `>` inside a quoted value (`title="Deals > 20%"`) and
 * never looked at the attributes after it.
 */
const TAG_OPEN = /<([a-z][^\s/>]*)/gi;
/** One attribute with what separates it from the one before: its name, and its value double-, single- or unquoted. */
const ATTRIBUTE = /[\s/]*([^\s/>][^\s/>=]*)\s*(?:=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]*)))?/y;

/** A value that starts with a web scheme as it is written: whatever follows, that is its scheme (most links: no decoding needed). */
const PLAIN_WEB_LINK = /^https?:/i;

/** Character references a browser decodes in an attribute value before it reads the scheme. */
const REFERENCE = /&(?:#x([0-9a-f]+);?|#(\d+);?|(colon|tab|newline);)/gi;
const NAMED: ReadonlyMap<string, string> = new Map([
  ['colon', ':'],
  ['tab', '\t'],
  ['newline', '\n'],
]);

function decodeReferences(value: string): string {
  return value.replace(REFERENCE, (whole, hex?: string, decimal?: string, name?: string) => {
    if (name !== undefined) return NAMED.get(name.toLowerCase()) ?? whole;
    const code = hex === undefined ? Number(decimal) : Number.parseInt(hex, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/**
 * The scheme a browser reads from a link, lower-cased with the blanks and
 * control characters it ignores removed (`" Java\tScript:"` is `javascript:`),
 * or `undefined` for a link with none (relative, `#anchor`).
 */
function schemeOf(link: string): string | undefined {
  const compact = link.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
  return /^[a-z][a-z0-9+.-]*:/.exec(compact)?.[0];
}

/** The scheme of a link target that must never be sent, else `undefined`. */
export function forbiddenLinkScheme(link: string): string | undefined {
  const scheme = schemeOf(link);
  if (scheme === undefined) return undefined;
  return [...SCRIPT_SCHEMES, ...DOCUMENT_SCHEMES].find((s) => s === scheme);
}

/** The scheme of a resource (an image) that must never be sent; `data:` images are embedded pictures. */
function forbiddenResourceScheme(link: string): string | undefined {
  const scheme = schemeOf(link);
  return SCRIPT_SCHEMES.find((s) => s === scheme);
}

/**
 * The first link or resource of rendered HTML whose scheme runs script
 * (`javascript:`, `vbscript:`) or, for a link, opens a `data:` document:
 * `{ attribute, scheme }`, else `undefined`. Values are read as a browser
 * reads them: character references decoded, quoted or not.
 */
export function forbiddenHtmlLink(html: string): { attribute: string; scheme: string } | undefined {
  if (!/=/.test(html)) return undefined;
  for (const tag of openingTags(html)) {
    for (const [name, raw] of tag.attributes) {
      const link = LINK_ATTRIBUTES.has(name);
      if ((!link && !RESOURCE_ATTRIBUTES.has(name)) || PLAIN_WEB_LINK.test(raw)) continue;
      const value = decodeReferences(raw);
      const scheme = link ? forbiddenLinkScheme(value) : forbiddenResourceScheme(value);
      if (scheme !== undefined) return { attribute: name, scheme };
    }
  }
  return undefined;
}

/**
 * An opening tag: where it starts and its name ends, its lower-case name, its
 * attributes `[lower-case name, value as written, whether it was quoted]` (`''` without one).
 */
export type OpeningTag = {
  start: number;
  nameEnd: number;
  name: string;
  attributes: [string, string, boolean][];
};

/** Every opening tag of the html, in order. */
export function* openingTags(html: string): Generator<OpeningTag> {
  const open = new RegExp(TAG_OPEN);
  for (let found = open.exec(html); found !== null; found = open.exec(html)) {
    const tag = readOpeningTag(html, found.index);
    yield tag;
    // The next tag starts after this one's last attribute.
    open.lastIndex = tag.end;
  }
}

/**
 * The tag that starts at `start` (a `<` and a letter; an end tag's `</` and a
 * letter is read alike), read to its last attribute: `end` is where that attribute ends (the `>` or what follows).
 */
export function readOpeningTag(html: string, start: number): OpeningTag & { end: number } {
  const name = /<\/?([a-z][^\s/>]*)/iy;
  name.lastIndex = start;
  const found = name.exec(html);
  const nameEnd = found === null ? start + 1 : name.lastIndex;
  const tag: OpeningTag & { end: number } = {
    start,
    nameEnd,
    name: (found?.[1] ?? '').toLowerCase(),
    attributes: [],
    end: nameEnd,
  };
  const attribute = new RegExp(ATTRIBUTE);
  attribute.lastIndex = nameEnd;
  for (let a = attribute.exec(html); a !== null; a = attribute.exec(html)) {
    const quoted = a[2] ?? a[3];
    tag.attributes.push([(a[1] ?? '').toLowerCase(), quoted ?? a[4] ?? '', quoted !== undefined]);
    tag.end = attribute.lastIndex;
  }
  return tag;
}

/** A line break or a tab with the blanks around it: a link laid out over lines in the template reads as one. */
const BREAK = /\s*[\t\r\n\v\f\u0085\u2028\u2029]\s*/gu;
/**
 * A run of blanks, NEL among them: BREAK is searched only within a run that
 * holds a break or a tab, as over a long run with none it read the rest of the
 * run again from every blank (minutes for an event property of 250,000 spaces).
 */
const BLANK_RUN = /[\s\u0085]+/gu;
const BREAK_CHARACTER = /[\t\r\n\v\f\u0085\u2028\u2029]/u;
/** Any other control character, which a URL never holds. */
const CONTROL = /\p{Cc}/gu;

/**
 * A rendered push deep link as a push service can take it: one line (a line
 * break or tab is dropped with the blanks around it, as a browser drops them
 * from a URL), no control characters, no blanks around it, a blank within it
 * written `%20`. Empty when nothing is left (no deep link: the tap opens the app).
 */
export function linkText(rendered: string): string {
  return rendered
    .replace(BLANK_RUN, (run) => (BREAK_CHARACTER.test(run) ? run.replace(BREAK, '') : run))
    .replace(CONTROL, '')
    .trim()
    .replace(/\s/gu, (blank) => encodeURIComponent(blank));
}
