import {
  filters,
  Liquid,
  type Template as ParsedLiquid,
  Tag,
  toValueSync,
  UndefinedVariableError,
} from 'liquidjs';
import type { Channel } from './channels.ts';
import { isDataMap } from './dictionary.ts';
import {
  boundReason,
  certainStepOverrun,
  countCaptures,
  countedContext,
  STEP_LIMIT_REASON,
  stepCount,
  TEMPLATE_LIMITS,
} from './template-bounds.ts';
import {
  COMMENT_FILTER,
  CSS_FILTER,
  commentEscape,
  cssEscape,
  describeUnquotedValue,
  type UnquotedValue,
  unquotedValue,
  withContextEscaping,
} from './template-html.ts';
import { forbiddenHtmlLink, forbiddenLinkScheme, linkText, startTags } from './template-links.ts';
import { customerInstant, DATE_FORMS, isValidTimeZone } from './time.ts';
import * as z from './zod.ts';

/**
 * Message templates: one JSON file per template under `journeys/templates/`,
 * shaped like SES templates (subject / html / text) with Liquid markup.
 * Rendering is strict: a missing variable fails the render, so a customer
 * never receives "Hi ," with a blank name. Use `{{ x | default: "there" }}`
 * where a fallback is intended.
 */

const Text = z.string().check(z.minLength(1));

/** An email: subject, HTML body and plain-text body (Liquid). */
export const EmailTemplate = z.strictObject({
  channel: z.literal('email'),
  subject: Text,
  html: Text,
  text: Text,
});

/** An SMS: its text (Liquid). */
const SmsTemplate = z.strictObject({ channel: z.literal('sms'), body: Text });

/** A push notification; `url`: the deep link opened on tap (Liquid). */
const PushTemplate = z.strictObject({
  channel: z.literal('push'),
  title: Text,
  body: Text,
  url: z.optional(z.string()),
});

export const Template = z.discriminatedUnion('channel', [EmailTemplate, SmsTemplate, PushTemplate]);
export type Template = z.infer<typeof Template>;

/** What a journey validator needs to know about the templates that exist: name → channel. */
export type TemplateCatalog = ReadonlyMap<string, Channel>;

/** The variables a template sees. */
export type TemplateContext = {
  profile: Record<string, unknown>;
  trigger?: unknown;
  event?: unknown;
  /** The journey context variables (journeys that declare context). */
  context?: unknown;
  journey: { id: string; name?: string };
  unsubscribeUrl?: string;
  preferencesUrl?: string;
};

/** The most characters each rendered field may have. */
const OUTPUT_LIMITS: Readonly<Record<string, number>> = {
  subject: 998,
  html: 512_000,
  text: 512_000,
  body: 4_000,
  title: 512,
  url: 2_048,
};
const SMS_BODY_LIMIT = 1_600;
/** Fields that are one line: an email subject (a mail header) and a push title. */
const ONE_LINE: ReadonlySet<string> = new Set(['subject', 'title']);
/** A line break with the blanks around it: vertical whitespace Unicode and mail headers know. */
const LINE_BREAK = /[^\S\r\n\v\f\u0085\u2028\u2029]*[\r\n\v\f\u0085\u2028\u2029]\s*/g;
/** Tabs in a one-line field, with the blanks around them. */
const TABS = /[^\S\t]*\t\s*/g;
/** Any other C0 or C1 control character (NUL, ESC, DEL...): never text a reader sees. */
const CONTROL = /\p{Cc}/gu;
/**
 * The control characters a body keeps: the tab and the line breaks (LF, CR,
 * VT, FF, NEL). The others are dropped: a NUL ends the string for some SMS
 * gateways and push services and makes an HTML body a parse error.
 */
const BODY_CONTROLS: ReadonlySet<string> = new Set(['\t', '\n', '\v', '\f', '\r', '\u0085']);

/**
 * A rendered field as a provider can take it. A line break in a subject or
 * push title (a trait, a template laid out over lines) would end the mail
 * header: SES refuses or mangles it, and a header could be added; it reads
 * as a space, and so does a tab; other control characters are dropped. A
 * body keeps its tabs and line breaks and drops the rest.
 */
