import { CHANNELS } from '../../channels.ts';
import { pathSegments } from '../../conditions/path.ts';
import type { Condition } from '../../conditions/schema.ts';
import { IdentifyEvent, TrackEvent } from '../../events.ts';
import { ChannelConsent, EventCounter, Profile } from '../../profile/profile.ts';
import { edgesOf, reachableFrom } from '../graph.ts';
import { copiedValues, valueGroups } from '../requirements.ts';
import { type Violation, violation } from '../violations.ts';
import { journeyConditions } from './conditions.ts';
import type { CheckContext } from './context.ts';

/** The fields of a track event: an awaited, goal or exit event, and an event trigger. */
export const TRACK_FIELDS: ReadonlySet<string> = new Set(Object.keys(TrackEvent.shape));
// An identify call refuses `event` and `properties`: its data is its traits.
const IDENTIFY_FIELDS: ReadonlySet<string> = new Set(
  Object.keys(IdentifyEvent.shape).filter((field) => field !== 'event' && field !== 'properties'),
);
/** The profile's fields, an event counter's (`profile.events.<name>.*`) and a channel consent's. */
const PROFILE_FIELDS: ReadonlySet<string> = new Set(Object.keys(Profile.shape));
const COUNTER_FIELDS: readonly string[] = Object.keys(EventCounter.shape);
const CONSENT_FIELDS: readonly string[] = Object.keys(ChannelConsent.shape);
const CONSENT_CHANNELS: readonly string[] = CHANNELS;

/** What `event.*` is where a condition sits: an event of a kind, or none at all (and why). */
type EventSeen = { kind: 'track' | 'identify'; what: string; data: string } | { kind: 'none'; why: string };

const AWAITED_OR_ENDING = (what: string): EventSeen => ({ kind: 'track', what, data: 'event.properties.*' });

/** A path the journey reads, where it is written, and which event `event.*` is there. */
type Read = { at: PropertyKey[]; path: string; event: () => EventSeen };

/**
 * `event.*` and `profile.*` paths name a field the event or the profile can
 * have, wherever the journey reads one: conditions, the correlation key, a
 * `match`, copied values, the goal's value and an `untilDate`. A path that
 * cannot (`event.total` for `event.properties.total`, `profile.plan` for
 * `profile.traits.plan`, `event.*` in a segment's condition or in a branch no
 * awaited event reaches, `event.properties` of an identify call) never has a
 * value, whatever customers do: a condition on it is never true (`ne` always
 * is), a correlation or a goal value is never there, and an awaited event
 * whose copy it is never answers the wait — the journey runs otherwise than
 * written, without a word.
 */
export function checkConditionFields(context: CheckContext): Violation[] {
  return journeyReads(context).flatMap(({ at, path, event }) => {
    const [root, field = ''] = pathSegments(path);
    if (root === 'profile') {
      const problem = profileProblem(path);
      return problem === undefined ? [] : [violation(at, 'condition.field', problem)];
    }
    if (root !== 'event') return [];
    const seen = event();
    if (seen.kind === 'none')
      return [violation(at, 'condition.field', `${seen.why}: "${path}" never has a value here.`)];
    const fields = seen.kind === 'track' ? TRACK_FIELDS : IDENTIFY_FIELDS;
    if (fields.has(field)) return [];
    return [
      violation(
        at,
        'condition.field',
        `${seen.what} has no "${field}", so "${path}" never has a value: its data is ${seen.data}.`,
      ),
    ];
  });
}

/** Every path the journey reads, with where it is written and what `event.*` is there. */
function journeyReads(context: CheckContext): Read[] {
  const afterAnEvent = stepsAfterAnEvent(context);
  const reads: Read[] = journeyConditions(context).flatMap(({ at, condition }) =>
    'path' in condition
      ? [{ at: [...at, 'path'], path: condition.path, event: () => eventAt(context, at, afterAnEvent) }]
      : [],
  );
  const { trigger, goal, steps } = context;
  const awaited =
    (what = 'The awaited event') =>
    () =>
      AWAITED_OR_ENDING(what);
  if (trigger?.type === 'event' && trigger.correlationKey !== undefined)
    reads.push({
      at: ['trigger', 'correlationKey'],
      path: trigger.correlationKey,
      event: awaited(`The trigger event "${trigger.event}"`),
    });
  if (goal?.value !== undefined)
    reads.push({ at: ['goal', 'value'], path: goal.value, event: awaited('The goal event') });
  for (const [id, step] of Object.entries(steps)) {
    if (step.type === 'waitForEvent')
      for (const key of Object.keys(step.match ?? {}))
        reads.push({
          at: ['steps', id, 'match', key],
          path: key,
          event: awaited(`The awaited "${step.event}" event`),
        });
    if (step.type === 'wait' && step.untilDate !== undefined)
      reads.push({ at: ['steps', id, 'untilDate', 'path'], path: step.untilDate.path, event: awaited() });
    for (const copy of copiedValues(step))
      reads.push({ at: ['steps', id, ...copy.at, 'from'], path: copy.from, event: awaited() });
  }
  return reads;
}

