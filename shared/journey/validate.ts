import type { TemplateCatalog } from '../templates.ts';
import type { Check, CheckContext } from './checks/context.ts';
import { checkBusyLoops, checkEndings, checkReachability, checkReferences } from './checks/graph.ts';
import {
  checkHistoryWindows,
  checkProfileUpdates,
  checkSplits,
  checkTemplates,
  checkTimeSettings,
} from './checks/rules.ts';
import { checkTriggerFields, checkValueSources } from './checks/trigger-fields.ts';
import { checkTotalWait } from './checks/waits.ts';
import { Journey, STEP_ID, Step } from './schema.ts';
import { fromZodIssues, type Violation, violation } from './violations.ts';

export type { Violation } from './violations.ts';

export type ValidateOptions = {
  /** The templates that exist (name → channel). Template checks are skipped without it. */
  templates?: TemplateCatalog;
};

export type ValidationResult = { ok: true; journey: Journey } | { ok: false; violations: Violation[] };

const CHECKS: readonly Check[] = [
  checkReferences,
  checkReachability,
  checkEndings,
  checkBusyLoops,
  checkSplits,
  checkTemplates,
  checkTimeSettings,
  checkTotalWait,
  checkTriggerFields,
  checkValueSources,
  checkHistoryWindows,
  checkProfileUpdates,
];

/**
 * Validates a journey in two phases — structure (zod), then graph semantics —
 * and returns every problem found, each with its path. Never throws, whatever
 * the input.
 */
export function validateJourney(input: unknown, options: ValidateOptions = {}): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, violations: [violation([], 'schema.invalid', 'A journey must be a JSON object.')] };
  }
  const raw: Record<string, unknown> = { ...input };
  const { context, violations } = parseFields(raw, options.templates);
  violations.push(...CHECKS.flatMap((check) => check(context)));
  if (violations.length > 0) return { ok: false, violations: dedupe(violations) };
  const parsed = Journey.safeParse(raw);
  if (!parsed.success) return { ok: false, violations: fromZodIssues(parsed.error.issues) };
  return { ok: true, journey: parsed.data };
}

/** Parses each top-level field and each step on its own, so every broken part is reported. */
function parseFields(
  raw: Record<string, unknown>,
  templates: TemplateCatalog | undefined,
): { context: CheckContext; violations: Violation[] } {
  const violations: Violation[] = [];
  const { steps: _steps, ...shape } = Journey.shape;
  const field = <K extends keyof typeof shape>(key: K) => {
    const result = shape[key].safeParse(raw[key]);
    if (result.success) return result.data;
    violations.push(...fromZodIssues(result.error.issues, [key]));
    return undefined;
  };
  const unknown = Object.keys(raw).filter((key) => !(key in Journey.shape));
  if (unknown.length > 0) {
    violations.push(
      violation(
        [],
        'schema.invalid',
        `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}.`,
      ),
    );
  }
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) field(key);
  const steps = parseSteps(raw.steps, violations);
  const context: CheckContext = {
    steps: steps.valid,
    stepIds: steps.ids,
    start: typeof raw.start === 'string' ? raw.start : undefined,
    trigger: shape.trigger.safeParse(raw.trigger).data,
    settings: shape.settings.safeParse(raw.settings).data,
    goal: shape.goal.safeParse(raw.goal).data,
    audience: shape.audience.safeParse(raw.audience).data,
    exitOn: shape.exitOn.safeParse(raw.exitOn).data,
    templates,
  };
  return { context, violations };
}

function parseSteps(
  input: unknown,
  violations: Violation[],
): { valid: Record<string, Step>; ids: Set<string> } {
  const valid: Record<string, Step> = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    violations.push(violation(['steps'], 'schema.invalid', 'is required: an object of steps by id.'));
    return { valid, ids: new Set() };
  }
  const entries = Object.entries(input);
  if (entries.length === 0)
    violations.push(violation(['steps'], 'schema.invalid', 'A journey needs at least one step.'));
  for (const [id, value] of entries) {
    if (!STEP_ID.test(id)) {
      violations.push(
        violation(
          ['steps', id],
          'schema.invalid',
          `"${id}" is not a valid step id: start with a letter; use letters, digits, - and _.`,
        ),
      );
    }
    const result = Step.safeParse(value);
    if (result.success) valid[id] = result.data;
    else violations.push(...fromZodIssues(result.error.issues, ['steps', id]));
  }
  return { valid, ids: new Set(entries.map(([id]) => id)) };
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