function providerText(key: string, rendered: string): string {
  if (ONE_LINE.has(key)) return oneLine(rendered).replace(CONTROL, '');
  return rendered.replace(CONTROL, (c) => (BODY_CONTROLS.has(c) ? c : ''));
}

/** A run of blanks, NEL among them (`\s` leaves it out): every line break and tab is inside one. */
const BLANK_RUN = /[\s\u0085]+/g;
const BREAK_CHARACTER = /[\r\n\v\f\u0085\u2028\u2029]/;

/**
 * Line breaks and tabs, with the blanks around them, as one space each. Only
 * a run that holds one is searched: there each expression reads a blank once,
 * where over a long run of blanks with none (an event property of 250,000
 * spaces) it read the rest of the run again from every blank, for minutes.
 */
function oneLine(text: string): string {
  return text.replace(BLANK_RUN, (run) => {
    const joined = BREAK_CHARACTER.test(run) ? run.replace(LINE_BREAK, ' ') : run;
    return joined.includes('\t') ? joined.replace(TABS, ' ') : joined;
  });
}

/** Liquid's own `escape_once`: `escape`, leaving the entities `escape` writes as they are. */
const escapeOnce = (() => {
  const filter = filters.escape_once;
  if (typeof filter !== 'function') throw new Error('liquidjs has no escape_once filter');
  return filter;
})();

/**
 * The instant "now" and "today" mean in the render under way: when the
 * message is sent, on the clock of whoever sends it (journey time in tests,
 * simulations and the local runtime), not this machine's. Set around the
 * synchronous render only, so no other render can see it.
 */
let renderNow: Date | undefined;

/** Liquid's filters that print an instant. */
const DATE_FILTERS = ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string'];

/**
 * Liquid reads a calendar day (`"2026-03-10"`: a trial end, a birthday) as
 * midnight UTC, which is the evening before west of Greenwich ("your trial
 * ends on March 9"), a time without an offset in the machine's zone, and
 * guesses at any other text (`"03/20/2026"`). Here a text is read as an
 * `untilDate` wait reads it ({@link customerInstant}), in the zone it is
 * shown in (the customer's, or the one `date` is given); text that is not a
 * date fails the render with a reason, as the wait fails, rather than print
 * a date the wait never agreed to. An empty text prints nothing; a number
 * is epoch milliseconds, as the wait and conditions read it (not Liquid's
 * seconds: one rule for a date in customer data, whichever part reads it).
 */
/** What a preview puts for a variable the context lacks (`⟨profile.traits.renewalDate⟩`): printed as it is, by `date` too. */
export function missingMarker(path: string): string {
  return `⟨${path}⟩`;
}
const MISSING_MARKER = /^⟨[^⟩]*⟩$/;

function registerCalendarDays(liquid: Liquid, timezone: string): void {
  for (const name of DATE_FILTERS) {
    const builtin = filters[name];
    if (typeof builtin !== 'function') throw new Error(`liquidjs has no ${name} filter`);
    liquid.registerFilter(name, function (this: unknown, value: unknown, ...args: unknown[]) {
      const given = name === 'date' ? args[1] : undefined;
      const zone = typeof given === 'string' && isValidTimeZone(given) ? given : timezone;
      let date: unknown = value;
      if (value === 'now' || value === 'today') date = renderNow ?? value;
      // Epoch milliseconds, as untilDate and conditions read a number (Liquid alone reads seconds).
      else if (typeof value === 'number') date = customerInstant(value, zone) ?? value;
      else if (typeof value === 'string' && value !== '' && !MISSING_MARKER.test(value)) {
        date = customerInstant(value, zone);
        if (date === undefined)
          throw new Error(
            `${name}: ${JSON.stringify(value.slice(0, 40))} is not a date: write it as ${DATE_FORMS}`,
          );
      }
      // The filter's own `this`: its context holds the render's memory limit and options.
      return Reflect.apply(builtin, this, [date, ...args]);
    });
  }
}

