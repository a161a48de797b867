import type { Channel } from '../channels.ts';
import { hasLoneSurrogate, LONE_SURROGATE_PROBLEM, utf8Length } from '../utf8.ts';
import { reservedTraitProblem } from './reserved-traits.ts';
import { storedValueSize } from './stored-size.ts';

/**
 * The limits a customer event must respect at the edge, each with the reason
 * a rejected event carries. They keep one customer's events from freezing
 * their profile (DynamoDB's 400 KB item, 32 nesting levels, 4 KB update
 * expression) or crashing the handler (deep recursion).
 */

/** EventBridge refuses entries over 256 KB; the local bus and ingest hold events to the same. */
const MAX_EVENT_BYTES = 256 * 1024;
/** Objects and arrays nested inside an event (DynamoDB stores at most 32 levels; snapshots add 2). */
export const MAX_NESTING_DEPTH = 16;
/**
 * How deep a trait's value may nest before the whole event is refused for
 * it, rather than the trait alone (a trait over MAX_NESTING_DEPTH is left
 * out): the nesting EventBridge itself takes in a Detail. Readers of the
 * event that recurse (JSON.stringify, key normalisation) give up a few
 * thousand levels down, depending on the stack left, so an event invoked
 * past the bus is held to what the bus would take.
 */
const MAX_READ_DEPTH = 1000;
/** The longest key of a property, trait or context field. */
export const MAX_KEY_LENGTH = 255;
/**
 * The longest name, in UTF-8 bytes, that becomes part of an attribute name
 * of the profile item: a trait's or a topic's. DynamoDB counts the item's
 * 400 KB in bytes; 255 characters of Chinese would be 765 bytes and of emoji
 * 1,020. 255 ASCII characters fit, as they always did.
 */
export const MAX_NAME_BYTES = 255;
/** Traits one event may set; the rest are rejected with a reason. */
const MAX_TRAITS_PER_EVENT = 100;
/** Traits the profile acts on (addresses, zone, consent): kept ahead of the others when an event sets too many. */
const INSTRUCTION_TRAITS: ReadonlySet<string> = new Set([
  'email',
  'phone',
  'timezone',
  'locale',
  'consent',
  'unsubscribed',
]);
/** Topic consent values one event may set (each is a write of its own attribute); the rest are reported. */
export const MAX_TOPICS_PER_EVENT = 50;
/**
 * Topics one profile keeps opted out of, per channel: a new opt-out past it
 * opts out of the whole channel instead, with the reason (fewer messages,
 * never more; opting in to a topic makes room). Opt-outs are never
 * dropped once kept, so without a cap events naming new topics would grow the
 * item until DynamoDB's 400 KB refused every write for the customer.
 */
export const MAX_TOPIC_OPT_OUTS = 100;
/**
 * Topics a profile keeps opted out of on SMS and on push. Only journeys name
 * topics there (`settings.topic`, opted out of by an unsubscribe link), a few
 * per company: past this an unsubscribe opts out of the whole channel.
 */
export const MAX_JOURNEY_TOPIC_OPT_OUTS = 20;

/** Topics a profile keeps opted out of on a channel: events name topics on email only. */
export function topicOptOutCap(channel: Channel): number {
  return channel === 'email' ? MAX_TOPIC_OPT_OUTS : MAX_JOURNEY_TOPIC_OPT_OUTS;
}
/** Distinct traits one profile keeps; a new trait past it is rejected with the reason (existing ones still update). */
export const MAX_TRAITS_PER_PROFILE = 100;
/** The largest trait value: its JSON in UTF-8 bytes, and its size as DynamoDB stores it. */
export const MAX_TRAIT_VALUE_BYTES = 1024;
/**
 * The key JavaScript itself will not hold as data: assigning `__proto__`
 * replaces an object's prototype, so parsers, the DynamoDB marshaller and
 * the local stand-ins drop it, and the value could not be read back. It is
 * rejected wherever it appears as a key, with the field named. Every other
 * name (`constructor`, `prototype`, `toString`...) is ordinary data, and so
 * is `__proto__` as a value (an event name, a topic, a trait value).
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__']);

export type LimitProblem = { field: string; message: string };

/** True for a number DynamoDB can store: zero, or a magnitude from 1e-130 to below 1e126. */
function storableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= 1e-130 && magnitude < 1e126);
}

