/**
 * Links in rendered messages. A value reaches a link through a template
 * (`href="{{ profile.website }}"`, a push `url` of `{{ trigger.properties.link }}`),
 * and HTML escaping keeps it inside its attribute but says nothing of what it
 * opens: a `javascript:` link runs script in the mail clients and browsers
 * that still follow it. Pure; templates.ts applies it to every render.
 */
import { type HtmlTag, htmlTokens, MAIL_READING, readingsOf } from './html-tokens.ts';

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
const RESOURCE_ATTRIBUTES: ReadonlySet<string> = new Set(['src', 'background', 'poster', 'lowsrc', 'dynsrc']);
/**
 * Elements whose `src` is a document, opened with its scripts in a frame of
 * its own (`<iframe src="data:text/html,<script>…">`), not a picture: a link.
 */
const DOCUMENT_ELEMENTS: ReadonlySet<string> = new Set(['iframe', 'frame', 'embed']);

/** A value that starts with a web scheme as it is written: whatever follows, that is its scheme (most links: no decoding needed). */
const PLAIN_WEB_LINK = /^https?:/i;

/** Character references a browser decodes in an attribute value before it reads the scheme. */
const REFERENCE = /&(?:#x([0-9a-f]+);?|#(\d+);?|(colon|tab|newline|quot|apos|lt|gt|amp);?)/gi;
/** The named references a scheme or the markup of an iframe's `srcdoc` is written with. */
const NAMED: ReadonlyMap<string, string> = new Map([
  ['colon', ':'],
  ['tab', '\t'],
  ['newline', '\n'],
  ['quot', '"'],
  ['apos', "'"],
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
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

/** A link the html holds in an attribute: its name and its value as written. */
type Link = { attribute: string; raw: string; kind: 'link' | 'resource' };

/** A `<meta http-equiv=refresh>` opens its `content`'s URL (`0;url=…`) as the page. */
const REFRESH_URL = /^[\t\n\f\r ]*[\d.]*[\t\n\f\r ]*[;,]?[\t\n\f\r ]*(?:url[\t\n\f\r ]*=[\t\n\f\r ]*)?['"]?/i;

/** The links and resources of one start tag. */
function* linksOf(tag: HtmlTag): Generator<Link> {
  const refresh = tag.name === 'meta' && tag.attributes.some(isRefresh);
  const document = DOCUMENT_ELEMENTS.has(tag.name);
  for (const { name, value } of tag.attributes) {
    if (LINK_ATTRIBUTES.has(name) || (document && name === 'src'))
      yield { attribute: name, raw: value, kind: 'link' };
    else if (RESOURCE_ATTRIBUTES.has(name)) yield { attribute: name, raw: value, kind: 'resource' };
    else if (name === 'srcset' || name === 'imagesrcset')
      // Candidates are `url descriptor`, comma-separated: each url is a resource.
      for (const candidate of decodeReferences(value).split(','))
        yield { attribute: name, raw: candidate.trim().split(/[\t\n\f\r ]/)[0] ?? '', kind: 'resource' };
    else if (refresh && name === 'content')
      yield { attribute: name, raw: decodeReferences(value).replace(REFRESH_URL, ''), kind: 'link' };
  }
}

function isRefresh({ name, value }: { name: string; value: string }): boolean {
  return name === 'http-equiv' && value.trim().toLowerCase() === 'refresh';
}

/**
 * The first link or resource of rendered HTML whose scheme runs script
 * (`javascript:`, `vbscript:`) or, for a link, opens a `data:` document:
 * `{ attribute, scheme, at }` (`at`: where its tag starts), else `undefined`.
 * Tags are read as a browser's tokenizer reads them, in every reading the
 * html has (a tag in a comment or a `<title>` is text), and values as a
 * browser reads them: character references decoded, quoted or not. An
 * iframe's `srcdoc` is a page of its own, read alike.
 */
export function forbiddenHtmlLink(
  html: string,
): { attribute: string; scheme: string; at: number } | undefined {
  if (!/=/.test(html)) return undefined;
  for (const reading of readingsOf(html))
    for (const tag of htmlTokens(html, reading)) {
      if (tag.kind !== 'tag' || tag.closing) continue;
      for (const { attribute, raw, kind } of linksOf(tag)) {
        if (PLAIN_WEB_LINK.test(raw)) continue;
        const value = decodeReferences(raw);
        const scheme = kind === 'link' ? forbiddenLinkScheme(value) : forbiddenResourceScheme(value);
        if (scheme !== undefined) return { attribute, scheme, at: tag.start };
      }
      const page = tag.attributes.find(({ name }) => name === 'srcdoc');
      const inner = page === undefined ? undefined : forbiddenHtmlLink(decodeReferences(page.value));
      if (inner !== undefined) return { ...inner, at: tag.start };
    }
  return undefined;
}

/** Every start tag of the html, in order, as a mail client reads it. */
export function* startTags(html: string): Generator<HtmlTag> {
  for (const token of htmlTokens(html, MAIL_READING)) if (token.kind === 'tag' && !token.closing) yield token;
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
