import { join, resolve } from 'node:path';
import * as z from 'zod';
import { isRecord } from '#shared/conditions/path.ts';
import { entryValueProblem } from '#shared/journey/context-names.ts';
import { type ContextLiteral, DEFAULT_MAX_LENGTH, entryContext } from '#shared/journey/journey-context.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { readJsonFile } from './files.ts';

/**
 * The journey a preview or test send renders for, and the context its
 * template sees: each declared variable as the enrollment starts with it
 * (a literal, null, or the sample trigger's value under the rule ingest
 * applies), with `--context` values standing in for what later steps set.
 */

/** The journey file `<dir>/<id>.json`: undefined when there is none, a message when it is not a valid journey. */
export async function journeyFor(dir: string, id: string): Promise<Journey | undefined | string> {
  const file = join(resolve(dir), `${id}.json`);
  const json = await readJsonFile(file);
  if (!json.ok) return json.message === 'file not found' ? undefined : `${file}: ${json.message}`;
  const result = validateJourney(json.value);
  if (result.ok) return result.journey;
  const problems = result.violations.slice(0, 3).map((v) => `${v.path}: ${v.message}`);
  return `${file} is not a valid journey:\n  ${problems.join('\n  ')}`;
}

const Literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** What the template sees as `context`, and why some variable is missing from it. */
export type PreviewContext = { values: Map<string, ContextLiteral>; notes: string[] };

/**
 * The context of an enrollment of `journey` started by `trigger`, with
 * `overrides` (a JSON object of declared variables) applied; a message when
 * an override names no declared variable or does not fit its declaration.
 */
export function previewContext(
  journey: Journey,
  trigger: unknown,
  overrides: unknown,
): PreviewContext | string {
  const declared = new Map(Object.entries(journey.context ?? {}));
  // Entries of the parsed JSON itself: copying it into an object would make "__proto__" a prototype, not a name.
  const given = overrides ?? {};
  if (!isRecord(given)) return '--context must be a JSON object';
  const { values, refused } = entryContext(journey.context, trigger);
  for (const [name, raw] of Object.entries(given)) {
    const literal = Literal.safeParse(raw);
    if (!literal.success) return `--context: ${name} must be a string, a number, a boolean or null`;
    const value = literal.data;
    const variable = declared.get(name);
    if (variable === undefined) return `--context: ${journey.id} declares no context variable "${name}"`;
    const maxLength = variable.type === 'string' ? (variable.maxLength ?? DEFAULT_MAX_LENGTH) : undefined;
    const problem = value === null ? undefined : entryValueProblem(value, { type: variable.type, maxLength });
    if (problem !== undefined) return `--context: ${name} ${problem}`;
    values.set(name, value);
  }
  const notes = refused
    .filter((r) => !values.has(r.name))
    .map(
      (r) =>
        `context.${r.name}: ${r.from} ${r.problem}; an event like this trigger does not enroll in ${journey.id}`,
    );
  return { values, notes };
}