/** Why a key rejects the event; inside a trait only the reserved key does (the rest is the trait's). */
function keyProblem(key: string, trait: boolean): { message: string; atKey: boolean } | undefined {
  if (RESERVED_KEYS.has(key))
    return { message: `"${key}" cannot be used as a key (JavaScript reserves it)`, atKey: true };
  if (trait) return undefined;
  // DynamoDB refuses an empty name at any depth of a stored value: the write would fail on every retry.
  if (key === '') return { message: 'has an empty key', atKey: false };
  if (key.length > MAX_KEY_LENGTH)
    return { message: `has a key longer than ${MAX_KEY_LENGTH} characters`, atKey: false };
  // Stored, it would be another key (U+FFFD in its place), one two keys could share.
  if (hasLoneSurrogate(key)) return { message: `has a key that ${LONE_SURROGATE_PROBLEM}`, atKey: false };
  return undefined;
}

/** Where an event's traits are: each trait is judged on its own (splitTraits), not the whole event. */
const TRAIT_PATHS: ReadonlySet<string> = new Set(['traits', 'context.traits']);

/**
 * Problems that reject a whole event: too large, nested too deep, a key too
 * long or empty or reserved, a number DynamoDB cannot store. Iterative, so no
 * input depth can exhaust the stack; an input nested too deep for JSON.stringify
 * (a few thousand levels) is refused for its depth wherever it is, traits included. With `traitsApart`, a trait (under
 * `traits` or `context.traits`) is checked only for the reserved key: its
 * other problems leave that trait out of the profile (splitTraits), not the
 * event, so one odd trait does not cost the customer's email or opt-out.
 */
export function structuralProblems(input: unknown, traitsApart = false): LimitProblem[] {
  const problems: LimitProblem[] = [];
  let json: string | undefined;
  // Whether the value could be written out as JSON to be measured: a serializer (JSON.stringify
  // among them) recurses, and gives up a few thousand levels down, in a few KB of input.
  let measured = true;
  try {
    json = JSON.stringify(input);
  } catch (error) {
    if (!(error instanceof RangeError))
      return [{ field: '(event)', message: 'must be JSON (no cycles, no BigInt)' }];
    measured = false;
  }
  const bytes = json === undefined ? 0 : utf8Length(json);
  if (bytes > MAX_EVENT_BYTES) {
    problems.push({
      field: '(event)',
      message: `is ${bytes} bytes; events are limited to ${MAX_EVENT_BYTES} bytes`,
    });
    return problems;
  }
  const stack: { value: unknown; path: string; depth: number; trait: boolean }[] = [
    { value: input, path: '', depth: 0, trait: false },
  ];
  while (stack.length > 0 && problems.length < 20) {
    const next = stack.pop();
    if (next === undefined || typeof next.value !== 'object' || next.value === null) continue;
    const { value, path, depth } = next;
    // The traits object's own keys are trait names: judged per trait too.
    const trait = next.trait || (traitsApart && TRAIT_PATHS.has(path));
    // A trait's value too deep to read (or measure) is the event's problem: no later reader could take it.
    if (depth > MAX_NESTING_DEPTH && (!trait || !measured || depth > MAX_READ_DEPTH)) {
      problems.push({ field: path, message: `nests deeper than ${MAX_NESTING_DEPTH} levels` });
      continue;
    }
    // Paths are made only where a problem or a nested object needs one: most values are neither.
    const fieldOf = (key: string) => (path === '' ? key : `${path}.${key}`);
    const array = Array.isArray(value);
    for (const key of Object.keys(value)) {
      const child: unknown = Reflect.get(value, key);
      const problem = array ? undefined : keyProblem(key, trait);
      if (problem !== undefined)
        problems.push({ field: problem.atKey ? fieldOf(key) : `${path}(key)`, message: problem.message });
      if (!trait && typeof child === 'number' && !storableNumber(child))
        problems.push({
          field: fieldOf(key),
          message: `${child} is outside the numbers DynamoDB stores (1e-130 to 9.99e125)`,
        });
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, path: fieldOf(key), depth: depth + 1, trait });
    }
  }
  // Not written out for a reason the walk does not see (a text past what a string holds): not read either.
  if (!measured && problems.length === 0)
    problems.push({ field: '(event)', message: 'is too large to be written out as JSON' });
  return problems;
}

