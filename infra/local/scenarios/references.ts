import * as z from 'zod';
import { formatPath } from '#shared/journey/violations.ts';
import { dataNameProblems } from './data-names.ts';
import { eventNameProblems } from './event-names.ts';
import type { JourneyJson } from './journey-files.ts';
import { emptyRanges } from './ranges.ts';
import type { Expectation, Scenario } from './scenario.ts';
import { overrideProblems } from './settings-overrides.ts';
import { resolveWhen } from './when.ts';

/**
 * What a scenario names against what it has: its journeys' steps, variants
 * and templates, and its own customers. A misspelt name would otherwise run
 * for seconds and fail as "no such message was sent" — or pass, for a
 * `notThrough`, a `noMessage` or a share between 0 and 1. Pure: the caller
 * reads the journey files.
 */

/** One wrong name: where in the scenario (a JSON path) and why. */
export type ReferenceProblem = { path: string; message: string };

const Variant = z.object({ name: z.string(), next: z.string(), weight: z.number().optional() }).loose();
const Step = z
  .object({
    type: z.string().optional(),
    template: z.string().optional(),
    fallback: z.array(z.object({ channel: z.string().optional(), template: z.string() }).loose()).optional(),
    variants: z.array(Variant).optional(),
  })
  .loose();
const Steps = z.object({ steps: z.record(z.string(), z.unknown()) }).loose();

/** What one journey offers to be named. */
type Names = {
  steps: Set<string>;
  /** Template name → the channels it is sent on (`*`: any, once a deploy edits a step's channel). */
  templates: Map<string, Set<string>>;
  /** Variant name → the split and the step it leads to. */
  variants: Map<string, { split: string; next: string }>;
  /** Step id → its type; a split's variants by name, with their weights. */
  types: Map<string, string>;
  splits: Map<string, Map<string, number>>;
};

function addTemplate(names: Names, template: string, channel = '*'): void {
  const channels = names.templates.get(template) ?? new Set<string>();
  channels.add(channel);
  names.templates.set(template, channels);
}

/** The templates of a message step and of its fallbacks, each with its channel. */
function addStepTemplates(names: Names, value: unknown, anyChannel = false): void {
  const step = Step.safeParse(value).data;
  if (step?.template !== undefined) addTemplate(names, step.template, anyChannel ? '*' : step.type);
  for (const f of step?.fallback ?? []) addTemplate(names, f.template, anyChannel ? '*' : f.channel);
}

function namesOf(journey: JourneyJson): Names {
  const names: Names = {
    steps: new Set(),
    templates: new Map(),
    variants: new Map(),
    types: new Map(),
    splits: new Map(),
  };
  const steps = Steps.safeParse(journey).data?.steps ?? {};
  for (const [id, value] of Object.entries(steps)) {
    names.steps.add(id);
    addStepTemplates(names, value);
    const step = Step.safeParse(value).data;
    if (step?.type !== undefined) names.types.set(id, step.type);
    if (step?.type === 'split')
      names.splits.set(id, new Map((step.variants ?? []).map((v) => [v.name, v.weight ?? 0])));
    for (const v of step?.variants ?? []) names.variants.set(v.name, { split: id, next: v.next });
  }
  return names;
}

/** Steps and templates a `deploy` event's `set` adds (`steps.<id>.…`, `….template`). */
function addDeployed(names: Names, set: Readonly<Record<string, unknown>>): void {
  for (const [path, value] of Object.entries(set)) {
    const [head, id] = path.split('.');
    if (head === 'steps' && id !== undefined) names.steps.add(id);
    if (path === 'steps' && typeof value === 'object' && value !== null)
      for (const key of Object.keys(value)) names.steps.add(key);
    if (typeof value === 'string' && path.endsWith('.template')) addTemplate(names, value);
    // An edit may change a step's channel: its templates may then go out on any.
    if (path.endsWith('.type') || path.includes('.fallback'))
      for (const channels of names.templates.values()) channels.add('*');
    if (typeof value === 'object' && value !== null) addStepTemplates(names, value, true);
  }
}

const LISTED = 12;

function listOf(names: Iterable<string>): string {
  const all = [...names];
  const shown = all.slice(0, LISTED).join(', ');
  return all.length > LISTED ? `${shown}, …` : shown || 'none';
}

/**
 * Every name a scenario uses that nothing answers to, with its JSON path.
 * `journeys` holds the scenario's journeys by id, or why one cannot be read.
 */
