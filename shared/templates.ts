import { Liquid } from 'liquidjs';
import * as z from 'zod';

/**
 * Message templates: one JSON file per template under `journeys/templates/`,
 * shaped like SES templates (subject / html / text) with Liquid markup.
 * Rendering is strict: a missing variable fails the render, so a customer
 * never receives "Hi ," with a blank name. Use `{{ x | default: "there" }}`
 * where a fallback is intended.
 */

export const EmailTemplate = z
  .object({
    channel: z.literal('email'),
    subject: z.string().min(1),
    html: z.string().min(1).describe('HTML body (Liquid).'),
    text: z.string().min(1).describe('Plain-text body (Liquid).'),
  })
  .strict();

export const SmsTemplate = z
  .object({ channel: z.literal('sms'), body: z.string().min(1).describe('SMS text (Liquid).') })
  .strict();

export const PushTemplate = z
  .object({
    channel: z.literal('push'),
    title: z.string().min(1),
    body: z.string().min(1),
    url: z.string().optional().describe('Deep link opened on tap (Liquid).'),
  })
  .strict();

export const Template = z.discriminatedUnion('channel', [EmailTemplate, SmsTemplate, PushTemplate]);
export type Template = z.infer<typeof Template>;
export type TemplateChannel = Template['channel'];

/** What a journey validator needs to know about the templates that exist: name → channel. */
export type TemplateCatalog = ReadonlyMap<string, TemplateChannel>;

/** The variables a template sees. */
export type TemplateContext = {
  profile: Record<string, unknown>;
  trigger?: unknown;
  event?: unknown;
  journey: { id: string; name?: string };
  unsubscribeUrl?: string;
};

// lenientIf lets `{{ x | default: "there" }}` and `{% if x %}` see a missing variable as empty,
// so the documented fallback works; any other use of a missing variable still fails the render.
const liquid = new Liquid({ strictVariables: true, strictFilters: true, lenientIf: true, cache: true });

/** The rendered fields of a template, same keys as the template minus `channel`. */
export type Rendered<T extends Template> = Omit<T, 'channel'>;

/**
 * Renders every field of a template with strict Liquid.
 * Throws a `RenderError` from liquidjs naming the missing variable or bad syntax.
 */
export async function renderTemplate<T extends Template>(
  template: T,
  context: TemplateContext,
): Promise<Rendered<T>> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key === 'channel' || typeof value !== 'string') continue;
    out[key] = await liquid.parseAndRender(value, context);
  }
  return out as Rendered<T>;
}

/** Parses every Liquid field once; returns the first syntax problem per field. */
export function checkTemplateSyntax(template: Template): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const [key, value] of Object.entries(template)) {
    if (key === 'channel' || typeof value !== 'string') continue;
    try {
      liquid.parse(value);
    } catch (error) {
      problems.push({ field: key, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return problems;
}
