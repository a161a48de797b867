import type { Channel } from '../../../shared/channels.ts';
import { reservedKeyViolations } from '../../../shared/journey/reserved-keys.ts';
import { JOURNEY_ID } from '../../../shared/journey/schema.ts';
import { fromZodIssues } from '../../../shared/journey/violations.ts';
import { mapActivity } from './activities.ts';
import { type ActivityContext, type ImportedJourney, noteUnread, type StepInput } from './context.ts';
import { StepIds, slugify, UNNAMED_JOURNEY } from './ids.ts';
import {
  mapAudience,
  mapEntryLimit,
  mapReentry,
  mapSettings,
  mapStatus,
  mapTrigger,
} from './journey-settings.ts';
import { refuseLoopsWithoutWayOut } from './loops.ts';
import { ImportLog, type ImportNote, type ImportProblem, pathOf } from './notes.ts';
import { reachableOnly } from './reachable.ts';
import { ACTIVITY_TYPES, type PinpointActivity, PinpointJourney } from './schema.ts';
import { looksLikeSegment, type SegmentCatalog, type SegmentResolver, segmentResolver } from './segments.ts';
import { convertTemplateExport, type TemplateExports } from './template-exports.ts';
import {
  type ImportedTemplate,
  placeholderTemplate,
  planTemplateNames,
  type TemplateUses,
  templateUses,
} from './templates.ts';

export type { ImportNote, ImportProblem } from './notes.ts';
export type { ImportedTemplate, TemplateUses } from './templates.ts';

/** The templates a set of Pinpoint journeys use, by name and channel (inputs that are not journeys add nothing). */
export function templateUsesOf(inputs: readonly unknown[]): TemplateUses {
  const uses = new Map<string, Set<Channel>>();
  for (const input of inputs) {
    const journey = isObject(input) && isObject(input.JourneyResponse) ? input.JourneyResponse : input;
    const parsed = PinpointJourney.safeParse(journey);
    if (parsed.success) templateUses(parsed.data.Activities, uses);
  }
  return uses;
}

export type ImportOptions = {
  /** The journey id (default: slugified from the Pinpoint journey name). */
  id?: string;
  /** The application's segments (aws pinpoint get-segments), so segment ids become profile conditions. */
  segments?: SegmentCatalog;
  /** The templates the other journeys imported with this one use, so each gets the same file in all. */
  templates?: TemplateUses;
  /** The application's templates (aws pinpoint get-email-template, …), so their content is carried over. */
  templateExports?: TemplateExports;
};

export type ImportResult =
  | {
      ok: true;
      journey: ImportedJourney;
      templates: ImportedTemplate[];
      notes: ImportNote[];
      /** The Pinpoint activity each step came from, by step id (the shared exit step has none). */
      activities: ReadonlyMap<string, string>;
    }
  | { ok: false; problems: ImportProblem[] };

/**
 * The Pinpoint activity a validation problem of an imported journey is about,
 * when its path is in a step (`steps.<id>…`) that came from one.
 */
export function activityOfPath(path: string, activities: ReadonlyMap<string, string>): string | undefined {
  const stepId = /^steps\.([A-Za-z0-9_-]+)/.exec(path)?.[1];
  return stepId === undefined ? undefined : activities.get(stepId);
}

const READ = [
  'Name',
  'Activities',
  'StartActivity',
  'StartCondition',
  'Schedule',
  'QuietTime',
  'Limits',
  'RefreshFrequency',
  'OpenHours',
  'ClosedDays',
  'SendingSchedule',
  'LocalTime',
  'WaitForQuietTime',
  'State',
];