function createEngine(timezone: string, escapeHtml: boolean): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    // lenientIf lets `{{ x | default: "there" }}` and `{% if x %}` see a missing variable as empty,
    // so the documented fallback works; any other use of a missing variable still fails the render.
    lenientIf: true,
    // An empty in-memory file map: `include`, `render` and `layout` never reach the file system.
    templates: {},
    ownPropertyOnly: true,
    timezoneOffset: timezone,
    // Counted bounds only (template-bounds.ts): no time limit, so a render's outcome never depends on load.
    parseLimit: TEMPLATE_LIMITS.parseChars,
    memoryLimit: TEMPLATE_LIMITS.memory,
    // HTML output escapes every value unless the template says `| raw` (trusted HTML only). Escaped
    // once: what Liquid escaped already (`| escape`, a `capture` of escaped output) is not escaped again,
    // which would show "O&#39;Brien" for O'Brien; everything else is escaped as `escape` does.
    ...(escapeHtml ? { outputEscape: escapeOnce } : {}),
  });
  registerCalendarDays(liquid, timezone);
  countCaptures(liquid);
  // What a value in the html's CSS or comments is given (template-html.ts); neither writes anything HTML escapes.
  liquid.registerFilter(CSS_FILTER, { handler: cssEscape, raw: true });
  liquid.registerFilter(COMMENT_FILTER, { handler: commentEscape, raw: true });
  return liquid;
}

/** Engines per (time zone, escaping); bounded, as zones come from customer profiles. */
const engines = new Map<string, Liquid>();
const ENGINE_LIMIT = 64;

function engineKey(timezone: string, escapeHtml: boolean): string {
  return `${escapeHtml ? 'html' : 'text'}:${timezone}`;
}

function engine(timezone: string, escapeHtml: boolean): Liquid {
  const key = engineKey(timezone, escapeHtml);
  const hit = engines.get(key);
  if (hit !== undefined) return hit;
  if (engines.size >= ENGINE_LIMIT) engines.delete(engines.keys().next().value ?? '');
  const created = createEngine(timezone, escapeHtml);
  engines.set(key, created);
  return created;
}

/**
 * Parsed fields per (source text, engine) — parsing depends on the engine's
 * options, escaping among them. A journey renders the same few
 * templates for every customer, so each is parsed once per engine in a warm
 * process. Keyed by the text itself, a changed template is a new entry; the
 * text is the outer key (a string keeps its hash, so a render builds no key
 * of its own), the engine object the inner one. Bounded by parses and by
 * characters held, least recently used text out first, with all its parses.
 */
type Parses = { byEngine: Map<Liquid, ParsedLiquid[]>; chars: number };
const parsed = new Map<string, Parses>();
const PARSED_LIMIT = { entries: 256, chars: 4_000_000 } as const;
let parsedEntries = 0;
let parsedChars = 0;

/** `prepare`: the text to parse for the source, when it is not the source itself (an email html). */
function parseOnce(
  liquid: Liquid,
  source: string,
  prepare?: (liquid: Liquid, source: string) => string,
): ParsedLiquid[] {
  let parses = parsed.get(source);
  if (parses !== undefined) {
    parsed.delete(source);
    parsed.set(source, parses);
  }
  const hit = parses?.byEngine.get(liquid);
  if (hit !== undefined) return hit;
  const templates = liquid.parse(prepare === undefined ? source : prepare(liquid, source));
  if (parses === undefined) {
    parses = { byEngine: new Map(), chars: 0 };
    parsed.set(source, parses);
  }
  parses.byEngine.set(liquid, templates);
  parses.chars += source.length;
  parsedEntries += 1;
  parsedChars += source.length;
  for (const [oldest, entry] of parsed) {
    if (parsedEntries <= PARSED_LIMIT.entries && parsedChars <= PARSED_LIMIT.chars) break;
    parsed.delete(oldest);
    parsedEntries -= entry.byEngine.size;
    parsedChars -= entry.chars;
  }
  return templates;
}

