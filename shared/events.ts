import { structuralProblems } from './ingest/limits.ts';
import { LOCALE } from './ingest/reserved-traits.ts';
import { canonicalName, type KeyClash, withCanonicalKeys } from './names.ts';
import {
  EARLIEST_EVENT_TIME,
  MAX_EVENT_NAME_LENGTH,
  MAX_ID_BYTES,
  plainCustomerEvent,
} from './plain-event.ts';
import { ANONYMOUS_PREFIX, profileKeys } from './tables.ts';
import { isValidTimeZone } from './time.ts';
import { codePointLength, hasLoneSurrogate, LONE_SURROGATE_PROBLEM, utf8Length } from './utf8.ts';
import * as z from './zod.ts';

/**
 * Customer events in the Segment spec shape — what CDPs (Segment, RudderStack)
 * forward to EventBridge and what apps put on the bus themselves.
 *
 * Accepted as CDPs send them: top-level fields the product does not use
 * (`originalTimestamp`, `sentAt`, `receivedAt`, `channel`, `version`,
 * `integrations`, `rudderId`...) are allowed and dropped, and a `null`
 * `userId`/`anonymousId` (anonymous analytics.js calls) counts as absent.
 */

/** CDPs send `null` for "not set"; zod's `optional` only knows `undefined`. */
const nullAsAbsent = (value: unknown): unknown => (value === null ? undefined : value);
/** An id that is null or blank is not set. */
const blankAsAbsent = (value: unknown): unknown =>
  value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value;

function hasId(value: unknown): boolean {
  return (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const Json = z.record(z.string(), z.unknown(), { error: 'must be an object of names to values' });

/** CDPs send `null` (or a blank id) for "not set": read before the schema, as classic zod's `preprocess`. */
const before = <T extends z.ZodMiniType>(read: (value: unknown) => unknown, schema: T) =>
  z.pipe(z.transform(read), schema);

/**
 * An integer id past 2^53 arrives with its last digits already lost (JSON
 * numbers are doubles): read as its string it would be another id, shared by
 * the customers or events whose ids round alike.
 */
const UNSAFE_INTEGER_ID = `is an integer past ${Number.MAX_SAFE_INTEGER} (2^53 - 1), which a JSON number cannot hold: its last digits are lost, so other ids read the same; send it as a string`;

const isUnsafeInteger = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);

/** An integer id, read as its string: one past 2^53 is refused with the reason. */
const IntegerId = z
  .number()
  .check(
    z.refine(Number.isInteger, { error: 'must be a string', abort: true }),
    z.refine(Number.isSafeInteger, { error: UNSAFE_INTEGER_ID }),
  );

/** An id: a string or an integer (read as its string), trimmed, not empty. */
const Id = () =>
  before(
    blankAsAbsent,
    z.optional(
      z.pipe(
        z.pipe(z.union([z.string(), IntegerId], { error: 'must be a string' }), z.transform(String)),
        z.string().check(
          z.trim(),
          z.minLength(1, { error: 'must not be empty' }),
          z.maxLength(MAX_ID_BYTES),
          // Past the length above (in code points), that check has said it already.
          z.refine((id) => codePointLength(id) > MAX_ID_BYTES || utf8Length(id) <= MAX_ID_BYTES, {
            error: `must be at most ${MAX_ID_BYTES} bytes (UTF-8)`,
          }),
          // A profile key: stored with U+FFFD in its place, it would be another customer's.
          z.refine((id) => !hasLoneSurrogate(id), { error: LONE_SURROGATE_PROBLEM }),
        ),
      ),
    ),
  );

/**
 * A customer id (userId, alias previousId): anything but the prefix of
 * anonymous profiles' keys, or "anon:42" would share the profile of the
 * anonymous visitor "42".
 */
const UserId = () =>
  z.pipe(
    Id(),
    z.optional(
      z.string().check(
        z.refine((id) => !id.startsWith(ANONYMOUS_PREFIX), {
          error: `must not start with "${ANONYMOUS_PREFIX}" (the key prefix of anonymous visitors' profiles)`,
        }),
      ),
    ),
  );

/** The event name, e.g. "Order Completed". */
const EventName = z.string({ error: 'must be the event name, a string such as "Order Completed"' }).check(
  z.refine((name) => name.length * 3 <= MAX_EVENT_NAME_LENGTH || utf8Length(name) <= MAX_EVENT_NAME_LENGTH, {
    error: `must be at most ${MAX_EVENT_NAME_LENGTH} bytes in UTF-8`,
  }),
  z.regex(/\S/, { error: 'must not be blank' }),
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  z.regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'must not contain control characters' }),
  z.refine((name) => !hasLoneSurrogate(name), { error: LONE_SURROGATE_PROBLEM }),
  // " Order Completed " and a decomposed "José" are the events everyone means (names.ts).
  z.overwrite(canonicalName),
);

