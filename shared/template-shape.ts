import { fromZodIssues } from './journey/violations.ts';
import { Template } from './templates.ts';

/** Every field any channel's template has: an unknown one close to them says which was meant. */
const TEMPLATE_FIELDS: ReadonlySet<string> = new Set(
  Template.def.options.flatMap((option) => Object.keys(option.shape)),
);

export type TemplateShape = { ok: true; template: Template } | { ok: false; problems: string[] };

/**
 * A template file's JSON read as a template, or each reason it is not one in
 * the sentences a journey's problems are told in (`body: must be a string, got
 * the number 5`, `(template): has an unknown field "subjet" (did you mean
 * "subject"?)`): validate, a deploy and preview say the same of one file.
 */
export function parseTemplateShape(value: unknown): TemplateShape {
  const parsed = Template.safeParse(value, { reportInput: true });
  if (parsed.success) return { ok: true, template: parsed.data };
  const problems = fromZodIssues(parsed.error.issues, [], TEMPLATE_FIELDS).map(
    (v) => `${v.path === '(journey)' ? '(template)' : v.path}: ${v.message}`,
  );
  return { ok: false, problems };
}
