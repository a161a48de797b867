import type { ExperimentState } from '../ingest/experiments.ts';
import type { Journey } from '../journey/schema.ts';

/** An experiment as the report and trace show it: what was declared, and how it stands or how it ended. */
export type ExperimentResult = {
  stepId: string;
  /** The declaration in words. */
  declared: string;
  fromVersion: string;
  startedAt: string;
  /** `unknown`: the registry that records it was not read (the report's counters alone). */
  status: 'running' | 'ended' | 'unknown';
  winner?: string;
  /** When it ended, or when it was last looked at. */
  at?: string;
  reason?: string;
};

/**
 * The experiments of a journey's splits with their recorded state (a split
 * not yet deployed shows as running); `states` undefined when the registry
 * was not read, so how each stands is not known.
 */
export function experimentResults(
  journey: Journey,
  states: readonly ExperimentState[] | undefined,
): ExperimentResult[] {
  const out: ExperimentResult[] = [];
  for (const [stepId, step] of Object.entries(journey.steps)) {
    if (step.type !== 'split' || step.experiment === undefined) continue;
    const { minSample, until, confidence } = step.experiment;
    const window = until === 'significant' ? `until significant at ${confidence * 100}%` : `for ${until}`;
    const declared = `goal conversion, ${minSample} entrants per variant at least, ${window}`;
    if (states === undefined) {
      out.push({ stepId, declared, fromVersion: '-', startedAt: '-', status: 'unknown' });
      continue;
    }
    const state = states.find((s) => s.stepId === stepId);
    const base = {
      stepId,
      declared,
      fromVersion: state?.fromVersion ?? '-',
      startedAt: state?.startedAt ?? '-',
    };
    if (state?.decision !== undefined) {
      const { winner, at, reason } = state.decision;
      out.push({ ...base, status: 'ended', winner, at, reason });
    } else {
      out.push({ ...base, status: 'running', ...(state?.lastCheck ?? {}) });
    }
  }
  return out;
}

/** One line for a terminal. */
export function experimentLine(e: ExperimentResult): string {
  if (e.status === 'unknown')
    return `Experiment on "${e.stepId}" (${e.declared}): not read — the journeys table holds how it stands`;
  const head = `Experiment on "${e.stepId}" (${e.declared}; since version ${e.fromVersion}, ${e.startedAt})`;
  if (e.status === 'ended') return `${head}: ended ${e.at} — winner ${e.winner}: ${e.reason}`;
  return `${head}: running${e.reason === undefined ? '' : ` — ${e.reason} (looked at ${e.at})`}`;
}
