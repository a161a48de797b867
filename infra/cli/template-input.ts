import { join, resolve } from 'node:path';
import type { DataSource } from '#infra/local/runtime/data.ts';
import { zoneOf } from '#shared/delivery/policy.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { Profile } from '#shared/profile/profile.ts';
import { profileVariables } from '#shared/template-preview.ts';
import { parseTemplateShape } from '#shared/template-shape.ts';
import {
  checkTemplateSyntax,
  describeTemplateProblem,
  type Template,
  type TemplateContext,
} from '#shared/templates.ts';
import { parseJsonOption, readJsonFile } from './files.ts';
import { journeyFor, previewContext } from './preview-context.ts';

/**
 * What `preview` and `send-test` render a template with: a stored customer
 * (or none), a sample trigger, a sample awaited event when given, and — when
 * `journeys/<journey>.json` exists — the context an enrollment of that
 * journey starts with.
 */

export type TemplateInputOptions = {
  customer?: string;
  trigger?: string;
  /** The awaited event, as JSON: what `event.*` reads in a message after a waitForEvent. */
  event?: string;
  journey: string;
  journeysDir: string;
  /** Context values as JSON: what later steps set (updateContext, a webhook's answer). */
  context?: string;
  /** Default: `templates/` in the journeys folder, the templates a deploy of it sends. */
  templatesDir?: string;
  dataDir: string;
  endpoint?: string;
  aws?: boolean;
  profilesTable?: string;
  region?: string;
};

/** The template `name` of the templates folder the options give: `--templates-dir`, else the journeys folder's. */
export async function loadTemplate(
  options: Pick<TemplateInputOptions, 'templatesDir' | 'journeysDir'>,
  name: string,
): Promise<Template | string> {
  const dir = options.templatesDir ?? join(options.journeysDir, 'templates');
  const file = join(resolve(dir), `${name}.json`);
  const json = await readJsonFile(file);
  if (!json.ok) return `${file}: ${json.message}`;
  const template = parseTemplateShape(json.value);
  if (!template.ok) return `${file}: not a valid template: ${template.problems.join('; ')}`;
  // Every field whose Liquid does not parse, named as `journeys validate` names it, rather than the first alone without its field.
  const broken = checkTemplateSyntax(template.template).filter((p) => p.kind === 'syntax');
  if (broken.length > 0)
    return `${file}: ${broken.map((p) => `${p.field}: ${describeTemplateProblem(p)}`).join('; ')}`;
  return template.template;
}

/** An option's JSON, given inline or as `@file.json`; a problem names the option or the file. */
async function jsonOption(name: string, option: string): Promise<unknown> {
  const json = option.startsWith('@') ? await readJsonFile(option.slice(1)) : parseJsonOption(name, option);
  if (!json.ok)
    throw new Error(option.startsWith('@') ? `${option.slice(1)}: ${json.message}` : json.message);
  return json.value;
}

/** The sample trigger: as given, or an event with no properties (named as the journey's trigger when known). */
async function triggerOf(option: string | undefined, journey: Journey | undefined): Promise<unknown> {
  if (option !== undefined) return jsonOption('--trigger', option);
  const event = journey?.trigger.type === 'event' ? journey.trigger.event : 'Preview';
  return { type: 'track', event, properties: {} };
}

function sourceOf(options: TemplateInputOptions): DataSource {
  if (!options.aws) return { kind: 'local', dataDir: resolve(options.dataDir), endpoint: options.endpoint };
  return { kind: 'aws', tables: { profiles: options.profilesTable }, region: options.region };
}

/** The template context and notes on it, or why there is none (an unknown customer, a bad journey file). */
export async function templateContext(
  options: TemplateInputOptions,
): Promise<{ context: TemplateContext; notes: string[]; zone: PreviewZone; profile: Profile } | string> {
  let profile = Profile.parse({ userId: 'test' });
  if (options.customer !== undefined) {
    // Loaded on use: every command starts faster without the SDK clients it does not need.
    const { readProfile } = await import('#infra/local/inspect/customers.ts');
    const stored = await readProfile(sourceOf(options), options.customer);
    if (stored === undefined) {
      return `no customer "${options.customer}" in ${options.aws ? 'the profiles table' : 'the local data'}`;
    }
    profile = stored;
  }
  const journey = await journeyFor(options.journeysDir, options.journey);
  if (typeof journey === 'string') return journey;
  const trigger = await triggerOf(options.trigger, journey);
  const overrides =
    options.context === undefined ? undefined : await jsonOption('--context', options.context);
  if (journey === undefined && overrides !== undefined)
    return `--context needs a journey that declares it: no ${options.journey}.json in ${options.journeysDir}`;
  const context = journey === undefined ? undefined : previewContext(journey, trigger, overrides);
  if (typeof context === 'string') return context;
  const event = options.event === undefined ? undefined : await jsonOption('--event', options.event);
  const declares = context !== undefined && Object.keys(journey?.context ?? {}).length > 0;
  return {
    context: {
      profile: profileVariables(profile),
      trigger,
      // Set only when given: without it a read of event.* is named as missing, as a send before any awaited event fails.
      ...(event === undefined ? {} : { event }),
      ...(declares ? { context: Object.fromEntries(context.values) } : {}),
      journey: { id: options.journey },
      unsubscribeUrl: 'https://example.com/unsubscribe?preview',
    },
    notes: context?.notes ?? [],
    zone: zoneFor(profile, journey),
    profile,
  };
}

/** The time zone a message's dates print in, and why that one. */
export type PreviewZone = { name: string; why: string };

/** As the send times it: the customer's zone, else the journey's default, else UTC. */
function zoneFor(profile: Profile, journey: Journey | undefined): PreviewZone {
  const fallback = journey?.settings.defaultTimezone ?? 'UTC';
  const name = zoneOf(profile, fallback);
  if (name !== fallback || profile.timezone === name) return { name, why: "the customer's time zone" };
  return {
    name,
    why:
      journey === undefined
        ? 'the customer has no time zone'
        : `the customer has no time zone: the journey's default`,
  };
}

/** A missing variable as named to the user: one of the awaited event, without `--event`, says how to give it. */
export function missingNote(variable: string, event: string | undefined): string {
  if (event !== undefined || !(variable === 'event' || variable.startsWith('event.'))) return variable;
  return `${variable} (the awaited event of a message after a waitForEvent: give one with --event '{"properties": {…}}')`;
}
