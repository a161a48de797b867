import { ANONYMOUS_PREFIX } from './tables.ts';

/**
 * Customer events of the plain shape, read without walking the schema. Most
 * events arrive exactly as the schema would leave them: ids and names of
 * printable ASCII with no blank at either end, a UTC timestamp as
 * `toISOString` writes it, plain objects of properties, traits and context.
 * For such an event `CustomerEvent`'s answer is known without it (the same
 * object, key for key and in the same order), and working it out through the
 * schema took a fifth of ingesting it. Anything else — a number id, a null
 * for "not set", an offset, a name to trim or normalize, a wrong type — is
 * left to the schema, which says what it makes of it and every problem.
 */

/**
 * The earliest event time accepted. An earlier one is a placeholder a client
 * wrote for a time it did not have (Go's and .NET's zero time, year 1; the
 * Unix epoch; an uninitialised field), not when a customer did something: taken as
 * it is, it moves first seen to year 1 and makes the event older than the
 * whole history, so it is rejected with the reason. A later time than the
 * arrival is accepted as the arrival (notAfterArrival).
 */
export const EARLIEST_EVENT_TIME = Date.parse('2000-01-01T00:00:00Z');
/**
 * The longest id, in UTF-8 bytes: ids are the partition key of the profile
 * and enrollment items, which DynamoDB caps at 2048 bytes — 1024 characters
 * of Chinese or emoji would be 3–4 KB, and every write for the customer would fail.
 */
export const MAX_ID_BYTES = 1024;
/**
 * The longest event name accepted, in UTF-8 bytes: names are part of the
 * attribute names of the profile's event counters, and DynamoDB counts the
 * item in bytes (200 characters of Chinese would be 600).
 */
export const MAX_EVENT_NAME_LENGTH = 200;

/**
 * Printable ASCII with no blank at either end: already trimmed and in NFC,
 * one UTF-8 byte per character, no control character or lone surrogate.
 */
const PLAIN_TEXT = /^[!-~](?:[ -~]*[!-~])?$/;

type Plain = Record<string, unknown>;

/**
 * What `CustomerEvent` makes of `input` when the event is of the plain shape
 * (then valid: the schema would report nothing); else undefined. `usable`
 * is the context as the schema keeps it (timezone and locale only when
 * valid), shared with the schema so both keep the same.
 */
export function plainCustomerEvent(input: Plain, usable: (context: Plain) => Plain): Plain | undefined {
  const type = input.type;
  if (type !== 'track' && type !== 'identify') return undefined;
  const ids = plainIds(input);
  const messageId = input.messageId;
  const timestamp = input.timestamp;
  if (ids === undefined || !isPlainMessageId(messageId) || !isPlainTimestamp(timestamp)) return undefined;
  const context = 'context' in input ? copied(input.context) : undefined;
  if ('context' in input && context === undefined) return undefined;
  const head = type === 'track' ? trackHead(input) : identifyHead(input);
  if (head === undefined) return undefined;
  const event: Plain = head;
  if (ids.userId !== undefined) event.userId = ids.userId;
  if (ids.anonymousId !== undefined) event.anonymousId = ids.anonymousId;
  event.messageId = messageId;
  event.timestamp = timestamp;
  if (context !== undefined) event.context = usable(context);
  return event;
}

/** type, event, properties and traits of a track call, in the schema's order. */
function trackHead(input: Plain): Plain | undefined {
  const name = input.event;
  if (typeof name !== 'string' || name.length > MAX_EVENT_NAME_LENGTH || !PLAIN_TEXT.test(name))
    return undefined;
  const properties = 'properties' in input ? copied(input.properties) : {};
  if (properties === undefined) return undefined;
  const head: Plain = { type: 'track', event: name, properties };
  if ('traits' in input) {
    const traits = copied(input.traits);
    if (traits === undefined) return undefined;
    head.traits = traits;
  }
  return head;
}

/** type and traits of an identify call, which carries no event name or properties. */
function identifyHead(input: Plain): Plain | undefined {
  if ('event' in input || 'properties' in input) return undefined;
  const traits = 'traits' in input ? copied(input.traits) : {};
  return traits === undefined ? undefined : { type: 'identify', traits };
}

/** userId and anonymousId, each absent or plain (a userId not the anonymous key prefix); at least one. */
function plainIds(input: Plain): { userId?: string; anonymousId?: string } | undefined {
  const userId = 'userId' in input ? plainId(input.userId) : undefined;
  const anonymousId = 'anonymousId' in input ? plainId(input.anonymousId) : undefined;
  if (('userId' in input && userId === undefined) || ('anonymousId' in input && anonymousId === undefined))
    return undefined;
  if (userId === undefined && anonymousId === undefined) return undefined;
  if (userId?.startsWith(ANONYMOUS_PREFIX)) return undefined;
  return { userId, anonymousId };
}

function plainId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_ID_BYTES && PLAIN_TEXT.test(value)
    ? value
    : undefined;
}

function isPlainMessageId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 1024 && PLAIN_TEXT.test(value);
}

/** A UTC instant as `toISOString` writes it (a real date and time), not before the earliest accepted. */
function isPlainTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 24) return false;
  const at = Date.parse(value);
  return at >= EARLIEST_EVENT_TIME && new Date(at).toISOString() === value;
}

/**
 * A plain object's enumerable own members in a new object, as the schema's
 * record copies them; undefined for anything else (an array, a class
 * instance, a symbol key, a `__proto__` member: the schema decides those).
 */
function copied(value: unknown): Plain | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  if (Object.getOwnPropertySymbols(value).length > 0 || Object.hasOwn(value, '__proto__')) return undefined;
  const out: Plain = {};
  for (const key of Object.keys(value)) out[key] = (value as Plain)[key];
  return out;
}
