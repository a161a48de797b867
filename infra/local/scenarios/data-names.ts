import * as z from 'zod';
import { closestField, formatPath } from '#shared/journey/violations.ts';
import type { JourneyJson } from './journey-files.ts';
import type { ReferenceProblem } from './references.ts';
import type { Scenario } from './scenario.ts';

/**
 * The properties a scenario's events carry and the traits its customers are
 * given, against the names its journeys and templates read. A property or a
 * trait nothing reads may be meant (a detail no step looks at), but one a slip
 * away from a name they do read — `cartid` for `cartId`, `firstname` for
 * `firstName` — is a typo: the branch, filter or message reading it would see
 * nothing, and a `noMessage` or a `notThrough` could pass on it. It is refused
 * with the name meant.
 */

/** Traits the product itself reads: the reserved ones, and the country a local phone number is read in. */
const PRODUCT_TRAITS = ['email', 'phone', 'timezone', 'locale', 'country'];

/** `properties.cartId`, `traits['utm.source']`, `traits["first name"]`: the kind and the name. */
const READ = /\b(properties|traits)(?:\.([A-Za-z_$][\w$-]*)|\[\s*(['"])(.*?)\3\s*\])/g;

type Known = { properties: Set<string>; traits: Set<string> };

/** Every property and trait name a text reads. */
function scan(text: string, into: Known): void {
  for (const m of text.matchAll(READ)) {
    const name = m[2] ?? m[4];
    if (name === undefined) continue;
    (m[1] === 'properties' ? into.properties : into.traits).add(name);
  }
}

/** Every string of a JSON value, keys included (a `match` reads paths in its keys). */
function strings(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (typeof value === 'object' && value !== null)
    for (const [key, inner] of Object.entries(value)) {
      out.push(key);
      strings(inner, out);
    }
  return out;
}

const UpdateProfile = z
  .object({
    type: z.literal('updateProfile'),
    set: z.record(z.string(), z.unknown()).optional(),
    increment: z.record(z.string(), z.unknown()).optional(),
    unset: z.array(z.string()).optional(),
  })
  .loose();
const Steps = z.object({ steps: z.record(z.string(), z.unknown()) }).loose();

/** The traits the journeys' profile updates write, and those the scenario gives its customers itself. */
function written(scenario: Scenario, journeys: ReadonlyMap<string, JourneyJson | string>): string[] {
  const out: string[] = [];
  for (const id of scenario.journeys) {
    const journey = journeys.get(id);
    const steps = typeof journey === 'string' ? {} : (Steps.safeParse(journey).data?.steps ?? {});
    for (const step of Object.values(steps)) {
      const update = UpdateProfile.safeParse(step).data;
      if (update !== undefined)
        out.push(
          ...Object.keys(update.set ?? {}),
          ...Object.keys(update.increment ?? {}),
          ...(update.unset ?? []),
        );
    }
  }
  for (const c of scenario.customers) out.push(...Object.keys(c.traits ?? {}));
  for (const event of scenario.events) if ('identify' in event) out.push(...Object.keys(event.identify));
  return out;
}

/** A template file's strings (its Liquid with quotes unescaped), or its text when it is not JSON. */
function templateStrings(text: string): string[] {
  try {
    return strings(JSON.parse(text), []);
  } catch {
    return [text];
  }
}

/**
 * `templates`: the texts of the templates the journeys may send (raw JSON), whose Liquid reads
 * traits and trigger properties too.
 */
export function dataNameProblems(
  scenario: Scenario,
  journeys: ReadonlyMap<string, JourneyJson | string>,
  templates: readonly string[],
): ReferenceProblem[] {
  const known: Known = { properties: new Set(), traits: new Set(PRODUCT_TRAITS) };
  for (const id of scenario.journeys) {
    const journey = journeys.get(id);
    if (journey !== undefined && typeof journey !== 'string')
      for (const s of strings(journey, [])) scan(s, known);
  }
  for (const text of templates) for (const s of templateStrings(text)) scan(s, known);
  for (const event of scenario.events)
    if ('deploy' in event) for (const s of strings([event.set ?? {}], [])) scan(s, known);
  const out: ReferenceProblem[] = [];
  const check = (names: Iterable<string>, within: Set<string>, kind: string, at: readonly PropertyKey[]) => {
    for (const name of names) {
      if (within.has(name)) continue;
      const meant = closestField(name, within);
      if (meant !== undefined)
        out.push({
          path: formatPath([...at, name]),
          message: `no journey of the scenario nor its templates reads a ${kind} "${name}" (did you mean "${meant}"?); names are compared as written, letter case included`,
        });
    }
  };
  scenario.customers.forEach((c, i) => {
    check(Object.keys(c.traits ?? {}), known.traits, 'trait', ['customers', i, 'traits']);
  });
  // What a trait expectation may name: also what updates set and what the scenario gives itself.
  const traits = new Set([...known.traits, ...written(scenario, journeys)]);
  scenario.expect.forEach((e, i) => {
    if (!('trait' in e) || traits.has(e.trait.name)) return;
    const meant = closestField(e.trait.name, traits);
    if (meant !== undefined)
      out.push({
        path: formatPath(['expect', i, 'trait', 'name']),
        message: `no journey of the scenario nor its templates reads or sets a trait "${e.trait.name}", nor does the scenario give one (did you mean "${meant}"?); names are compared as written, letter case included`,
      });
  });
  scenario.events.forEach((event, i) => {
    if ('track' in event)
      check(Object.keys(event.properties ?? {}), known.properties, 'property', ['events', i, 'properties']);
    if ('identify' in event)
      check(Object.keys(event.identify), known.traits, 'trait', ['events', i, 'identify']);
  });
  return out;
}
