import { Duration } from 'luxon';
import { edgesOf } from './graph.ts';
import type { Journey, Step, Trigger } from './schema.ts';

/**
 * A Mermaid flowchart of a journey: steps grouped by stage, branches and
 * waits labelled, split edges with their weights. GitHub and GitLab render it
 * as a picture inside a ```mermaid block.
 */
export function toMermaid(journey: Journey): string {
  const ids = new NodeIds();
  const lines = ['flowchart TD', `  ${ids.entry}(["${quote(describeTrigger(journey.trigger))}"])`];
  const byStage = new Map<string, [string, Step][]>();
  for (const entry of Object.entries(journey.steps)) {
    const stage = entry[1].stage ?? '';
    byStage.set(stage, [...(byStage.get(stage) ?? []), entry]);
  }
  for (const [stage, entries] of byStage) {
    const indent = stage === '' ? '  ' : '    ';
    if (stage !== '') lines.push(`  subgraph stage_${stage}["${quote(capitalize(stage))}"]`);
    for (const [id, step] of entries) lines.push(`${indent}${node(ids.of(id), id, step)}`);
    if (stage !== '') lines.push('  end');
  }
  lines.push(`  ${ids.entry} --> ${ids.of(journey.start)}`);
  for (const [id, step] of Object.entries(journey.steps)) {
    for (const edge of edgesOf(step)) {
      const label = edge.label === undefined ? '' : `|"${quote(edge.label)}"|`;
      lines.push(`  ${ids.of(id)} -->${label} ${ids.of(edge.to)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function node(nodeId: string, id: string, step: Step): string {
  const lines = [step.label, describeStep(step), `(${id})`].filter((line) => line !== undefined);
  const text = lines.map(quote).join('<br/>');
  switch (step.type) {
    case 'branch':
      return `${nodeId}{"${text}"}`;
    case 'split':
      return `${nodeId}{{"${text}"}}`;
    case 'wait':
    case 'waitForEvent':
      return `${nodeId}[/"${text}"/]`;
    case 'exit':
      return `${nodeId}(("${text}"))`;
    default:
      return `${nodeId}["${text}"]`;
  }
}

/** A one-line description of what a step does, for graphs and reports. */
function describeStep(step: Step): string {
  switch (step.type) {
    case 'email':
      return `Email: ${step.template}`;
    case 'sms':
      return `SMS: ${step.template}`;
    case 'push':
      return `Push: ${step.template}`;
    case 'wait':
      return describeWait(step);
    case 'waitForEvent':
      return `Wait up to ${humanDuration(step.timeout)} for ${step.event}`;
    case 'branch':
      return 'Branch';
    case 'split':
      return 'A/B split';
    case 'updateProfile':
      return 'Update profile';
    case 'emit':
      return `Emit ${step.event}`;
    case 'updateContext':
      return `Set ${Object.keys(step.set).join(', ')}`;
    case 'webhook':
      return `Webhook ${step.method} ${step.connection}`;
    case 'exit':
      return step.reason === undefined ? 'Exit' : `Exit: ${step.reason}`;
  }
}

function describeWait(step: Extract<Step, { type: 'wait' }>): string {
  const parts: string[] = [];
  if (step.for !== undefined) parts.push(`Wait ${humanDuration(step.for)}`);
  if (step.until !== undefined) parts.push(`Wait until ${step.until}`);
  if (step.untilDate !== undefined) {
    const offset = step.untilDate.offset;
    const when =
      offset === undefined ? '' : `${humanDuration(offset)} ${offset.startsWith('-') ? 'before' : 'after'} `;
    parts.push(`Wait until ${when}${step.untilDate.path}`);
  }
  if (step.window !== undefined) {
    const days = step.window.weekdays === undefined ? '' : ` ${step.window.weekdays.join(',')}`;
    parts.push(
      `${parts.length === 0 ? 'Wait for' : 'then'} ${step.window.start}–${step.window.end}${days} local`,
    );
  }
  return parts.join(', ');
}

function describeTrigger(trigger: Trigger): string {
  switch (trigger.type) {
    case 'event':
      return `When ${trigger.event}`;
    case 'identify':
      return 'When identified';
    case 'segment':
      return `Segment, ${trigger.schedule}`;
  }
}

/** "PT1H" → "1 hour", "-P3D" → "3 days". */
export function humanDuration(iso: string): string {
  const duration = Duration.fromISO(iso.replace(/^-/, ''));
  if (!duration.isValid) return iso;
  const parts = Object.entries(duration.toObject())
    .filter(([, value]) => value !== undefined && value !== 0)
    .map(([unit, value]) => `${value} ${value === 1 ? unit.replace(/s$/, '') : unit}`);
  return parts.length === 0 ? '0 seconds' : parts.join(' ');
}

/**
 * Characters a quoted Mermaid label shows as they are. Every other one is
 * written as an entity code (`#60;`), which Mermaid shows as that character:
 * `"` would end the label, `#…;` is an entity, `<…>` is HTML, a backtick
 * starts Markdown, `%%` a directive, `[ ] { } | ;` and line breaks are syntax, and control and
 * format characters (a terminal escape, a bidirectional override) are never
 * text. So a label is always text, whatever the journey file says.
 */
const PLAIN = /[\p{L}\p{M}\p{N} .,:()/'?!+=@*~$^_-]/u;

/** A label's text for inside `"…"`, every character not plain as its entity code. */
function quote(text: string): string {
  let out = '';
  for (const char of text) out += PLAIN.test(char) ? char : `#${char.codePointAt(0)};`;
  return out;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Mermaid-safe node ids derived from step ids, unique even when sanitising collides. */
class NodeIds {
  readonly entry = 'trigger';
  private readonly ids = new Map<string, string>();
  private readonly used = new Set<string>([this.entry]);

  of(stepId: string): string {
    const known = this.ids.get(stepId);
    if (known !== undefined) return known;
    const base = `s_${stepId.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let candidate = base;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${base}_${n}`;
    this.used.add(candidate);
    this.ids.set(stepId, candidate);
    return candidate;
  }
}
