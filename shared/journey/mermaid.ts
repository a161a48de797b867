import { Duration } from 'luxon';
import type { Channel } from '../channels.ts';
import { describeCondition } from '../conditions/describe.ts';
import type { Condition } from '../conditions/schema.ts';
import { edgesOf } from './graph.ts';
import type { Journey, Step, Trigger } from './schema.ts';

/**
 * A Mermaid flowchart of a journey: steps grouped by stage, branches and
 * waits labelled, split edges with their weights. GitHub and GitLab render it
 * as a picture inside a ```mermaid block.
 */
export function toMermaid(journey: Journey): string {
  const ids = new NodeIds();
  const lines = [
    'flowchart TD',
    `  ${ids.entry}(["${quote(describeTrigger(journey.trigger))}"])`,
    ...journeyEnds(journey, ids.entry),
  ];
  const byStage = new Map<string, [string, Step][]>();
  for (const entry of Object.entries(journey.steps)) {
    const stage = entry[1].stage ?? '';
    byStage.set(stage, [...(byStage.get(stage) ?? []), entry]);
  }
  for (const [stage, entries] of byStage) {
    const indent = stage === '' ? '  ' : '    ';
    if (stage !== '') lines.push(`  subgraph stage_${stage}["${quote(capitalize(stage))}"]`);
    for (const [id, step] of entries) {
      lines.push(`${indent}${node(ids.of(id), id, step)}`);
      for (const [i, f] of fallbacksOf(step).entries())
        lines.push(
          `${indent}${ids.of(fallbackKey(id, i))}["${quote(`Fallback ${channelName(f.channel)}: ${f.template}`)}"]`,
        );
    }
    if (stage !== '') lines.push('  end');
  }
  lines.push(`  ${ids.entry} --> ${ids.of(journey.start)}`);
  for (const [id, step] of Object.entries(journey.steps)) {
    for (const edge of edgesOf(step)) {
      const text = unnamedBranchLabel(step, edge.field) ?? edge.label;
      const label = text === undefined ? '' : `|"${quote(text)}"|`;
      lines.push(`  ${ids.of(id)} -->${label} ${ids.of(edge.to)}`);
    }
    // Each fallback is sent when the message before it did not get through in time; all go on to next.
    for (const [i, f] of fallbacksOf(step).entries()) {
      const from = ids.of(i === 0 ? id : fallbackKey(id, i - 1));
      const to = ids.of(fallbackKey(id, i));
      lines.push(
        `  ${from} -.->|"${quote(`${FALLBACK_WHEN_TEXT[f.when]} in ${humanDuration(f.within)}`)}"| ${to}`,
      );
      if ('next' in step) lines.push(`  ${to} --> ${ids.of(step.next)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** An unnamed branch says what it tests: `branch 2: profile.traits.spend gte 1000`. */
function unnamedBranchLabel(step: Step, field: readonly (string | number)[]): string | undefined {
  if (step.type !== 'branch' || field[0] !== 'branches' || typeof field[1] !== 'number') return undefined;
  const branch = step.branches[field[1]];
  if (branch === undefined || branch.name !== undefined) return undefined;
  return `branch ${field[1] + 1}: ${describeCondition(branch.when, 60)}`;
}

const FALLBACK_WHEN_TEXT = {
  notDelivered: 'not delivered',
  notOpened: 'not opened',
  notClicked: 'not clicked',
} as const;

function fallbacksOf(step: Step): NonNullable<Extract<Step, { type: 'email' }>['fallback']> {
  return step.type === 'email' || step.type === 'sms' || step.type === 'push' ? (step.fallback ?? []) : [];
}

/** The node key of a step's fallback: a step id has no dot, so it names no step. */
function fallbackKey(stepId: string, index: number): string {
  return `${stepId}.fallback${index + 1}`;
}

function channelName(channel: Channel): string {
  return channel === 'sms' ? 'SMS' : channel;
}

/**
 * The goal and the exit events: they end (or count) an enrollment wherever
 * it is, so they hang off the trigger on dotted edges, not off a step.
 */
function journeyEnds(journey: Journey, entry: string): string[] {
  const lines: string[] = [];
  const { goal, exitOn } = journey;
  if (goal !== undefined) {
    const within = goal.within === undefined ? ' while enrolled' : ` within ${humanDuration(goal.within)}`;
    const effect = goal.exit ? 'converts and ends the enrollment' : 'converts, the journey goes on';
    lines.push(
      `  goal[["${quote(`Goal: ${matcherText(goal)}${within}`)}<br/>${quote(effect)}"]]`,
      `  ${entry} -.->|"any time"| goal`,
    );
  }
  if (exitOn !== undefined && exitOn.length > 0) {
    const events = exitOn.map((e) => quote(matcherText(e))).join('<br/>');
    lines.push(`  exit_on[["Ends at once on:<br/>${events}"]]`, `  ${entry} -.->|"any time"| exit_on`);
  }
  return lines;
}

function matcherText(matcher: { event: string; where?: Condition }): string {
  return matcher.where === undefined
    ? matcher.event
    : `${matcher.event} where ${describeCondition(matcher.where)}`;
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
  private readonly used = new Set<string>([this.entry, 'goal', 'exit_on']);

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
