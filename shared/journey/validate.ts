import type * as z from 'zod';
import type { Template, TemplateCatalog } from '../templates.ts';
import { boundViolations, definitionViolations } from './bounds.ts';
import { checkCarriedNames } from './checks/carried-names.ts';
import {
  checkConditionFields,
  literalPathWarnings,
  literalValueWarnings,
} from './checks/condition-fields.ts';
import type { Check, CheckContext } from './checks/context.ts';
import { checkEventCopies } from './checks/event-copies.ts';
import { eventSpellingWarnings } from './checks/event-names.ts';
import { checkComparisonWindow, checkExperiments } from './checks/experiments.ts';
import { checkBusyLoops, checkEndings, checkReachability, checkReferences } from './checks/graph.ts';
import { checkJourneyContext } from './checks/journey-context.ts';
import { loopHistoryWarnings } from './checks/loops.ts';
import { checkOutcomes } from './checks/outcomes.ts';
import { checkPlaceholderTemplates } from './checks/placeholder-templates.ts';
import {
  checkHistoryWindows,
  checkProfileUpdates,
  checkSplits,
  checkTemplates,
  checkTimeSettings,
} from './checks/rules.ts';
import { scheduleWarnings } from './checks/schedule.ts';
import { checkTemplateVariables, templateVariableWarnings } from './checks/template-variables.ts';
import { traitSpaceWarnings } from './checks/trait-names.ts';
import { checkTriggerFields, checkValueSources } from './checks/trigger-fields.ts';
import { checkDurations, checkOrderComparisons } from './checks/values.ts';
import { awaitedExitWarnings, checkTotalWait } from './checks/waits.ts';
import { checkWebhooks } from './checks/webhook.ts';
import { reservedKeyViolations } from './reserved-keys.ts';
import { type ListRemap, restoreIndices, salvage } from './salvage.ts';
import { Journey, STEP_ID, STEP_ID_MAX, Step } from './schema.ts';
import {
  describeValue,
  fromZodIssues,
  type KnownFields,
  meantFields,
  type Violation,
  violation,
} from './violations.ts';

export type { Violation } from './violations.ts';

export type ValidateOptions = {
  /** The templates that exist (name → channel). Template checks are skipped without it. */
  templates?: TemplateCatalog;
  /** The templates' content by name; the variables they read are checked only with it. */
  templateBodies?: ReadonlyMap<string, Template>;
  /** The webhook connections that exist (name → base URL). Connection checks are skipped without it. */
  connections?: ReadonlyMap<string, string>;
  /**
   * The field names of the language ({@link fieldNames} of its JSON Schema, or a function making them):
   * an unknown field a slip away from one is reported with it (`did you mean "next"?`).
   */
  fields?: KnownFields;
};

/**
 * `warnings`: what may go wrong depending on the events that arrive (a
 * template reading a trigger property the trigger's filter does not require);
 * they never stop a deploy.
 */
export type ValidationResult =
  | { ok: true; journey: Journey; warnings: Violation[] }
  | { ok: false; violations: Violation[]; warnings: Violation[] };

const CHECKS: readonly Check[] = [
  checkReferences,
  checkReachability,
  checkEndings,
  checkBusyLoops,
  checkSplits,
  checkTemplates,
  checkPlaceholderTemplates,
  checkTimeSettings,
  checkTotalWait,
  checkTriggerFields,
  checkConditionFields,
  checkValueSources,
  checkEventCopies,
  checkCarriedNames,
  checkHistoryWindows,
  checkProfileUpdates,
  checkDurations,
  checkOrderComparisons,
  checkJourneyContext,
  checkExperiments,
  checkComparisonWindow,
  checkOutcomes,
  checkWebhooks,
  checkTemplateVariables,
];

/** Checks whose findings are warnings. */
const WARNINGS: readonly Check[] = [
  templateVariableWarnings,
  awaitedExitWarnings,
  eventSpellingWarnings,
  loopHistoryWarnings,
  scheduleWarnings,
  traitSpaceWarnings,
  literalPathWarnings,
  literalValueWarnings,
];

/**
 * Validates a journey in two phases — structure (zod), then graph semantics —
 * and returns every problem found, each with its path. Never throws, whatever
 * the input.
 */