const TimeZone = z.string().check(z.refine(isValidTimeZone));
const Locale = z.string().check(z.regex(LOCALE));

/**
 * Traits of the customer: any names to values. The reserved ones (email,
 * phone, timezone, locale, consent) are read by the profile, which leaves out
 * one whose value is not of its kind and reports it, not the whole event
 * (splitTraits, ingest/reserved-traits.ts).
 */
const Traits = Json;

/**
 * Context: ip, locale, timezone, device, campaign... SDKs fill the context
 * themselves and not always with IANA names (some web SDKs send
 * `GMT+0530`): a timezone or locale the profile cannot use is dropped rather
 * than rejecting the event it came with.
 */
const Context = z.pipe(Json, z.transform(usableContext));

/** The context as the schema keeps it: timezone and locale only when the profile can use them. */
export function usableContext({
  timezone,
  locale,
  ...rest
}: Record<string, unknown>): Record<string, unknown> {
  return {
    ...rest,
    ...(TimeZone.safeParse(timezone).success ? { timezone } : {}),
    ...(Locale.safeParse(locale).success ? { locale } : {}),
  };
}

/**
 * ISO 8601's basic offset (`+0100`, what Java's and many logging formatters
 * write) in the extended form the schema reads (`+01:00`): the same instant.
 */
function withOffsetColon(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const basic = /^(\d{4}-\d{2}-\d{2}T[\d:.]+)([+-]\d{2})(\d{2})$/.exec(value);
  return basic === null ? value : `${basic[1]}${basic[2]}:${basic[3]}`;
}

const TIMESTAMP_SHAPE = 'must be an ISO 8601 timestamp such as 2026-11-24T10:00:00Z';

/**
 * Why a timestamp is not one, in the sender's terms: the usual mistakes of
 * an app's code (a local time with no offset, an epoch number, an offset
 * without minutes) each get the fix; anything else the expected shape.
 */
function timestampProblem(input: unknown): string {
  if (typeof input === 'number')
    return `${TIMESTAMP_SHAPE}, not a number (epoch time): send it as a string, e.g. new Date(${Number.isFinite(input) ? input : 'ms'}).toISOString()`;
  if (typeof input !== 'string') return TIMESTAMP_SHAPE;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(input))
    return `${TIMESTAMP_SHAPE}: "${input}" has no offset, so the instant it names is unknown; add Z for UTC or the sender's offset (+01:00)`;
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+[+-]\d{2}$/.test(input))
    return `${TIMESTAMP_SHAPE}: the offset of "${input}" needs its minutes (+01:00, not +01)`;
  return TIMESTAMP_SHAPE;
}

const common = {
  /** The customer id in your systems. */
  userId: UserId(),
  /** A device or cookie id before the customer is known. */
  anonymousId: Id(),
  /** Unique per event: a redelivered event has the same messageId (an integer is read as its string, like ids). */
  messageId: before(
    (value) => (Number.isSafeInteger(value) ? String(value) : value),
    z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? 'is required: a unique id per event (a redelivered event keeps it)'
            : isUnsafeInteger(issue.input)
              ? UNSAFE_INTEGER_ID
              : 'must be a string (or an integer): a unique id per event, kept by a redelivery',
      })
      .check(z.trim(), z.minLength(1, { error: 'must not be empty' }), z.maxLength(1024)),
  ),
  /** When the event happened. */
  timestamp: before(
    withOffsetColon,
    z.iso
      .datetime({
        offset: true,
        error: (issue) => timestampProblem(issue.input),
      })
      .check(
        z.refine((value) => !(Date.parse(value) < EARLIEST_EVENT_TIME), {
          error: `is before ${new Date(EARLIEST_EVENT_TIME).toISOString().replace('.000', '')}: a placeholder (0001-01-01, 1970-01-01) rather than when the event happened; send the time it happened`,
        }),
      ),
  ),
  context: before(nullAsAbsent, z.optional(Context)),
};