export function checkReferences(
  scenario: Scenario,
  journeys: ReadonlyMap<string, JourneyJson | string>,
  templates: readonly string[] = [],
): ReferenceProblem[] {
  const refs = new Referee(scenario);
  scenario.journeys.forEach((id, i) => {
    const journey = journeys.get(id) ?? `no journey "${id}"`;
    if (typeof journey === 'string') refs.problems.push({ path: `journeys[${i}]`, message: journey });
    else refs.byJourney.set(id, namesOf(journey));
  });
  for (const id of Object.keys(scenario.settings ?? {})) refs.journey(id, `settings.${id}`);
  scenario.events.forEach((event, i) => {
    if ('deploy' in event) {
      const names = refs.journey(event.deploy, `events[${i}].deploy`);
      if (names !== undefined) addDeployed(names, event.set ?? {});
    }
  });
  scenario.customers.forEach((customer, i) => {
    for (const [split, variant] of Object.entries(customer.variants ?? {}))
      refs.pin(split, variant, `customers[${i}].${formatPath(['variants', split])}`);
  });
  scenario.events.forEach((event, i) => {
    if ('user' in event) refs.user(event.user, `events[${i}].user`);
    if ('opens' in event) refs.template(event.opens, `events[${i}].opens`, 'email');
    if ('clicks' in event) refs.template(event.clicks, `events[${i}].clicks`, 'email');
  });
  scenario.expect.forEach((expectation, i) => {
    checkExpectation(refs, expectation, `expect[${i}]`);
  });
  return [
    ...sharedIds(scenario),
    ...refs.problems,
    ...eventNameProblems(scenario, journeys),
    ...dataNameProblems(scenario, journeys, templates),
    ...overrideProblems(scenario, journeys),
    ...beforeStart(scenario),
    ...emptyRanges(scenario),
  ];
}

const ONE_PROFILE = 'their identifies would make one profile; give each an id of its own';

/**
 * Customers that go by one id — declared twice, or named like a member
 * `<id>-<n>` of a cohort: their identifies would merge into one profile, and
 * every expectation on the id would read both.
 */
function sharedIds(scenario: Scenario): ReferenceProblem[] {
  const declared = new Map<string, number>();
  const memberOf = new Map<string, number>();
  const out: ReferenceProblem[] = [];
  const kind = (i: number) => (scenario.customers[i]?.count === undefined ? 'customer' : 'cohort');
  const cohort = (j: number) =>
    `cohort "${scenario.customers[j]?.id}" (customers[${j}], count ${scenario.customers[j]?.count})`;
  scenario.customers.forEach(({ id, count }, i) => {
    const members = Array.from({ length: count ?? 0 }, (_, n) => `${id}-${n}`);
    const twice = declared.get(id);
    const asMember = memberOf.get(id);
    const member = members.find((m) => declared.has(m));
    let message: string | undefined;
    if (twice !== undefined)
      message = `${kind(i)} "${id}" is declared twice (customers[${twice}] and customers[${i}])`;
    else if (asMember !== undefined) message = `${kind(i)} "${id}" is a member of ${cohort(asMember)}`;
    else if (member !== undefined)
      message = `cohort "${id}" (count ${count}) has a member "${member}", declared as customers[${declared.get(member)}]`;
    if (message !== undefined)
      out.push({ path: `customers[${i}].id`, message: `${message}: ${ONE_PROFILE}` });
    if (twice === undefined) declared.set(id, i);
    for (const m of members) if (!memberOf.has(m)) memberOf.set(m, i);
  });
  return out;
}

/**
 * Events written at an instant before the scenario's start: the clock starts
 * there and never goes back, so such an event would be played at the start,
 * its timeline saying it happened then.
 */
function beforeStart(scenario: Scenario): ReferenceProblem[] {
  const startMs = Date.parse(scenario.start);
  const out: ReferenceProblem[] = [];
  scenario.events.forEach((event, i) => {
    // A malformed instant is the schema's to report.
    const at = (() => {
      try {
        return resolveWhen(event.at, startMs);
      } catch {
        return undefined;
      }
    })();
    if (at !== undefined && at < startMs)
      out.push({
        path: `events[${i}].at`,
        message: `${event.at} is before the scenario's start (${scenario.start}): journey time begins there and never goes back; start the scenario earlier or write the event later`,
      });
  });
  return out;
}

function checkExpectation(refs: Referee, expectation: Expectation, at: string): void {
  if ('message' in expectation) {
    const e = expectation.message;
    refs.user(e.user, `${at}.message.user`);
    if (e.journey !== undefined) refs.journey(e.journey, `${at}.message.journey`);
    refs.template(e.template, `${at}.message.template`, e.channel);
  } else if ('noMessage' in expectation) {
    const e = expectation.noMessage;
    refs.user(e.user, `${at}.noMessage.user`);
    if (e.journey !== undefined) refs.journey(e.journey, `${at}.noMessage.journey`);
    refs.template(e.template, `${at}.noMessage.template`, e.channel);
  } else if ('path' in expectation) {
    const e = expectation.path;
    refs.user(e.user, `${at}.path.user`);
    const within = refs.scope(e.journey, `${at}.path.journey`);
    for (const key of ['through', 'notThrough'] as const) {
      for (const [j, id] of (e[key] ?? []).entries()) refs.step(id, within, `${at}.path.${key}[${j}]`);
    }
  } else if ('outcome' in expectation) {
    const e = expectation.outcome;
    refs.user(e.user, `${at}.outcome.user`);
    const within = refs.scope(e.journey, `${at}.outcome.journey`);
    if (e.at !== undefined) refs.step(e.at, within, `${at}.outcome.at`);
  } else if ('trait' in expectation) refs.user(expectation.trait.user, `${at}.trait.user`);
  else if ('skipped' in expectation) {
    const e = expectation.skipped;
    refs.user(e.user, `${at}.skipped.user`);
    if (e.journey !== undefined) refs.journey(e.journey, `${at}.skipped.journey`);
  } else if ('share' in expectation) {
    refs.cohort(expectation.share.cohort, `${at}.share.cohort`);
    refs.step(expectation.share.through, refs.all(), `${at}.share.through`);
  }
}

