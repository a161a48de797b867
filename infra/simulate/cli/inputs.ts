import { basename, dirname, join } from 'node:path';
import * as z from 'zod';
import { readJsonFile, templatesDirFor } from '#infra/cli/files.ts';
import { JourneyChecker } from '#infra/cli/journey-files.ts';
import { reservedTraitProblem } from '#shared/ingest/reserved-traits.ts';
import { reservedKeyViolations } from '#shared/journey/reserved-keys.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { closestField, fieldNames, formatPath, fromZodIssues } from '#shared/journey/violations.ts';
import { jsonPositions, positionOf } from '#shared/json-text.ts';
import { Template } from '#shared/templates.ts';
import { Scenario } from '../scenario/spec.ts';

let fields: Set<string> | undefined;
/** The field names of simulation scenarios, made once a file has a problem: a misspelt one is named with the one meant. */
function scenarioFields(): Set<string> {
  fields ??= fieldNames(z.toJSONSchema(Scenario, { io: 'input' }));
  return fields;
}

/** `file:line:column: path: message`, as `journeys validate` and `journeys test` print a problem of a file. */
function placer(file: string, text: string): (path: string, message: string) => string {
  const positions = jsonPositions(text);
  return (path, message) => {
    const at = positionOf(positions, path);
    return `${file}${at === undefined ? '' : `:${at.line}:${at.column}`}: ${path}: ${message}`;
  };
}

/**
 * What a simulation reads from disk: the journey (validated as a deploy
 * would), the templates it sends, and the scenario. Every problem names the
 * file and the field.
 */

export type Inputs = { journey: Journey; templates: Map<string, Template>; scenario: Scenario };
export type Loaded = { ok: true; inputs: Inputs } | { ok: false; problems: string[] };

/** The scenario beside a journey: `simulations/<journey file name>` in the journey's folder. */
export function scenarioFileFor(journeyFile: string): string {
  return join(dirname(journeyFile), 'simulations', basename(journeyFile));
}

export async function loadInputs(
  journeyFile: string,
  scenarioFile: string,
  templatesDir?: string,
): Promise<Loaded> {
  const report = await new JourneyChecker(templatesDir).check(journeyFile);
  if (report.journey === undefined)
    return {
      ok: false,
      problems: report.violations.map((v) => `${journeyFile}: ${v.path || '(journey)'}: ${v.message}`),
    };
  const journey = report.journey;
  const problems: string[] = [];
  const templates = new Map<string, Template>();
  const dir = templatesDir ?? templatesDirFor(journeyFile);
  // Every template a message step can send: its own and its fallbacks'.
  const names = Object.values(journey.steps).flatMap((step) =>
    step.type === 'email' || step.type === 'sms' || step.type === 'push'
      ? [step.template, ...('fallback' in step ? (step.fallback ?? []).map((f) => f.template) : [])]
      : [],
  );
  for (const name of new Set(names)) {
    const file = join(dir, `${name}.json`);
    const json = await readJsonFile(file);
    const parsed = json.ok ? Template.safeParse(json.value) : undefined;
    if (!json.ok) problems.push(`${file}: ${json.message}`);
    else if (parsed?.success) templates.set(name, parsed.data);
    else problems.push(`${file}: not a valid template`);
  }
  const json = await readJsonFile(scenarioFile);
  if (!json.ok) {
    problems.push(`${scenarioFile}: ${json.message} (write a scenario there, or name one with --scenario)`);
    return { ok: false, problems };
  }
  const place = placer(scenarioFile, json.text);
  // Parsed as data, "__proto__" would become a prototype: the trait or property would silently be dropped.
  const reserved = reservedKeyViolations(json.value);
  if (reserved.length > 0) {
    problems.push(...reserved.map((v) => place(v.path, v.message)));
    return { ok: false, problems };
  }
  // Issues carry the input: a wrong value is named with what was given.
  const scenario = Scenario.safeParse(json.value, { reportInput: true });
  if (!scenario.success)
    problems.push(
      ...fromZodIssues(scenario.error.issues, [], scenarioFields()).map((v) =>
        place(v.path === '(journey)' ? '(scenario)' : v.path, v.message),
      ),
    );
  else if (journey.trigger.type !== 'event')
    problems.push(`${journeyFile}: trigger: only journeys triggered by an event can be simulated yet`);
  else if (journey.trigger.event !== scenario.data.entry.event)
    problems.push(
      place(
        'entry.event',
        `"${scenario.data.entry.event}" does not trigger ${journey.id} (it starts on "${journey.trigger.event}")`,
      ),
    );
  if (scenario.success)
    problems.push(
      ...unreadBehaviour(journey, scenario.data).map((p) => place(p.path, p.message)),
      ...customerValueProblems(scenario.data).map((p) => place(p.path, p.message)),
      ...generatorSlips(scenario.data).map((p) => place(p.path, p.message)),
    );
  if (problems.length > 0 || !scenario.success) return { ok: false, problems };
  return { ok: true, inputs: { journey, templates, scenario: scenario.data } };
}