/** How many parsed template fields are held (for tests and memory reports). */
export function parsedTemplateCount(): number {
  return parsedEntries;
}

/** The rendered fields of a template, same keys as the template minus `channel`. */
export type Rendered<T extends Template> = Omit<T, 'channel'>;

function limitOf(template: Template, field: string): number {
  if (template.channel === 'sms' && field === 'body') return SMS_BODY_LIMIT;
  return OUTPUT_LIMITS[field] ?? OUTPUT_LIMITS.text ?? 0;
}

/**
 * liquidjs signals a missing variable behind `default` with an Error it then
 * discards, and V8 records a stack trace for every Error made: a fifth of a
 * render. No stack of a render is read (its errors name the variable and the
 * place in the template), so none is recorded while the synchronous render
 * runs — nothing else runs meanwhile.
 */
function renderWithoutStacks(
  liquid: Liquid,
  templates: ParsedLiquid[],
  context: TemplateContext,
  now: Date | undefined,
): unknown {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  renderNow = now;
  const steps = stepCount();
  const counted = countedContext(liquid, context, steps);
  try {
    const rendered = liquid.renderSync(templates, counted);
    // The whole output counts too: what a loop wrote can be no more than a capture could hold.
    if (typeof rendered === 'string') counted.memoryLimit.use(rendered.length);
    return rendered;
  } catch (error) {
    // liquidjs wraps what a tag throws: the step bound is named as itself, whatever the wrapping.
    if (steps.exceeded) throw new Error(STEP_LIMIT_REASON);
    throw error;
  } finally {
    Error.stackTraceLimit = limit;
    renderNow = undefined;
  }
}

/**
 * One field's render; a failure names the field, and a missing variable the
 * expression as written (liquidjs names only the first missing segment).
 */
function renderField(
  field: string,
  liquid: Liquid,
  templates: ParsedLiquid[],
  data: TemplateContext,
  now: Date | undefined,
): unknown {
  try {
    return renderWithoutStacks(liquid, templates, data, now);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UndefinedVariableError)
      throw new Error(`${field}: {{ ${error.token.getText()} }} has no value and no default (${message})`);
    throw new Error(`${field}: ${boundReason(message)}`);
  }
}

/**
 * How a data map prints: as a map does (liquidjs prints a plain object as
 * `String(object)`), whatever keys it holds. Symbols are never data keys, and
 * `Symbol.toPrimitive` comes before `toString` and `valueOf` in a conversion.
 */
const PRINTS_AS_A_MAP: object = Object.freeze(
  Object.create(null, { [Symbol.toPrimitive]: { value: () => '[object Object]' } }),
);

/** Keys a conversion to text would call: a map holding one as data must not be asked. */
function asksItsOwnKeys(map: object): boolean {
  return (
    Object.hasOwn(map, 'toString') || Object.hasOwn(map, 'valueOf') || Object.getPrototypeOf(map) === null
  );
}

/**
 * The template's data as Liquid can print it. Printing a map (`{{ event.properties.item }}`)
 * converts it to text, which calls its `toString` or `valueOf`: a customer
 * trait, event property or webhook field under one of those names (or a map
 * with no prototype) would fail the send. Such a map is copied onto a
 * prototype that prints it as any other map, with the same own keys, so
 * `item.toString` still reads the data. Everything else is passed as it is
 * (the same objects when nothing within needs a copy).
 */
function printable(value: unknown): unknown {
  return needsCopy(value) ? copied(value) : value;
}

/** Whether a map within asks its own keys; walks without allocating, as almost no data needs a copy. */
function needsCopy(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const element of value) if (needsCopy(element)) return true;
    return false;
  }
  if (!isDataMap(value)) return false;
  if (asksItsOwnKeys(value)) return true;
  const map = value as Record<string, unknown>;
  for (const key in map) if (needsCopy(map[key])) return true;
  return false;
}

