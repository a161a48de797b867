import { OUTCOMES, outcomeMetric } from '../stats/keys.ts';

/**
 * Open Standard executions are limited per account and Region (1,000,000 by
 * default; AWS raises it to a few million on request). A journey whose customers wait for days keeps
 * each one open, so a large segment run can reach the limit; then
 * StartExecution fails with ExecutionLimitExceeded for every journey,
 * event-triggered ones included. Segment entry pauses before that.
 */
export const OPEN_EXECUTION_LIMIT = 1_000_000;
/** Segment entry pauses at this share of the limit, leaving the rest to event-triggered journeys. */
const PAUSE_AT = 0.9;
/** The open-executions alarm fires at this share of the limit: time to act before entry pauses. */
export const ALARM_AT = 0.8;

type CounterRow = { metric: string; stepId?: string; count: number };

const ENDED = new Set<string>(OUTCOMES.map(outcomeMetric));

/**
 * Open executions of one journey from its counters: entered minus ended (all
 * versions). Each is counted once per enrollment, so the difference is what
 * is still running, give or take the counts in flight.
 */
export function openExecutions(rows: readonly CounterRow[]): number {
  let open = 0;
  for (const row of rows) {
    // Per-step rows (variants) repeat the journey's figures: only journey-level rows count.
    if (row.stepId !== undefined) continue;
    if (row.metric === 'enrolled') open += row.count;
    else if (ENDED.has(row.metric)) open -= row.count;
  }
  return Math.max(0, open);
}

/** Why segment entry should pause now, or undefined while there is headroom. */
export function pauseReason(openInAccount: number, limit = OPEN_EXECUTION_LIMIT): string | undefined {
  if (openInAccount < limit * PAUSE_AT) return undefined;
  return `${openInAccount} open executions in the account, at ${Math.round(PAUSE_AT * 100)}% of the limit of ${limit}`;
}