/** A customer performed an action; `properties` say what happened: order total, cart id... */
export const TrackEvent = z.object({
  type: z.literal('track'),
  event: EventName,
  properties: before(nullAsAbsent, z._default(Json, {})),
  traits: before(nullAsAbsent, z.optional(Traits)),
  ...common,
});

/** Who the customer is: traits, channels, consent. */
export const IdentifyEvent = z.object({
  type: z.literal('identify'),
  traits: before(nullAsAbsent, z._default(Traits, {})),
  event: z.optional(z.undefined({ error: 'is not allowed on an identify call' })),
  properties: z.optional(z.undefined({ error: 'is not allowed on an identify call (use traits)' })),
  ...common,
});

export const CustomerEvent = z
  .discriminatedUnion('type', [TrackEvent, IdentifyEvent], {
    error: 'must be "track", "identify" or "alias" (page, screen and group calls are not used)',
  })
  .check(
    z.refine((e) => hasId(e.userId) || hasId(e.anonymousId), {
      error: 'needs a userId or an anonymousId',
      path: ['userId'],
      // Reported with the other problems, not only once everything else is valid.
      when: (payload) => isObject(payload.value),
    }),
  );

/**
 * A Segment `alias` call: `previousId` (an anonymousId or an earlier userId)
 * is the same person as `userId`. Ingest merges the profile of the previous
 * id into the known one; it triggers, resumes and stops nothing itself.
 */
export const AliasEvent = z.object({
  type: z.literal('alias'),
  /** The id the customer had before: an anonymousId or an earlier userId. */
  previousId: z.pipe(Id(), z.string({ error: 'is required: the id to merge into userId' })),
  /** The customer id the previous id now belongs to. */
  userId: z.pipe(UserId(), z.string({ error: 'is required: the customer id to merge into' })),
  anonymousId: common.anonymousId,
  messageId: common.messageId,
  timestamp: common.timestamp,
  context: common.context,
});

export type AliasEvent = z.infer<typeof AliasEvent>;
export type CustomerEvent = z.infer<typeof CustomerEvent>;
export type TrackEvent = z.infer<typeof TrackEvent>;
export type IdentifyEvent = z.infer<typeof IdentifyEvent>;

export { CUSTOMER_EVENT_DETAIL_TYPES, CUSTOMER_EVENT_SOURCE } from './event-sources.ts';

/**
 * A SaaS partner's event source (`aws.partner/segment.com/<sourceId>`): its
 * events arrive on a partner event bus of the same name, not on ours.
 */
export const PARTNER_EVENT_SOURCE = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;
/** Any EventBridge source name (PutEvents' own limit); `aws.` sources other than partners are AWS's. */
export const EVENT_SOURCE = /^(?!aws\.(?!partner\/))[\w.\-/]{1,256}$/;

export { EARLIEST_EVENT_TIME, MAX_EVENT_NAME_LENGTH, MAX_ID_BYTES } from './plain-event.ts';

export type EventProblem = { field: string; message: string };

/**
 * Validates a customer event (limits of ingest/limits.ts, then the schema);
 * on failure every problem names its field as a
 * dotted path (`timestamp`, `messageId`, `properties`, `traits.email`), or
 * `(event)` when the event itself is not an object.
 */
export function parseCustomerEvent(
  input: unknown,
): { ok: true; event: CustomerEvent } | { ok: false; problems: EventProblem[] } {
  const wrong = notAnEventProblem(input);
  if (wrong !== undefined) return { ok: false, problems: [{ field: '(event)', message: wrong }] };
  if (!isObject(input)) return { ok: false, problems: [{ field: '(event)', message: NOT_AN_OBJECT }] };
  // Limits first: size, depth and reserved keys decide before any schema walks the value.
  // A trait's own problems leave only that trait out (profileChanges), not the event.
  const limits = structuralProblems(input, true);
  if (limits.length > 0) return { ok: false, problems: limits };
  const event = withContextTraits(input);
  const plain = plainCustomerEvent(event, usableContext);
  if (plain !== undefined) return withCanonicalNames(plain as CustomerEvent);
  const result = CustomerEvent.safeParse(event);
  if (!result.success) return { ok: false, problems: problemsOf(result.error.issues) };
  return withCanonicalNames(result.data);
}

