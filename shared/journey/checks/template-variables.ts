import { pathSegments } from '../../conditions/path.ts';
import type { Condition } from '../../conditions/schema.ts';
import { type TemplateRead, templateReads } from '../../template-reads.ts';
import { stepsWithEvent } from '../compile/flow.ts';
import { reachableFrom } from '../graph.ts';
import { requiredTriggerPaths } from '../requirements.ts';
import { type Violation, violation } from '../violations.ts';
import { TRACK_FIELDS } from './condition-fields.ts';
import type { CheckContext } from './context.ts';

/** Tags that loop over a list they read: `{% for item in list %}`. */
const LOOP_TAGS: ReadonlySet<string> = new Set(['for', 'tablerow']);
/** One place a template is sent from: a message step, or one of its fallbacks. */
type Site = { at: PropertyKey[]; template: string; hasEvent: boolean };

/** What a read means at a site: fine, surely missing (an error) or possibly missing (a warning). */
type Verdict = { kind: 'ok' } | { kind: 'error' | 'warning'; why: string; hint?: string };

const OK: Verdict = { kind: 'ok' };

/** The fields of the trigger each kind of trigger has; the ones that hold the customer's own names. */
const TRIGGER_FIELDS = {
  event: ['type', 'userId', 'anonymousId', 'messageId', 'timestamp', 'context', 'event', 'properties'],
  identify: ['type', 'userId', 'anonymousId', 'messageId', 'timestamp', 'context', 'traits'],
  // A scheduled segment entry carries no event: its trigger is `{ type: "segment", timestamp }`.
  segment: ['type', 'timestamp'],
} as const;

/** The variables every message has besides `profile`, `trigger`, `event` and `context`. */
const ROOTS =
  'profile.*, trigger.*, event.* (after a waitForEvent), context.*, journey.id and unsubscribeUrl';

function sitesOf({ steps, start }: CheckContext): Site[] {
  const withEvent =
    start === undefined ? undefined : stepsWithEvent({ start, steps }, reachableFrom(start, steps));
  const sites: Site[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'email' && step.type !== 'sms' && step.type !== 'push') continue;
    // Without a start the graph is reported on its own: no step is judged on its awaited event then.
    sites.push({
      at: ['steps', id, 'template'],
      template: step.template,
      hasEvent: withEvent?.has(id) ?? true,
    });
    // A fallback message is a state of its own that no awaited event reaches (compile/fallback.ts).
    step.fallback?.forEach((entry, i) => {
      sites.push({ at: ['steps', id, 'fallback', i, 'template'], template: entry.template, hasEvent: false });
    });
  }
  return sites;
}

/** Whether a condition that holds implies the path has a value (a comparison on a missing value is false). */
function impliesValue(condition: Condition): boolean {
  if ('ne' in condition) return false;
  if ('exists' in condition) return condition.exists;
  if ('eq' in condition) return condition.eq !== null;
  if ('in' in condition) return !condition.in.includes(null);
  return 'path' in condition;
}

/**
 * The trigger paths every enrolled trigger has: what `trigger.where` and the
 * audience require of the event (both read it as `event.*` at entry), and
 * what the journey reads by JSONPath (ingest enrolls no trigger without it).
 */
function guaranteedTriggerPaths(context: CheckContext): string[][] {
  const paths: string[][] = [];
  const visit = (condition: Condition): void => {
    if ('all' in condition) condition.all.forEach(visit);
    else if ('path' in condition && impliesValue(condition)) {
      const [root, ...rest] = pathSegments(condition.path);
      if (root === 'event' || root === 'trigger') paths.push(['trigger', ...rest]);
    }
  };
  if (context.trigger?.type === 'segment') return paths;
  if (context.trigger?.where !== undefined) visit(context.trigger.where);
  if (context.audience !== undefined) visit(context.audience);
  for (const path of requiredTriggerPaths({ context: context.variables, steps: context.steps }))
    paths.push(pathSegments(path));
  return paths;
}

function isPrefix(short: readonly string[], long: readonly string[]): boolean {
  return short.length <= long.length && short.every((segment, i) => long[i] === segment);
}

/** Edit distance, bounded to short names (property names). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** A known name that `name` looks like a slip for: same letters in another case, a typo, or one inside the other. */
function lookalike(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  return known.find((candidate) => {
    if (candidate === name) return false;
    const other = candidate.toLowerCase();
    return (
      other === lower ||
      (Math.min(lower.length, other.length) > 3 && distance(lower, other) <= 2) ||
      (other.length > 3 && lower.includes(other)) ||
      (lower.length > 3 && other.includes(lower))
    );
  });
}