/** By the export's field names: a Map, as a field named `toString` would otherwise find a function. */
const UNREAD: ReadonlyMap<string, string> = new Map(
  Object.entries({
    ApplicationId: 'Pinpoint metadata; not needed here.',
    Id: 'Pinpoint metadata; the journey id comes from the name (or --id).',
    CreationDate: 'Pinpoint metadata; git keeps the history.',
    LastModifiedDate: 'Pinpoint metadata; git keeps the history.',
    tags: 'Resource tags are set on the stack at deploy time, not in the journey.',
    RefreshOnSegmentUpdate: 'Segments are read on the trigger schedule only.',
    JourneyChannelSettings: 'Amazon Connect settings have no equivalent.',
    TimezoneEstimationMethods:
      "Customers' zones come from their profile (timezone trait), else settings.defaultTimezone.",
  }),
);

/**
 * Imports an Amazon Pinpoint journey (`JourneyResponse` as `aws pinpoint get-journey`
 * prints it, with or without the `JourneyResponse` wrapper, or a `WriteJourneyRequest`)
 * into the journey language. Returns the journey, the templates it references
 * (placeholder content, to be replaced), and a note for every Pinpoint field
 * mapped approximately or not brought over. Never throws.
 */
export function importPinpointJourney(input: unknown, options: ImportOptions = {}): ImportResult {
  const wrapped = isObject(input) && isObject(input.JourneyResponse);
  const prefix = wrapped ? ['JourneyResponse'] : [];
  // JSON keeps a "__proto__" key that every JavaScript reader drops: named, not lost.
  const reserved = reservedKeyViolations(input);
  if (reserved.length > 0)
    return { ok: false, problems: reserved.map(({ path, message }) => ({ path, message })) };
  // Issues carry the input, so a wrong type is reported with the value given, not as missing.
  const parsed = PinpointJourney.safeParse(wrapped && isObject(input) ? input.JourneyResponse : input, {
    reportInput: true,
  });
  if (!parsed.success)
    return { ok: false, problems: describeNotPinpoint(input, parsed.error.issues, prefix) };
  const source = parsed.data;
  const log = new ImportLog();
  for (const key of Object.keys(source).filter((k) => !READ.includes(k)))
    log.note(key, UNREAD.get(key) ?? `${key} has no equivalent and was not imported.`);
  const id = options.id ?? slugify(source.Name);
  // A name in a script with no Latin letters (`ようこそ`) leaves nothing of itself in an id.
  if (options.id === undefined && id === UNNAMED_JOURNEY && !/imported.journey/i.test(source.Name))
    log.note(
      'Name',
      `"${source.Name}" has no letters or digits a journey id can keep: the id is "${id}". Give --id, or --out journeys/<id>.json.`,
    );
  if (!JOURNEY_ID.test(id))
    log.problem('(id)', `"${id}" is not a journey id: lowercase letters, digits and dashes.`);
  const { settings, zone } = mapSettings(source, log);
  const segments = options.segments === undefined ? undefined : segmentResolver(options.segments, log);
  const trigger = mapTrigger(source, log, segments);
  const audience = mapAudience(source, log, segments);
  const reentry = mapReentry(source, log);
  const limit = mapEntryLimit(source, log);
  const status = mapStatus(source, log);
  const origins = new Map<string, TemplateOrigin>();
  const {
    start,
    steps,
    origins: activities,
  } = mapSteps(source, zone, log, segments, templateNamer(source, log, options, origins));
  if (log.problems.length > 0 || trigger === undefined || start === undefined)
    return {
      ok: false,
      problems: log.problems.map((p) => ({ ...p, path: wrapped ? `JourneyResponse.${p.path}` : p.path })),
    };
  const journey: ImportedJourney = {
    id,
    name: source.Name,
    status,
    trigger: limit === undefined ? trigger : { ...trigger, limit },
    ...(audience === undefined ? {} : { audience }),
    reentry,
    settings,
    start,
    steps,
  };
  const templates = templatesOf(steps, origins, options.templateExports, log);
  return { ok: true, journey, templates, notes: log.notes, activities };
}

