import { join, resolve } from 'node:path';
import type { Trace, TraceExecution, TraceMessage } from '#infra/local/trace.ts';
import type { ExperimentState } from '#shared/ingest/experiments.ts';
import { variantOf } from '#shared/ingest/live-journey.ts';
import type { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';
import { readJsonFile } from '../files.ts';

export type TraceOptions = { dataDir: string; journeysDir: string; endpoint?: string; json?: boolean };

/** How an execution ended, in the product's words (a stop by ingest names its reason). */
function ending(e: TraceExecution): string {
  if (e.status === 'RUNNING') return 'still running';
  const at = e.stoppedAt === undefined ? '' : ` at ${e.stoppedAt}`;
  if (e.status === 'ABORTED' && e.cause !== undefined) return `stopped: ${e.cause}${at}`;
  if (e.status === 'SUCCEEDED') return `completed${at}`;
  const why = [e.error, e.cause].filter((s) => s !== undefined).join(': ');
  return `${e.status.toLowerCase().replace('_', ' ')}${at}${why === '' ? '' : ` (${why})`}`;
}

function message(m: TraceMessage): string {
  const head = `${m.stepId} (${m.channel}): ${m.status}`;
  const o = m.output;
  const what =
    o === undefined
      ? (m.detail ?? '')
      : o.status === 'sent'
        ? `message ${o.messageId}`
        : o.status === 'deferred'
          ? `until ${o.until}, ${o.reason}`
          : o.reason;
  const attempts = m.attempts > 1 ? `, ${m.attempts} attempts` : '';
  return `${head}${what === '' ? '' : ` — ${what}`}${m.updatedAt === undefined ? '' : ` at ${m.updatedAt}`}${attempts}`;
}

/** Why an enrollment has its variant at a split with an experiment: drawn while it ran, or its winner. */
function experimentNote(e: TraceExecution, state: ExperimentState | undefined, variant: string): string {
  if (state === undefined) return '';
  const { decision } = state;
  if (decision === undefined) return ' (experiment running)';
  if (e.startedAt >= decision.at && variant === decision.winner)
    return ` (the experiment's winner since ${decision.at}: ${decision.reason})`;
  return ` (drawn during the experiment; it ended ${decision.at}, winner ${decision.winner})`;
}

/** The split variants an execution's buckets select, when the journey file is at hand. */
function variants(
  e: TraceExecution,
  journey: Journey | undefined,
  experiments: readonly ExperimentState[],
): string[] {
  if (journey === undefined) return [];
  return Object.entries(e.buckets).flatMap(([stepId, bucket]) => {
    const step = Object.hasOwn(journey.steps, stepId) ? journey.steps[stepId] : undefined;
    if (step?.type !== 'split') return [];
    const variant = variantOf(step.variants, bucket);
    const state = experiments.find((s) => s.stepId === stepId);
    return variant === undefined ? [] : [`${stepId} → ${variant}${experimentNote(e, state, variant)}`];
  });
}

/** The trace as text: one block per enrollment, oldest first. */
export function traceText(trace: Trace, journeys: ReadonlyMap<string, Journey>): string {
  const out = [`customer ${trace.userId}`];
  const traits = Object.entries(trace.traits).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  out.push(`  traits: ${traits.length === 0 ? '(none)' : traits.join(', ')}`);
  if (trace.executions.length === 0) out.push('  no enrollments');
  for (const e of trace.executions) {
    const journey = journeys.get(e.journeyId);
    out.push('', `${e.journeyId} v${e.version} — enrollment ${e.enrollmentId}`);
    out.push(`  started ${e.startedAt}; ${ending(e)}`);
    const states = trace.experiments.find((x) => x.journeyId === e.journeyId)?.states ?? [];
    const chosen = variants(e, journey, states);
    if (chosen.length > 0) out.push(`  variants: ${chosen.join(', ')}`);
    const steps =
      journey === undefined ? e.visited : e.visited.filter((s) => Object.hasOwn(journey.steps, s));
    out.push(`  steps: ${steps.length === 0 ? '(none)' : steps.join(' → ')}`);
    for (const m of trace.messages.filter((x) => x.enrollmentId === e.enrollmentId))
      out.push(`  message ${message(m)}`);
    const kept = trace.enrollments.find((x) => x.enrollmentId === e.enrollmentId);
    if (kept?.converted) out.push('  converted');
    if (kept?.endedAt !== undefined && kept.goalUntil !== undefined && !kept.converted)
      out.push(`  goal window open until ${kept.goalUntil}`);
  }
  return `${out.join('\n')}\n`;
}

async function loadJourneys(dir: string, ids: readonly string[]): Promise<Map<string, Journey>> {
  const journeys = new Map<string, Journey>();
  for (const id of new Set(ids)) {
    const json = await readJsonFile(join(resolve(dir), `${id}.json`));
    if (!json.ok) continue;
    const parsed = validateJourney(json.value);
    if (parsed.ok) journeys.set(id, parsed.journey);
  }
  return journeys;
}

/** `journeys trace <customer>`: what happened to one customer, locally. */
export async function traceCommand(userId: string, options: TraceOptions): Promise<void> {
  // Loaded on use: every command starts faster without the SDK clients it does not need.
  const { readTrace } = await import('#infra/local/trace.ts');
  const source = { kind: 'local' as const, dataDir: resolve(options.dataDir), endpoint: options.endpoint };
  const trace = await readTrace(source, userId);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(trace, null, 2)}\n`);
    return;
  }
  const journeys = await loadJourneys(
    options.journeysDir,
    trace.executions.map((e) => e.journeyId),
  );
  process.stdout.write(traceText(trace, journeys));
}