type Problem = { path: string; message: string };

/** Event names a journey reads: its trigger, goal and exit events, waiting steps, and conditions. */
function eventsRead(journey: Journey): { names: Set<string>; paths: string[] } {
  const names = new Set<string>();
  if (journey.trigger.type === 'event') names.add(journey.trigger.event);
  if (journey.goal !== undefined) names.add(journey.goal.event);
  for (const exit of journey.exitOn ?? []) names.add(exit.event);
  const paths: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (typeof value === 'object' && value !== null)
      for (const [key, child] of Object.entries(value)) {
        if (
          typeof child === 'string' &&
          (key === 'performed' || (key === 'event' && value !== journey.trigger))
        )
          names.add(child);
        if (key === 'path' && typeof child === 'string' && child.startsWith('profile.events.'))
          paths.push(child);
        visit(child);
      }
  };
  visit(journey.steps);
  visit([journey.trigger, journey.audience, journey.goal, journey.exitOn]);
  return { names, paths };
}

/**
 * A behaviour event the journey never reads changes nothing in the forecast:
 * a misspelt goal ("Order Complete") would forecast no conversion at all.
 */
function unreadBehaviour(journey: Journey, scenario: Scenario): Problem[] {
  const { names, paths } = eventsRead(journey);
  const read = (event: string) =>
    names.has(event) || paths.some((p) => p.startsWith(`profile.events.${event}.`));
  return scenario.behaviour.flatMap((b, i) =>
    read(b.event)
      ? []
      : [
          {
            path: formatPath(['behaviour', i, 'event']),
            message: `"${b.event}" is an event ${journey.id} never reads, so it changes nothing in the forecast (the journey reads ${[...names].map((n) => `"${n}"`).join(', ')})`,
          },
        ],
  );
}

/**
 * Customers are played through ingest, which leaves out a time zone or reserved trait of the wrong
 * kind: the forecast would put them in the journey's default zone, or leave them unreachable,
 * while it reads as the scenario asked.
 */
function customerValueProblems(scenario: Scenario): Problem[] {
  // Always bracketed, as a name a zone or a value is: `customers.timezones["Europe/Rome"]`.
  const key = (name: string) => `[${JSON.stringify(name)}]`;
  const problems = Object.keys(scenario.customers.timezones).flatMap((zone) => {
    // An empty zone is "no value" to ingest: customers drawn with it would have none.
    const problem = reservedTraitProblem('timezone', zone) ?? (zone === '' ? 'must not be empty' : undefined);
    return problem === undefined ? [] : [{ path: `customers.timezones${key(zone)}`, message: problem }];
  });
  for (const [trait, values] of Object.entries(scenario.customers.traits))
    for (const text of Object.keys(values)) {
      const problem = reservedTraitProblem(trait, traitValue(text));
      if (problem !== undefined)
        problems.push({
          path: `${formatPath(['customers', 'traits', trait])}${key(text)}`,
          message: problem,
        });
    }
  return problems;
}

/** The keys that make a property's object a generator rather than a value taken as it is. */
const GENERATORS: ReadonlySet<string> = new Set(['uniform', 'pick', 'id', 'from']);

/**
 * A property written as an object of one key a slip away from a generator's
 * (`{ "unifrom": [15, 180] }`) is a value taken as it is: every event would
 * carry that object, and whatever reads the property would see no number.
 */
function generatorSlips(scenario: Scenario): Problem[] {
  const sets: [PropertyKey[], Record<string, unknown>][] = [
    [['entry', 'properties'], scenario.entry.properties],
    ...scenario.behaviour.map((b, i): [PropertyKey[], Record<string, unknown>] => [
      ['behaviour', i, 'properties'],
      b.properties,
    ]),
  ];
  return sets.flatMap(([at, properties]) =>
    Object.entries(properties).flatMap(([name, value]) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
      const keys = Object.keys(value);
      const [key] = keys;
      const near = keys.length === 1 && key !== undefined ? closestField(key, GENERATORS) : undefined;
      // A short key is a slip from too many words ("ip" from "id"): only its case may differ then.
      const meant =
        key !== undefined && key.length <= 3 && near?.toLowerCase() !== key.toLowerCase() ? undefined : near;
      return meant === undefined
        ? []
        : [
            {
              path: formatPath([...at, name, key ?? '']),
              message: `is not a generator (did you mean "${meant}"?): the property would be this object as it is, on every event`,
            },
          ];
    }),
  );
}

/** A trait value as the scenario writes it: JSON, or else the text itself. */
function traitValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