/**
 * The event with its trait names trimmed and every key in Unicode NFC
 * (names.ts), as journeys name them. Two keys of one object that are the
 * same name once so read (`"plan"` and `"plan "`) refuse the event, each
 * named: which value was meant is not known.
 */
function withCanonicalNames(
  event: CustomerEvent,
): { ok: true; event: CustomerEvent } | { ok: false; problems: EventProblem[] } {
  const clashes: KeyClash[] = [];
  const traits = withCanonicalKeys(event.traits, 'traits', clashes, canonicalName);
  const canonical = {
    ...event,
    ...(traits === undefined ? {} : { traits }),
    ...(event.type === 'track'
      ? { properties: withCanonicalKeys(event.properties, 'properties', clashes) }
      : {}),
  };
  if (clashes.length === 0) return { ok: true, event: canonical as CustomerEvent };
  return { ok: false, problems: clashes.map(clashProblem) };
}

function clashProblem({ path, key, same, nested }: KeyClash): EventProblem {
  const what = !nested && path.startsWith('traits.') ? 'trait' : 'key';
  return {
    field: path,
    message: `names the same ${what} as ${JSON.stringify(same)}: ${JSON.stringify(key)} only spells it differently (names are read trimmed and in Unicode NFC, keys in NFC); send it once`,
  };
}

const NOT_AN_OBJECT = 'must be a JSON object in the Segment spec shape';

/**
 * The usual ways an app's PutEvents call puts something else than the event
 * in Detail, each named with the fix: the event encoded twice (a string of
 * JSON), or the envelope around it (an EventBridge event, a PutEvents entry).
 */
function notAnEventProblem(input: unknown): string | undefined {
  if (typeof input === 'string' && isObject(parsedJson(input)))
    return `is JSON text holding an object, not the object: the event was encoded twice; Detail is JSON.stringify(event), once`;
  if (!isObject(input) || 'type' in input) return undefined;
  if ('detail' in input && ('detail-type' in input || 'source' in input))
    return 'is an EventBridge event wrapped around the event: put the Segment-spec event itself in Detail';
  if ('Detail' in input && ('DetailType' in input || 'Source' in input))
    return 'is a PutEvents entry wrapped around the event: pass the entry to PutEvents, with the event as its Detail';
  return undefined;
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * RudderStack's SDKs put an identify call's traits in `context.traits` (Segment
 * puts them in `traits`): an identify without top-level traits takes them from
 * there; top-level ones win where both name a trait.
 */
function withContextTraits(input: Record<string, unknown>): Record<string, unknown> {
  const context = input.context;
  if (input.type !== 'identify' || !isObject(context) || !isObject(context.traits)) return input;
  const traits = isObject(input.traits) ? input.traits : {};
  return { ...input, traits: { ...context.traits, ...traits } };
}

/** Validates an alias call, with the problems named by field like parseCustomerEvent. */
export function parseAliasEvent(
  input: unknown,
): { ok: true; event: AliasEvent } | { ok: false; problems: EventProblem[] } {
  const limits = structuralProblems(input);
  if (limits.length > 0) return { ok: false, problems: limits };
  const result = AliasEvent.safeParse(input);
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, problems: problemsOf(result.error.issues) };
}

/** True when the input is an alias call (its own shape, parsed by parseAliasEvent). */
export function isAliasCall(input: unknown): boolean {
  return isObject(input) && input.type === 'alias';
}

function problemsOf(issues: readonly z.core.$ZodIssue[]): EventProblem[] {
  return issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(event)',
    message: issue.message,
  }));
}

/**
 * An event stamped later than it arrived (a device clock minutes or years
 * ahead) is taken as happening when it arrived. Event times order what the
 * profile keeps (newer traits win, last seen only moves forward): one event
 * from the future would make every real event after it look older, freezing
 * the customer's traits and counters, and its daily count and snapshot would
 * outlive every retention window.
 */
export function notAfterArrival<T extends { timestamp: string }>(event: T, arrival: Date): T {
  return Date.parse(event.timestamp) > arrival.getTime()
    ? { ...event, timestamp: arrival.toISOString() }
    : event;
}

/** The customer key of an event: the userId, else the anonymousId. */
export function customerIdOf(event: CustomerEvent): string {
  return event.userId === undefined
    ? profileKeys.anonymous(event.anonymousId ?? '')
    : profileKeys.known(event.userId);
}