/** Why a `profile.*` path can never have a value, or undefined when it can. */
function profileProblem(path: string): string | undefined {
  const [, field = '', name, inner] = pathSegments(path);
  if (!PROFILE_FIELDS.has(field)) {
    const fields = [...PROFILE_FIELDS].join(', ');
    return `A profile has no "${field}", so "${path}" never has a value: traits are profile.traits.* (profile.traits.${field}); a profile holds ${fields}.`;
  }
  if (field === 'events' && inner !== undefined && !COUNTER_FIELDS.includes(inner))
    return `The history of an event keeps ${listed(COUNTER_FIELDS)} ("profile.events.${name}.last"), not "${inner}": "${path}" never has a value.`;
  if (field === 'consent' && name !== undefined && !CONSENT_CHANNELS.includes(name))
    return `Consent is kept per channel (${listed(CONSENT_CHANNELS)}), not "${name}": "${path}" never has a value.`;
  if (field === 'consent' && inner !== undefined && !CONSENT_FIELDS.includes(inner))
    return `A channel's consent keeps ${listed(CONSENT_FIELDS)} ("profile.consent.${name}.status"), not "${inner}": "${path}" never has a value.`;
  return undefined;
}

function listed(names: readonly string[]): string {
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** What `event.*` is for the condition at `at` (its first segments say whose condition it is). */
function eventAt(
  context: CheckContext,
  at: readonly PropertyKey[],
  afterAnEvent: ReadonlySet<string>,
): EventSeen {
  const [owner, stepId] = at;
  if (owner === 'trigger' || owner === 'audience') {
    const trigger = context.trigger;
    if (trigger === undefined || trigger.type === 'event')
      return {
        kind: 'track',
        what: `The trigger event${trigger ? ` "${trigger.event}"` : ''}`,
        data: 'event.properties.*',
      };
    if (trigger.type === 'identify')
      return { kind: 'identify', what: 'The trigger, an identify call,', data: 'event.traits.*' };
    return { kind: 'none', why: 'This journey starts from a scheduled segment, with no event' };
  }
  if (owner === 'goal') return AWAITED_OR_ENDING('The goal event');
  if (owner === 'exitOn') return AWAITED_OR_ENDING('The exit event');
  const step =
    typeof stepId === 'string' && Object.hasOwn(context.steps, stepId) ? context.steps[stepId] : undefined;
  if (step?.type === 'waitForEvent') return AWAITED_OR_ENDING(`The awaited "${step.event}" event`);
  if (typeof stepId === 'string' && !afterAnEvent.has(stepId))
    return {
      kind: 'none',
      why: "No waitForEvent's onEvent leads to this step, so it has no awaited event (event.* is the event a waitForEvent received)",
    };
  return AWAITED_OR_ENDING('The awaited event');
}

/**
 * The steps some path reaches through a waitForEvent's `onEvent`: only there
 * does `event.*` hold an event. Without a start (reported on its own), every step.
 */
function stepsAfterAnEvent(context: CheckContext): ReadonlySet<string> {
  const { start, steps } = context;
  if (start === undefined) return new Set(Object.keys(steps));
  const after = new Set<string>();
  for (const id of reachableFrom(start, steps)) {
    const step = steps[id];
    if (step?.type !== 'waitForEvent') continue;
    for (const edge of edgesOf(step)) {
      if (edge.field[0] === 'onEvent') for (const next of reachableFrom(edge.to, steps)) after.add(next);
    }
  }
  return after;
}

/** The roots a path starts with: text that reads as one is most likely meant as a path. */
const PATH_ROOTS = /^(profile|event|trigger|context)\.[^\s]/;

/**
 * A comparison's operand that reads like a path (`"eq": "trigger.properties.plan"`)
 * is compared as that text: conditions compare a path with literal values, and
 * no customer's plan is the text "trigger.properties.plan". A warning: the
 * text could be meant. A `waitForEvent` correlates with the trigger by `match`.
 */
export function literalPathWarnings(context: CheckContext): Violation[] {
  return journeyConditions(context).flatMap(({ at, condition }) => {
    if (!('path' in condition)) return [];
    return operandTexts(condition).flatMap(({ key, text }) => {
      if (!PATH_ROOTS.test(text)) return [];
      const match = at[0] === 'steps' && context.steps[String(at[1])]?.type === 'waitForEvent';
      const hint = match
        ? ` To compare the awaited event with the trigger, write "match": { "${condition.path}": "${text}" } on the step.`
        : ' A condition compares a path with values written in the journey, never with another path.';
      return [
        violation(
          [...at, key],
          'condition.literal',
          `${JSON.stringify(text)} is compared as text, not read as a path: this holds only for a value that is those very characters.${hint}`,
        ),
      ];
    });
  });
}

/**
 * A value a step sends or sets that reads like a path (`"order": "trigger.properties.orderId"`
 * in an emit, a profile or context update, a webhook body or query) is sent as that text:
 * a copy is written `{ "from": … }`. A warning: the text could be meant.
 */
export function literalValueWarnings({ steps }: CheckContext): Violation[] {
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    const groups = valueGroups(step);
    for (const [field, values] of groups)
      for (const [key, value] of Object.entries(values ?? {}))
        if (typeof value === 'string' && PATH_ROOTS.test(value))
          out.push(
            violation(
              ['steps', id, field, key],
              'condition.literal',
              `${JSON.stringify(value)} is written as that text, not copied from that path: to copy the value, write { "from": ${JSON.stringify(value)} }.`,
            ),
          );
  }
  return out;
}

/** The text operands of a comparison, by operator. */
function operandTexts(condition: Condition): { key: string; text: string }[] {
  const out: { key: string; text: string }[] = [];
  for (const [key, operand] of Object.entries(condition)) {
    if (key === 'path') continue;
    if (typeof operand === 'string') out.push({ key, text: operand });
    if (Array.isArray(operand))
      for (const item of operand) if (typeof item === 'string') out.push({ key, text: item });
  }
  return out;
}