function triggerVerdict(read: TemplateRead, context: CheckContext, guaranteed: readonly string[][]): Verdict {
  const trigger = context.trigger;
  const [, field, ...rest] = read.segments;
  if (trigger === undefined || field === undefined) return OK;
  const fields: readonly string[] = TRIGGER_FIELDS[trigger.type];
  if (!fields.includes(field)) {
    const kind =
      trigger.type === 'segment'
        ? 'a scheduled segment entry, which has no event (only trigger.type and trigger.timestamp)'
        : trigger.type === 'event'
          ? `a "${trigger.event}" event, which has no "${field}" (its data is trigger.properties.*)`
          : `an identify call, which has no "${field}" (its data is trigger.traits.*)`;
    return { kind: 'error', why: `the trigger is ${kind}` };
  }
  if (rest.length === 0 || guaranteed.some((path) => isPrefix(read.segments, path))) return OK;
  if (field !== 'properties' && field !== 'traits' && field !== 'context') return OK;
  const name = rest[0] ?? '';
  const siblings = guaranteed
    .filter((path) => path[1] === field && path.length > 2)
    .map((path) => path[2] ?? '');
  const hint = lookalike(name, siblings);
  const what = trigger.type === 'event' ? `a "${trigger.event}" event` : 'an identify call';
  return {
    kind: 'warning',
    why: `${what} that enters this journey may lack it (neither trigger.where nor the audience requires it)`,
    ...(hint === undefined ? {} : { hint: `trigger.${field}.${hint}` }),
  };
}

function verdictOf(
  read: TemplateRead,
  site: Site,
  context: CheckContext,
  guaranteed: readonly string[][],
): Verdict {
  const [root, second] = read.segments;
  switch (root) {
    case 'profile':
    case 'unsubscribeUrl':
      return OK;
    case 'journey':
      return second === undefined || second === 'id'
        ? OK
        : { kind: 'error', why: `a message knows journey.id only, not journey.${second}` };
    case 'context': {
      const declared = Object.keys(context.variables ?? {});
      if (second === undefined || declared.includes(second)) return OK;
      const hint = lookalike(second, declared);
      return {
        kind: 'error',
        why:
          declared.length === 0
            ? 'this journey declares no context variables'
            : `this journey declares no context variable "${second}" (it declares ${declared.join(', ')})`,
        ...(hint === undefined ? {} : { hint: `context.${hint}` }),
      };
    }
    case 'event':
      if (!site.hasEvent)
        return {
          kind: 'error',
          why: "this step can be reached without an awaited event (event.* is set only where every path comes through a waitForEvent's onEvent)",
        };
      return second === undefined || TRACK_FIELDS.has(second)
        ? OK
        : {
            kind: 'error',
            why: `the awaited event has no "${second}" (its data is event.properties.*)`,
            hint: `event.properties.${read.segments.slice(1).join('.')}`,
          };
    case 'trigger':
      return triggerVerdict(read, context, guaranteed);
    default:
      return { kind: 'error', why: `no message has a variable "${root}": templates read ${ROOTS}` };
  }
}

/** `html, line 3, column 5` and how many other places read it. */
function where(reads: readonly TemplateRead[]): string {
  const [first] = reads;
  if (first === undefined) return '';
  const more = reads.length - 1;
  const others = more === 0 ? '' : ` and ${more} more place${more === 1 ? '' : 's'}`;
  return `${first.field}, line ${first.line}, column ${first.column}${others}`;
}

function findings(context: CheckContext, kind: 'error' | 'warning'): Violation[] {
  const bodies = context.templateBodies;
  if (bodies === undefined) return [];
  const guaranteed = guaranteedTriggerPaths(context);
  const readsOf = new Map<string, TemplateRead[]>();
  const out: Violation[] = [];
  for (const site of sitesOf(context)) {
    const template = bodies.get(site.template);
    if (template === undefined) continue;
    let reads = readsOf.get(site.template);
    if (reads === undefined) {
      reads = templateReads(template);
      readsOf.set(site.template, reads);
    }
    // One finding per variable and site, however many times the template reads it.
    const byText = new Map<string, { verdict: Verdict; reads: TemplateRead[] }>();
    for (const read of reads) {
      const key = read.segments.join('\u0000');
      const seen = byText.get(key);
      if (seen !== undefined) seen.reads.push(read);
      else byText.set(key, { verdict: verdictOf(read, site, context, guaranteed), reads: [read] });
    }
    for (const { verdict, reads: same } of byText.values()) {
      if (verdict.kind === 'ok' || verdict.kind !== kind) continue;
      const text = same[0]?.text ?? '';
      const loop = same[0]?.tag !== undefined && LOOP_TAGS.has(same[0].tag);
      // A loop's list takes no filter: an if around the loop is the fallback there.
      const fallback = loop ? `{% if ${text} %} around the loop` : `{{ ${text} | default: "…" }}`;
      const outcome =
        kind === 'error'
          ? 'every send of it fails'
          : `when it is missing the message is not sent and counts as failed; require it in trigger.where ("exists": true) or write ${fallback}`;
      const shown = loop ? `{% ${same[0]?.tag} … in ${text} %}` : `{{ ${text} }}`;
      out.push(
        violation(
          site.at,
          'template.variable',
          `Template "${site.template}" reads ${shown} (${where(same)}), but ${verdict.why}: ${outcome}.` +
            (verdict.hint === undefined ? '' : ` Did you mean ${verdict.hint}?`),
        ),
      );
    }
  }
  return out;
}

/**
 * A template variable no send of a step can have (a trigger field the
 * trigger lacks, an undeclared context variable, `event.*` before any
 * awaited event, a name no message has): strict Liquid fails every send.
 */
export function checkTemplateVariables(context: CheckContext): Violation[] {
  return findings(context, 'error');
}

/**
 * A trigger property or trait a template reads without a fallback while the
 * trigger's filter does not require it: a send to a customer whose event lacks
 * it fails. A warning: the journey can be right, the events decide.
 */
export function templateVariableWarnings(context: CheckContext): Violation[] {
  return findings(context, 'warning');
}
