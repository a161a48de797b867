import { join } from 'node:path';
import { describeCondition } from '#shared/conditions/describe.ts';
import { variantOf } from '#shared/ingest/live-journey.ts';
import { stepOfState } from '#shared/journey/compile/context.ts';
import type { Journey, StepOf } from '#shared/journey/schema.ts';
import type { HistoryEvent } from '../services/stepfunctions/api/history.ts';
import { HistoryStore } from '../services/stepfunctions/api/history-store.ts';

/**
 * Where an enrollment went at its splits and branches, in the journey's
 * words: the variant it got (`variant "sms" → cart-sms`) and the branch it
 * took, by name or, unnamed, by its condition. Read from the execution's
 * history (a split or a branch on execution data is a Choice, which leaves
 * no task behind) and the journey as deployed.
 */

/** One decision: when, what, and after which step visit it belongs (the index of the step it led to). */
export type Decision = { at: string; text: string; visit: number };

/** The steps an execution entered, in order (a step entered again is a new visit), and its decisions. */
export type Route = { visits: string[]; decisions: Decision[] };

/** Reads the kept histories of a data folder (never prunes: the runtime prunes on its own clock). */
export async function historyReader(
  dataDir: string,
): Promise<(executionArn: string) => Promise<HistoryEvent[]>> {
  const store = await HistoryStore.open(join(dataDir, 'stepfunctions', 'history'), () => 0);
  return async (executionArn) => (await store.events(executionArn)) ?? [];
}

/**
 * The route of one execution. `matches` are the evaluate function's answers
 * per branch step, in order (a branch on the profile): the branch it took
 * exactly, where the step it went to could be reached by several.
 */
export function routeOf(
  events: readonly HistoryEvent[],
  where: { journeyId: string; journey: Journey; buckets: Readonly<Record<string, number>> },
  matches: ReadonlyMap<string, number[]>,
): Route {
  const visits: string[] = [];
  const decisions: Decision[] = [];
  const taken = new Map<string, number>();
  let current: { stepId: string; at: string } | undefined;
  for (const event of events) {
    if (!event.type.endsWith('StateEntered')) continue;
    const name = enteredName(event);
    const stepId = name === undefined ? undefined : stepOfState(name);
    if (stepId === undefined || stepId === current?.stepId) continue;
    const at = new Date(event.timestamp * 1000).toISOString();
    if (current !== undefined) {
      const n = taken.get(current.stepId) ?? 0;
      taken.set(current.stepId, n + 1);
      const text = decisionText(where, current.stepId, stepId, matches.get(current.stepId)?.[n]);
      if (text !== undefined) decisions.push({ at: current.at, text, visit: visits.length });
    }
    visits.push(stepId);
    current = { stepId, at };
  }
  return { visits, decisions };
}

function enteredName(event: HistoryEvent): string | undefined {
  const details = event.stateEnteredEventDetails;
  if (typeof details !== 'object' || details === null || !('name' in details)) return undefined;
  return typeof details.name === 'string' ? details.name : undefined;
}

function decisionText(
  where: { journeyId: string; journey: Journey; buckets: Readonly<Record<string, number>> },
  stepId: string,
  next: string,
  match: number | undefined,
): string | undefined {
  const { journey } = where;
  const step =
    journey !== undefined && Object.hasOwn(journey.steps, stepId) ? journey.steps[stepId] : undefined;
  const at = `${where.journeyId}/${stepId}`;
  if (step?.type === 'split') {
    const bucket = Object.hasOwn(where.buckets, stepId) ? where.buckets[stepId] : undefined;
    const name = variantTaken(step, next, bucket);
    const holdout = step.variants.find((v) => v.name === name)?.holdout === true ? ' (holdout)' : '';
    return `split  ${at}: variant ${name === undefined ? '?' : JSON.stringify(name)}${holdout} → ${next}`;
  }
  if (step?.type === 'branch') return `branch ${at}: ${branchTaken(step, next, match)} → ${next}`;
  return undefined;
}

/**
 * Which variant a split gave an enrollment. The variant its enrollment
 * recorded at entry is the one its conversion counts for; else where the
 * split went, when one variant leads there. The bucket is read with the
 * weights of the definition at hand only when that cannot tell, among the
 * variants leading there: an enrollment of an earlier version drew under
 * its own weights (a split that went where none of these leads names no
 * variant rather than a wrong one), and one
 * drawn after an experiment ended got the winner whatever its bucket.
 */
export function variantTaken(
  step: StepOf<'split'>,
  next: string | undefined,
  bucket: number | undefined,
  recorded?: string,
): string | undefined {
  if (recorded !== undefined) return recorded;
  const leading = step.variants.filter((v) => next !== undefined && v.next === next).map((v) => v.name);
  if (leading.length === 1) return leading[0];
  // No variant at hand leads there: an earlier version's, drawn under its weights, which are not these.
  if (next !== undefined && leading.length === 0) return undefined;
  const drawn = bucket === undefined ? undefined : variantOf(step.variants, bucket);
  if (drawn !== undefined && (leading.length === 0 || leading.includes(drawn))) return drawn;
  return leading.length === 0 ? undefined : leading.join(' or ');
}

/** Which branch a branch step took: by the evaluate function's index, else by where it went. */
export function branchTaken(step: StepOf<'branch'>, next: string, match: number | undefined): string {
  if (match !== undefined) return match < 0 ? 'otherwise' : branchName(step, match);
  const candidates = step.branches.flatMap((b, i) => (b.next === next ? [branchName(step, i)] : []));
  if (step.otherwise === next) candidates.push('otherwise');
  return candidates.length === 0 ? '?' : candidates.join(' or ');
}

/** A branch by its name, else its number and condition: `branch 2 (profile.traits.plan eq "pro")`. */
function branchName(step: StepOf<'branch'>, index: number): string {
  const branch = step.branches[index];
  if (branch === undefined) return `branch ${index + 1}`;
  return branch.name === undefined
    ? `branch ${index + 1} (${describeCondition(branch.when)})`
    : JSON.stringify(branch.name);
}