function mapSteps(
  source: PinpointJourney,
  zone: string,
  log: ImportLog,
  segments: SegmentResolver | undefined,
  templateName: ActivityContext['templateName'],
): { start?: string; steps: Record<string, StepInput>; origins: Map<string, string> } {
  const ids = new StepIds();
  const activityIds = Object.keys(source.Activities).sort();
  // A contact-center call is not imported; customers go on past it, as in Pinpoint, so it takes no step.
  const calls = new Set(activityIds.filter((a) => isContactCenter(source.Activities[a])));
  const stepOf = new Map(
    activityIds.filter((a) => !calls.has(a)).map((a) => [a, ids.allocate(a, kindOf(source.Activities[a]))]),
  );
  const exitId = ids.allocate('end');
  const passed = passThroughs(source.Activities, calls, stepOf, exitId);
  const ctx: ActivityContext = {
    log,
    ids,
    stepOf: new Map([...stepOf, ...passed]),
    activities: source.Activities,
    startActivity: source.StartActivity,
    ...(segments === undefined ? {} : { segments }),
    exitId,
    zone,
    templateName,
  };
  const steps: Record<string, StepInput> = {};
  // Every step an activity becomes (a split's wait and branch alike) is said for that activity.
  const origins = new Map<string, string>();
  for (const [activityId, stepId] of stepOf) {
    const activity = source.Activities[activityId];
    if (activity === undefined) continue;
    const mapped = mapActivity(ctx, activityId, stepId, activity);
    for (const id of Object.keys(mapped)) origins.set(id, activityId);
    Object.assign(steps, mapped);
  }
  for (const activityId of calls) noteContactCenter(ctx, activityId);
  steps[ctx.exitId] = { type: 'exit', reason: 'completed' };
  const start = ctx.stepOf.get(source.StartActivity);
  if (start === undefined) {
    log.problem('StartActivity', `There is no activity "${source.StartActivity}" in Activities.`);
    return { steps, origins };
  }
  const kept = reachableOnly(start, steps, stepOf, origins, log);
  refuseLoopsWithoutWayOut(start, kept, origins, source.Schedule?.EndTime, log);
  return { start, steps: kept, origins: new Map([...origins].filter(([id]) => Object.hasOwn(kept, id))) };
}

/** What an activity does, as a step id reads it (`email`, `conditional-split`): its first type. */
function kindOf(activity: PinpointActivity | undefined): string | undefined {
  const type = ACTIVITY_TYPES.find((t) => activity?.[t] !== undefined);
  return type?.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

/** An activity that is a contact-center call only (one with several types is refused where it is mapped). */
function isContactCenter(activity: PinpointActivity | undefined): boolean {
  return (
    activity?.ContactCenter !== undefined &&
    ACTIVITY_TYPES.every((type) => type === 'ContactCenter' || activity[type] === undefined)
  );
}

/**
 * The step each contact-center call leads to: that of the first activity
 * after it (past other calls) that is not one, the exit when the path ends
 * or goes round calls only. A dangling NextActivity is left to the call's
 * own mapping, which names it.
 */
function passThroughs(
  activities: Readonly<Record<string, PinpointActivity>>,
  calls: ReadonlySet<string>,
  stepOf: ReadonlyMap<string, string>,
  exitId: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const call of calls) {
    const seen = new Set<string>();
    let at: string | undefined = call;
    while (at !== undefined && calls.has(at) && !seen.has(at)) {
      seen.add(at);
      const next: string | undefined = activities[at]?.ContactCenter?.NextActivity;
      at = next === '' ? undefined : next;
    }
    out.set(call, at === undefined || calls.has(at) ? exitId : (stepOf.get(at) ?? exitId));
  }
  return out;
}

/** Says what became of a contact-center call: not imported, customers go on as in Pinpoint. */
function noteContactCenter(ctx: ActivityContext, activityId: string): void {
  const at = pathOf('Activities', activityId);
  const activity = ctx.activities[activityId];
  const call = activity?.ContactCenter;
  if (activity === undefined || call === undefined) return;
  noteUnread(ctx, activity, ['Description', 'ContactCenter'], at);
  noteUnread(ctx, call, ['NextActivity'], pathOf(at, 'ContactCenter'));
  const next = call.NextActivity;
  if (next !== undefined && next !== '' && !Object.hasOwn(ctx.activities, next)) {
    ctx.log.problem(
      pathOf(at, 'ContactCenter', 'NextActivity'),
      `There is no activity "${next}" in Activities.`,
    );
    return;
  }
  const goesOn = ctx.stepOf.get(activityId);
  ctx.log.note(
    pathOf(at, 'ContactCenter'),
    `The contact-center call (Amazon Connect) is not imported: customers go on ${goesOn === ctx.exitId ? 'to the end of the journey' : `to step "${goesOn}"`}, as in Pinpoint after the call.`,
  );
}