function copied(value: unknown): unknown {
  if (!needsCopy(value)) return value;
  if (Array.isArray(value)) return value.map(copied);
  const out: Record<string, unknown> = asksItsOwnKeys(value as object) ? Object.create(PRINTS_AS_A_MAP) : {};
  for (const [key, element] of Object.entries(value as object)) {
    // An assignment makes the same own data property, faster; only `__proto__` would set the prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: copied(element),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = copied(element);
  }
  return out;
}

/**
 * Marks the links to the message's own unsubscribe URL `ses:no-track`: SES
 * click tracking (on while the configuration set publishes clicks) would
 * otherwise send them through its redirect and report a click on
 * "Unsubscribe" as engagement, which `onOutcome` and the click counts read
 * as interest. Other links are left as they are.
 */
function untrackedUnsubscribe(html: string, unsubscribeUrl: string | undefined): string {
  if (unsubscribeUrl === undefined || !/href/i.test(html)) return html;
  let out = '';
  let from = 0;
  for (const tag of startTags(html)) {
    if (tag.name !== 'a' || tag.attributes.some(({ name }) => name === 'ses:no-track')) continue;
    // A browser follows the first href of a tag.
    const href = tag.attributes.find(({ name }) => name === 'href')?.value;
    const target = href?.trim().replace(/&amp;|&#38;|&#x26;/gi, '&');
    if (target !== unsubscribeUrl) continue;
    out += `${html.slice(from, tag.start)}<a ses:no-track`;
    from = tag.nameEnd;
  }
  return from === 0 ? html : out + html.slice(from);
}

/** A push deep link on one line, refused when it would run script or open a `data:` document. */
function pushLink(rendered: string): string {
  const link = linkText(rendered);
  const scheme = forbiddenLinkScheme(link);
  if (scheme !== undefined) throw new Error(`url: renders to a ${scheme} link, which a message never opens`);
  return link;
}

/** Per parsed html (kept while its parse is): the value it writes inside a tag outside quotes, or null. */
const unquotedByParse = new WeakMap<ParsedLiquid[], UnquotedValue | null>();

/**
 * Fails an html template that writes a value inside a tag outside quotes
 * (validation refuses it; a template pinned before still renders here):
 * the value's blanks and `=` would add attributes, script among them.
 */
function refuseUnquotedValues(liquid: Liquid, templates: ParsedLiquid[], source: string): void {
  let found = unquotedByParse.get(templates);
  if (found === undefined) {
    found = unquotedValue(liquid, source) ?? null;
    unquotedByParse.set(templates, found);
  }
  if (found !== null) throw new Error(`html: ${describeUnquotedValue(found)}`);
}

/** Fails an HTML body with a link that would run script (escaping keeps a value in its attribute, not safe). */
function refuseScriptLinks(html: string): void {
  const found = forbiddenHtmlLink(html);
  if (found !== undefined)
    throw new Error(
      `html: a ${found.attribute} renders to a ${found.scheme} link, which a message never opens`,
    );
}

/**
 * Renders every field of a template with strict Liquid: the email `html`
 * field HTML-escaped, the others as plain text; `date` formats in `timezone`
 * (the customer's), and `"now"` is `now` (the send's time; the machine's
 * clock when not given). Throws naming the missing variable, bad syntax, or the
 * limit exceeded.
 */
export async function renderTemplate<T extends Template>(
  template: T,
  context: TemplateContext,
  timezone = 'UTC',
  now?: Date,
): Promise<Rendered<T>> {
  const out: Record<string, string> = {};
  const data = printable(context) as TemplateContext;
  for (const [key, value] of Object.entries(template)) {
    if (key === 'channel' || typeof value !== 'string') continue;
    const escapeHtml = template.channel === 'email' && key === 'html';
    const liquid = engine(timezone, escapeHtml);
    // Values in the html's CSS are CSS-escaped as they print, and values in its comments cannot end them.
    const templates = parseOnce(liquid, value, escapeHtml ? withContextEscaping : undefined);
    if (escapeHtml) refuseUnquotedValues(liquid, templates, value);
    // Synchronously: no filter or tag here waits on anything, and the async renderer's promise per node cost a third of the render.
    const rendered = renderField(key, liquid, templates, data, now);
    const written = key === 'url' ? pushLink(String(rendered)) : providerText(key, String(rendered));
    if (escapeHtml) refuseScriptLinks(written);
    const text = escapeHtml ? untrackedUnsubscribe(written, context.unsubscribeUrl) : written;
    const limit = limitOf(template, key);
    if (text.length > limit)
      throw new Error(`${key} renders to ${text.length} characters, over the limit of ${limit}`);
    out[key] = text;
  }
  return out as Rendered<T>;
}

/** A field that cannot render: Liquid that does not parse, a partial it cannot load, an html value outside quotes in a tag, or an html link to script. */
export type TemplateSyntaxProblem = {
  field: string;
  kind: 'syntax' | 'partial' | 'html-value' | 'html-link' | 'steps';
  message: string;
};

/** A problem as a sentence after its field: `broken Liquid syntax: …`, or what the partial does. */
export function describeTemplateProblem(problem: TemplateSyntaxProblem): string {
  return problem.kind === 'syntax' ? `broken Liquid syntax: ${problem.message}` : problem.message;
}

/**
 * A link the html template itself writes to script or a `data:` document
 * (`<a href="javascript:…">`, a `<meta>` refresh, a `srcset`), as a sentence
 * with its line and column: every send of it would fail.
 */
function writtenScriptLink(html: string): string | undefined {
  const found = forbiddenHtmlLink(html);
  if (found === undefined) return undefined;
  const before = html.slice(0, found.at);
  const line = before.split('\n').length;
  const column = found.at - before.lastIndexOf('\n');
  return `a ${found.attribute} (line ${line}, column ${column}) links to ${found.scheme}, which a message never opens`;
}

/** Tags that load another template by name: with no files to read, every render that reaches one fails. */
const PARTIAL_TAGS: ReadonlySet<string> = new Set(['include', 'render', 'layout']);

/** The first tag that loads a partial, in the order written, inner blocks included. */
function firstPartial(nodes: readonly ParsedLiquid[]): Tag | undefined {
  for (const node of nodes) {
    if (node instanceof Tag && PARTIAL_TAGS.has(node.name)) return node;
    const template: ParsedLiquid = node;
    // Partials themselves are not followed (there are none to follow).
    const children = template.children?.(false, true);
    const inner = children === undefined ? undefined : firstPartial(toValueSync(children));
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * Parses every Liquid field once; returns the first syntax problem per field.
 * A partial (`include`, `render`, `layout`) is one: templates read no files,
 * so it would fail every send that reaches it. So is an email html value
 * written inside a tag outside quotes, which would fail every send too, and
 * loops over written ranges that alone pass the render's step bound.
 */
export function checkTemplateSyntax(template: Template): TemplateSyntaxProblem[] {
  const problems: TemplateSyntaxProblem[] = [];
  for (const [key, value] of Object.entries(template)) {
    if (key === 'channel' || typeof value !== 'string') continue;
    let nodes: ParsedLiquid[];
    try {
      nodes = engine('UTC', false).parse(value);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ field: key, kind: 'syntax', message });
      continue;
    }
    const unquoted =
      template.channel === 'email' && key === 'html' ? unquotedValue(engine('UTC', true), value) : undefined;
    if (unquoted !== undefined)
      problems.push({ field: key, kind: 'html-value', message: describeUnquotedValue(unquoted) });
    const link = template.channel === 'email' && key === 'html' ? writtenScriptLink(value) : undefined;
    if (link !== undefined) problems.push({ field: key, kind: 'html-link', message: link });
    const overrun = certainStepOverrun(nodes);
    if (overrun !== undefined) problems.push({ field: key, kind: 'steps', message: overrun });
    const partial = firstPartial(nodes);
    if (partial === undefined) continue;
    const [line, column] = partial.token.getPosition();
    problems.push({
      field: key,
      kind: 'partial',
      message: `${partial.token.getText()} (line ${line}, column ${column}) loads another template, and templates read no other file: write its content here`,
    });
  }
  return problems;
}