export function validateJourney(input: unknown, options: ValidateOptions = {}): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const problem = violation([], 'schema.invalid', 'A journey must be a JSON object.');
    return { ok: false, violations: [problem], warnings: [] };
  }
  // An oversized file is refused before any recursive reader sees it.
  const bounds = boundViolations(input);
  if (bounds.length > 0) return { ok: false, violations: bounds, warnings: [] };
  const raw: Record<string, unknown> = { ...input };
  const { context, found } = parseFields(raw, options);
  const violations = [
    ...reservedKeyViolations(input),
    ...found.violations,
    ...restoreIndices(
      CHECKS.flatMap((check) => check(context)),
      found.remaps,
    ),
  ];
  const warnings = restoreIndices(
    WARNINGS.flatMap((check) => check(context)),
    found.remaps,
  );
  if (violations.length > 0) return { ok: false, violations: dedupe(violations), warnings };
  const parsed = Journey.safeParse(raw, PARSE);
  if (!parsed.success)
    return { ok: false, violations: fromZodIssues(parsed.error.issues, [], options.fields), warnings };
  const size = definitionViolations(parsed.data);
  if (size.length > 0) return { ok: false, violations: size, warnings };
  return { ok: true, journey: parsed.data, warnings };
}

/** Parse options: issues carry the input, so a wrong type is reported with the value given. */
const PARSE = { reportInput: true } as const;

/** Parses a part; on failure records its violations under `at` and returns what can be salvaged. */
function parsePart(schema: z.ZodType, value: unknown, at: readonly PropertyKey[], found: Found): unknown {
  const result = schema.safeParse(value, PARSE);
  if (result.success) return result.data;
  found.violations.push(...fromZodIssues(result.error.issues, at, found.fields));
  const salvaged = salvage(schema, value, result.error.issues, at);
  found.remaps.push(...(salvaged?.remaps ?? []));
  return salvaged?.value;
}

/** What parsing found: violations, and the lists whose broken items were left out; the fields known, for hints. */
type Found = { violations: Violation[]; remaps: ListRemap[]; fields?: KnownFields };

/** Parses each top-level field and each step on its own, so every broken part is reported. */
function parseFields(
  raw: Record<string, unknown>,
  { templates, templateBodies, connections, fields }: ValidateOptions,
): { context: CheckContext; found: Found } {
  const found: Found = { violations: [], remaps: [], ...(fields === undefined ? {} : { fields }) };
  const { violations } = found;
  const { steps: _steps, ...shape } = Journey.shape;
  const unknown = Object.keys(raw).filter((key) => !Object.hasOwn(Journey.shape, key));
  if (unknown.length > 0) {
    violations.push(
      violation(
        [],
        'schema.invalid',
        `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}${fields === undefined ? '' : meantFields(unknown, fields)}.`,
      ),
    );
  }
  const parsed = new Map<string, unknown>();
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    parsed.set(key, parsePart(shape[key], raw[key], [key], found));
  }
  const steps = parseSteps(raw.steps, found);
  const context: CheckContext = {
    steps: steps.valid,
    salvaged: steps.salvaged,
    stepIds: steps.ids,
    start: typeof raw.start === 'string' ? raw.start : undefined,
    trigger: shape.trigger.safeParse(parsed.get('trigger')).data,
    reentry: shape.reentry.safeParse(parsed.get('reentry')).data,
    settings: shape.settings.safeParse(parsed.get('settings')).data,
    goal: shape.goal.safeParse(parsed.get('goal')).data,
    audience: shape.audience.safeParse(parsed.get('audience')).data,
    exitOn: shape.exitOn.safeParse(parsed.get('exitOn')).data,
    variables: shape.context.safeParse(parsed.get('context')).data,
    templates,
    templateBodies,
    connections,
  };
  return { context, found };
}

function parseSteps(
  input: unknown,
  found: Found,
): { valid: Record<string, Step>; ids: Set<string>; salvaged: Set<string> } {
  const { violations } = found;
  // Step ids are the user's words: no prototype for one to collide with.
  const valid: Record<string, Step> = Object.create(null);
  const salvaged = new Set<string>();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const message =
      input === undefined
        ? 'is required: an object of steps by id.'
        : `must be an object of steps by id, got ${describeValue(input)}`;
    violations.push(violation(['steps'], 'schema.invalid', message));
    return { valid, ids: new Set(), salvaged };
  }
  const entries = Object.entries(input);
  if (entries.length === 0)
    violations.push(violation(['steps'], 'schema.invalid', 'A journey needs at least one step.'));
  for (const [id, value] of entries) {
    if (!STEP_ID.test(id))
      violations.push(
        violation(['steps', id], 'schema.invalid', `"${id}" is not a valid step id: ${stepIdFix(id)}`),
      );
    const before = violations.length;
    const step = Step.safeParse(parsePart(Step, value, ['steps', id], found));
    if (step.success) valid[id] = step.data;
    if (step.success && violations.length > before) salvaged.add(id);
  }
  return { valid, ids: new Set(entries.map(([id]) => id)), salvaged };
}

/** What to change in a step id the pattern refuses: its characters, or else its length. */
function stepIdFix(id: string): string {
  if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(id))
    return `it is ${id.length} characters long, and a step id holds ${STEP_ID_MAX} at most.`;
  return 'start with a letter; use letters, digits, - and _.';
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.path}\u0000${v.code}\u0000${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