/** The Pinpoint template a template file stands for. */
type TemplateOrigin = { name: string; channel: Channel };

/** Plans template file names, remembering the Pinpoint template each stands for. */
function templateNamer(
  source: PinpointJourney,
  log: ImportLog,
  options: ImportOptions,
  origins: Map<string, TemplateOrigin>,
): ActivityContext['templateName'] {
  const plan = planTemplateNames(source.Activities, log, options.templates);
  return (name, channel) => {
    const file = plan(name, channel);
    origins.set(file, { name, channel });
    return file;
  };
}

/**
 * The templates the steps send: the exported Pinpoint template's content when
 * it converts, else a placeholder (the note says why).
 */
function templatesOf(
  steps: Record<string, StepInput>,
  origins: ReadonlyMap<string, TemplateOrigin>,
  exports: TemplateExports | undefined,
  log: ImportLog,
): ImportedTemplate[] {
  const seen = new Map<string, ImportedTemplate>();
  const names = Object.values(steps).flatMap((step) =>
    step.type === 'email' || step.type === 'sms' || step.type === 'push'
      ? [{ name: step.template, channel: step.type }]
      : [],
  );
  for (const { name, channel } of names.sort((a, b) => a.name.localeCompare(b.name))) {
    if (seen.has(name)) continue;
    const origin = origins.get(name);
    const exported = origin === undefined ? undefined : exports?.get(origin.name)?.get(origin.channel);
    const converted = exported === undefined ? undefined : convertTemplateExport(exported, name, log);
    if (exports !== undefined && origin !== undefined && exported === undefined)
      log.note(
        pathOf('templates', origin.name),
        `The ${origin.channel} template "${origin.name}" is not among the exported templates: templates/${name}.json is a placeholder (export it with aws pinpoint get-${origin.channel}-template).`,
      );
    seen.set(
      name,
      converted === undefined
        ? { name, template: placeholderTemplate(name, channel), placeholder: true }
        : { name, template: converted, placeholder: false },
    );
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function describeNotPinpoint(
  input: unknown,
  issues: Parameters<typeof fromZodIssues>[0],
  prefix: string[],
): ImportProblem[] {
  if (!isObject(input))
    return [
      {
        path: '(file)',
        message: 'A Pinpoint journey is a JSON object (the output of aws pinpoint get-journey).',
      },
    ];
  if (looksLikeSegment(input))
    return [
      {
        path: '(file)',
        message:
          'This is an Amazon Pinpoint segment, not a journey: pass segments with --segments, so the journeys that use them get their filters.',
      },
    ];
  if ('steps' in input && 'trigger' in input)
    return [
      { path: '(file)', message: 'This is already a Journeys journey file, not an Amazon Pinpoint journey.' },
    ];
  const journey = prefix.length > 0 && isObject(input.JourneyResponse) ? input.JourneyResponse : input;
  const activities = journey.Activities;
  if (
    typeof journey.Name === 'string' &&
    (activities === undefined || (isObject(activities) && Object.keys(activities).length === 0))
  )
    return [
      {
        path: [...prefix, 'Activities'].join('.'),
        message: `The journey "${journey.Name}" has no activities yet (a draft never finished in Pinpoint): there is nothing to import.`,
      },
    ];
  return fromZodIssues(issues, prefix).map(({ path, message }) => ({
    path,
    message: `${message} (expected an Amazon Pinpoint journey, as aws pinpoint get-journey prints it)`,
  }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
