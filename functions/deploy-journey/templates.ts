import type { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { TEMPLATES_PREFIX } from '#shared/journey/s3-keys.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { formatPath, type Violation, violation } from '#shared/journey/violations.ts';
import type { JsonText } from '#shared/json-text.ts';
import type { Template } from '#shared/templates.ts';
import { parseTemplate, readObject } from './source.ts';

/**
 * The templates a journey version uses, read from the bucket once at deploy
 * to be pinned to the version. A template that is missing, not valid JSON,
 * not a template, or whose Liquid does not parse rejects the deploy with a
 * violation on the step that uses it.
 */
export type VersionTemplates =
  | { ok: true; templates: Map<string, Template> }
  | { ok: false; violations: Violation[] };

function isMissing(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

async function loadOne(s3: S3Client, bucket: string, name: string): Promise<Template | string> {
  const key = `${TEMPLATES_PREFIX}${name}.json`;
  try {
    return parseTemplate(name, (await readObject(s3, bucket, key)).json);
  } catch (error) {
    if (isMissing(error)) return `There is no template "${name}" (expected ${key}).`;
    throw error;
  }
}

const StepTemplates = z.object({
  steps: z.record(
    z.string(),
    z.object({ template: z.string(), fallback: z.array(z.object({ template: z.string() })) }).partial(),
  ),
});

/** Where each template a journey file names sits in it (a violation's path) → the template's name. */
function templatesByPath(journeyJson: unknown): Map<string, string> {
  const byPath = new Map<string, string>();
  const parsed = StepTemplates.safeParse(journeyJson);
  if (!parsed.success) return byPath;
  for (const [id, step] of Object.entries(parsed.data.steps)) {
    if (step.template !== undefined) byPath.set(formatPath(['steps', id, 'template']), step.template);
    (step.fallback ?? []).forEach((f, i) => {
      byPath.set(formatPath(['steps', id, 'fallback', i, 'template']), f.template);
    });
  }
  return byPath;
}

/**
 * The template names a journey file sends (each step's `template` and its
 * fallbacks'), read from the file as it is, before validation: a file the
 * schema refuses elsewhere still names its templates, and their checks are
 * reported with the rest.
 */
export function templateNamesOf(journeyJson: unknown): Set<string> {
  const names = new Set<string>();
  const steps = isObject(journeyJson) ? journeyJson.steps : undefined;
  if (!isObject(steps)) return names;
  for (const step of Object.values(steps)) {
    if (!isObject(step)) continue;
    if (typeof step.template === 'string') names.add(step.template);
    if (!Array.isArray(step.fallback)) continue;
    for (const fallback of step.fallback)
      if (isObject(fallback) && typeof fallback.template === 'string') names.add(fallback.template);
  }
  return names;
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Replaces "no template" with the reason (not JSON, not a template, broken
 * Liquid) wherever the journey names a template whose file exists but cannot
 * be used: a step's own template and its fallbacks' alike.
 */
export function explainTemplates(
  violations: Violation[],
  journeyJson: unknown,
  invalid: ReadonlyMap<string, string>,
): Violation[] {
  if (invalid.size === 0) return violations;
  const byPath = templatesByPath(journeyJson);
  return violations.map((v) => {
    const name = v.code === 'template.missing' ? byPath.get(v.path) : undefined;
    const reason = name === undefined ? undefined : invalid.get(name);
    return reason === undefined ? v : { ...v, code: 'template.invalid', message: reason };
  });
}

export async function versionTemplates(
  s3: S3Client,
  bucket: string,
  journey: Journey,
): Promise<VersionTemplates> {
  const users = new Map<string, string[]>();
  for (const [id, step] of Object.entries(journey.steps)) {
    if (step.type !== 'email' && step.type !== 'sms' && step.type !== 'push') continue;
    users.set(step.template, [...(users.get(step.template) ?? []), id]);
    // Fallback messages are pinned with the version too.
    for (const f of step.fallback ?? []) users.set(f.template, [...(users.get(f.template) ?? []), id]);
  }
  const templates = new Map<string, Template>();
  const violations: Violation[] = [];
  for (const [name, steps] of users) {
    const loaded = await loadOne(s3, bucket, name);
    if (typeof loaded !== 'string') templates.set(name, loaded);
    else
      violations.push(...steps.map((id) => violation(['steps', id, 'template'], 'template.invalid', loaded)));
  }
  return violations.length > 0 ? { ok: false, violations } : { ok: true, templates };
}

/** The journey with each message step naming its pinned template. */
export function withPinnedTemplates(journey: Journey, names: ReadonlyMap<string, string>): Journey {
  const steps = Object.fromEntries(
    Object.entries(journey.steps).map(([id, step]) => {
      if (step.type !== 'email' && step.type !== 'sms' && step.type !== 'push') return [id, step];
      const fallback = step.fallback?.map((f) => ({ ...f, template: names.get(f.template) ?? f.template }));
      const pinned = { ...step, template: names.get(step.template) ?? step.template };
      return [id, fallback === undefined ? pinned : { ...pinned, fallback }];
    }),
  );
  return { ...journey, steps };
}

/** True when a journey file has a step that sends `template` (a file that does not parse sends nothing). */
export function sendsTemplate(journey: JsonText, template: string): boolean {
  const parsed = journey.ok ? StepTemplates.safeParse(journey.value) : undefined;
  return (
    parsed?.success === true &&
    Object.values(parsed.data.steps).some(
      (step) => step.template === template || (step.fallback ?? []).some((f) => f.template === template),
    )
  );
}