/** True when a name fits an attribute name of the profile item (MAX_NAME_BYTES in UTF-8). */
export function nameFits(name: string): boolean {
  // Three bytes at most per UTF-16 unit: a short name needs no count.
  return name.length * 3 <= MAX_NAME_BYTES || utf8Length(name) <= MAX_NAME_BYTES;
}

/**
 * Why one trait does not fit a profile, or undefined when it does: its name
 * (not empty, at most MAX_NAME_BYTES, not reserved), its value's size, and the
 * structure of its value (the event limits above).
 */
export function traitProblem(trait: string, value: unknown): string | undefined {
  if (trait.length === 0) return 'a trait needs a name';
  if (!nameFits(trait)) return `a trait name is limited to ${MAX_NAME_BYTES} bytes in UTF-8`;
  if (RESERVED_KEYS.has(trait)) return `"${trait}" cannot be a trait name (JavaScript reserves it)`;
  if (hasLoneSurrogate(trait)) return `a trait name ${LONE_SURROGATE_PROBLEM}`;
  return traitValueProblem(value);
}

/** Why a profile cannot keep `value` as a trait's value (its size, shape or numbers), or `undefined`. */
export function traitValueProblem(value: unknown): string | undefined {
  const json = JSON.stringify(value);
  const bytes = json === undefined ? 0 : utf8Length(json);
  if (bytes > MAX_TRAIT_VALUE_BYTES)
    return `value is ${bytes} bytes; a trait value is limited to ${MAX_TRAIT_VALUE_BYTES} bytes`;
  // Lists of numbers or of empty lists take more room stored than as JSON (`[0,0]`: 5 bytes, 9 stored).
  const stored = storedValueSize(value);
  if (stored > MAX_TRAIT_VALUE_BYTES)
    return `value takes ${stored} bytes as DynamoDB stores it; a trait value is limited to ${MAX_TRAIT_VALUE_BYTES} bytes`;
  const [problem] = structuralProblems(value);
  if (problem !== undefined)
    return `value ${problem.message} (limit: ${MAX_NESTING_DEPTH} levels, keys of 1 to ${MAX_KEY_LENGTH} characters)`;
  const inexact = inexactNumber(value);
  if (inexact !== undefined)
    return `value holds ${inexact}, outside the numbers a trait keeps exactly (0, or 1e-130 to ${Number.MAX_SAFE_INTEGER} either way): send a larger number as a string`;
  return undefined;
}

/** True for a number a profile stores and reads back as the same number: zero, or a magnitude from 1e-130 to 2^53 − 1. */
export function exactlyStorableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= 1e-130 && magnitude <= Number.MAX_SAFE_INTEGER);
}

/**
 * The first number in a trait's value (itself, or in its lists and maps) that
 * the profile could not store and read back as it is. DynamoDB takes
 * magnitudes up to 9.99e125, but an integer past 2^53 − 1 in a JSON number
 * has already lost its last digits: a profile attribute that other events,
 * conditions and increments read would be another number than the one sent.
 */
function inexactNumber(value: unknown): number | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'number' && !exactlyStorableNumber(next)) return next;
    if (typeof next === 'object' && next !== null) stack.push(...Object.values(next));
  }
  return undefined;
}

/**
 * Splits an event's traits into those the profile keeps and those it does
 * not, each with the reason: at most MAX_TRAITS_PER_EVENT traits, each within
 * traitProblem's limits, a reserved one (email, phone, timezone, locale) with
 * a value of its kind.
 */
export function splitTraits(traits: Readonly<Record<string, unknown>>): {
  kept: [string, unknown][];
  dropped: { trait: string; reason: string }[];
} {
  const kept: [string, unknown][] = [];
  const dropped: { trait: string; reason: string }[] = [];
  // The reserved traits first: an address or an opt-out is never the one left out for the count.
  const entries = Object.entries(traits);
  const ordered = [
    ...entries.filter(([trait]) => INSTRUCTION_TRAITS.has(trait)),
    ...entries.filter(([trait]) => !INSTRUCTION_TRAITS.has(trait)),
  ];
  for (const [trait, value] of ordered) {
    const problem = traitProblem(trait, value) ?? reservedTraitProblem(trait, value);
    if (problem !== undefined) dropped.push({ trait, reason: problem });
    else if (kept.length >= MAX_TRAITS_PER_EVENT) {
      dropped.push({ trait, reason: `an event sets at most ${MAX_TRAITS_PER_EVENT} traits` });
    } else kept.push([trait, value]);
  }
  return { kept, dropped };
}
