import { Liquid } from 'liquidjs';
import type { Profile } from './profile/profile.ts';
import {
  missingMarker,
  type Rendered,
  renderTemplate,
  type Template,
  type TemplateContext,
} from './templates.ts';

/**
 * Template preview: the message a customer would get, or every variable the
 * render is missing (strict rendering stops at the first, so preview fills
 * each missing one with a marker and renders again until none is left).
 */

/**
 * What a template sees as `profile`: the profile, its traits also at the top
 * level. The profile's own fields win over traits of the same name, so a
 * customer's trait `userId` or `consent` cannot stand in for them (a link built
 * from `{{ profile.userId }}` names the customer, whatever their traits say).
 */
export function profileVariables(profile: Profile): Record<string, unknown> {
  const own = Object.entries(profile).filter(([, value]) => value !== undefined);
  return { ...profile.traits, ...Object.fromEntries(own), traits: profile.traits };
}

export type Preview<T extends Template> =
  | { ok: true; rendered: Rendered<T> }
  | { ok: false; missing: string[]; error?: string };

/** Renders at most this many times (each fills one missing variable or one level of one). */
const MAX_ATTEMPTS = 200;

// Static analysis only (which paths a template reads); rendering stays with templates.ts.
const analysis = new Liquid();

/** Every variable path the template's fields read, dotted. */
function pathsRead(template: Template): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(template)) {
    if (key === 'channel' || typeof value !== 'string') continue;
    try {
      for (const segments of analysis.globalVariableSegmentsSync(value)) paths.push(segments.join('.'));
    } catch {
      // A syntax error: the render below reports it.
    }
  }
  return paths;
}

/** Sets a dotted path in a copy of the context (a marker, or an object to go deeper); false when it cannot. */
function fill(context: Record<string, unknown>, path: string, deeper: boolean): boolean {
  const parts = path.split('.');
  let node: Record<string, unknown> = context;
  for (const [i, part] of parts.entries()) {
    // Data cannot hold `__proto__` (ingest refuses it); every other name, `constructor` included, is a key.
    if (part === '__proto__') return false;
    if (i === parts.length - 1) {
      node[part] = deeper ? {} : missingMarker(path);
      return true;
    }
    const next = Object.hasOwn(node, part) ? node[part] : undefined;
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      const copy: Record<string, unknown> = { ...next };
      node[part] = copy;
      node = copy;
    } else return false;
  }
  return false;
}

/**
 * Renders a template for a context; on missing variables, lists them all.
 * `at`: the instant `"now"` and `"today"` mean (the send's time; this
 * machine's clock when not given); `timezone`: the zone dates print in (the
 * customer's, as the send renders them).
 */
export async function previewTemplate<T extends Template>(
  template: T,
  context: TemplateContext,
  at?: Date,
  timezone = 'UTC',
): Promise<Preview<T>> {
  const missing: string[] = [];
  const read = pathsRead(template);
  let current: Record<string, unknown> = { ...context };
  const filled = new Set<string>();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const rendered = await renderTemplate(template, { ...context, ...current }, timezone, at);
      return missing.length === 0 ? { ok: true, rendered } : { ok: false, missing };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const variable = /undefined variable: ([^,\s]+)/.exec(message)?.[1];
      const next = { ...current };
      // liquidjs names the first missing segment: an object on the way to a deeper path, or the value itself.
      const deeper = variable !== undefined && read.some((p) => p.startsWith(`${variable}.`));
      if (variable === undefined || filled.has(variable) || !fill(next, variable, deeper)) {
        return { ok: false, missing, error: message };
      }
      filled.add(variable);
      if (!deeper) missing.push(variable);
      current = next;
    }
  }
  return { ok: false, missing };
}