/** Checks one kind of name at a time, collecting the problems. */
class Referee {
  readonly problems: ReferenceProblem[] = [];
  readonly byJourney = new Map<string, Names>();
  private readonly customers: { declared: string[]; ids: Set<string> };

  constructor(private readonly scenario: Scenario) {
    this.customers = customerIds(scenario);
  }

  all(): Names[] {
    return [...this.byJourney.values()];
  }

  /** A journey the scenario names elsewhere must be one it deploys. */
  journey(id: string, path: string): Names | undefined {
    const { journeys } = this.scenario;
    if (!journeys.includes(id))
      this.problems.push({
        path,
        message: `"${id}" is not one of the scenario's journeys (${listOf(journeys)})`,
      });
    return this.byJourney.get(id);
  }

  /** The journeys a step name is looked up in: the one named, else all of the scenario's. */
  scope(journey: string | undefined, path: string): Names[] {
    if (journey === undefined) return this.all();
    const names = this.journey(journey, path);
    return names === undefined ? [] : [names];
  }

  user(id: string, path: string): void {
    if (this.customers.ids.has(id)) return;
    const declared = listOf(this.customers.declared);
    this.problems.push({
      path,
      message: `no customer "${id}": declare it in customers (they are ${declared})`,
    });
  }

  cohort(id: string, path: string): void {
    if (this.customers.declared.includes(id)) return;
    const declared = listOf(this.customers.declared);
    this.problems.push({
      path,
      message: `no customer or cohort "${id}" in customers (they are ${declared})`,
    });
  }

  step(id: string, within: readonly Names[], path: string): void {
    if (within.length === 0 || within.some((n) => n.steps.has(id))) return;
    const variant = within.map((n) => n.variants.get(id)).find((v) => v !== undefined);
    this.problems.push({
      path,
      message:
        variant === undefined
          ? `no step "${id}" (the steps are ${listOf(within.flatMap((n) => [...n.steps]))})`
          : `"${id}" is a variant of split "${variant.split}", not a step: name the step it leads to, "${variant.next}"`,
    });
  }

  /**
   * A pinned variant: a split of some journey of the scenario, and in every
   * journey with a split of that id a variant of that name some customers can get.
   */
  pin(split: string, variant: string, path: string): void {
    const all = this.all();
    const splits = all.flatMap((n) => {
      const variants = n.splits.get(split);
      return variants === undefined ? [] : [variants];
    });
    if (all.length === 0) return;
    if (splits.length === 0) {
      const type = all.map((n) => n.types.get(split)).find((t) => t !== undefined);
      const known = listOf(new Set(all.flatMap((n) => [...n.splits.keys()])));
      this.problems.push({
        path,
        message:
          type === undefined
            ? `no split "${split}" in the scenario's journeys (the splits are ${known})`
            : `"${split}" is ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} step, not a split (the splits are ${known})`,
      });
      return;
    }
    for (const variants of splits) {
      const weight = variants.get(variant);
      if (weight === undefined)
        this.problems.push({
          path,
          message: `split "${split}" has no variant "${variant}" (its variants are ${listOf(variants.keys())})`,
        });
      else if (weight <= 0)
        this.problems.push({
          path,
          message: `variant "${variant}" of split "${split}" has weight 0: no customer can get it`,
        });
      else continue;
      return;
    }
  }

  /** A template a message of the scenario's journeys uses, on `channel` when given. */
  template(name: string | undefined, path: string, channel?: string): void {
    const all = this.all();
    if (name === undefined || all.length === 0) return;
    const channels = new Set(all.flatMap((n) => [...(n.templates.get(name) ?? [])]));
    if (channels.size === 0) {
      const sent = listOf(new Set(all.flatMap((n) => [...n.templates.keys()])));
      this.problems.push({
        path,
        message: `no journey of the scenario sends template "${name}" (they send ${sent})`,
      });
    } else if (channel !== undefined && !channels.has(channel) && !channels.has('*'))
      this.problems.push({
        path,
        message: `template "${name}" is sent by ${listOf(channels)}, never by ${channel}`,
      });
  }
}

/** The ids a scenario's customers go by: each id, and each member `<id>-<n>` of a cohort. */
function customerIds(scenario: Scenario): { declared: string[]; ids: Set<string> } {
  const ids = new Set<string>();
  for (const c of scenario.customers) {
    ids.add(c.id);
    for (let n = 0; n < (c.count ?? 0); n++) ids.add(`${c.id}-${n}`);
  }
  return { declared: scenario.customers.map((c) => c.id), ids };
}
