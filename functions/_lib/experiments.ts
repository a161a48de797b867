import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { updateItem } from '#functions/_lib/clients/document-calls.ts';
import type { ExperimentState } from '#shared/ingest/experiments.ts';
import type { LiveJourney } from '#shared/ingest/live-journey.ts';
import { judgeExperiment, type VariantCounts } from '#shared/stats/experiment.ts';
import { addDuration } from '#shared/time.ts';
import { isConditionFailed } from './expression.ts';
import { LIVE_SK } from './registry.ts';
import type { StatRow, StatsRepository } from './stats.ts';

/**
 * Ends experiments. Who decides: the enrollment path, right after it counts
 * an entrant — the only moment a decision changes anything (it is read by the
 * next entrants) — at most once per CHECK_INTERVAL per experiment, claimed by
 * a conditional write so concurrent invocations do not all read the
 * counters, and at the end of a test window. No scheduler, no extra
 * function: a journey nobody enters has no one waiting for its decision.
 */

/** How often a running experiment's counters are read. */
const CHECK_INTERVAL = 'PT1H';

/** The counts of one split's variants from its experiment's totals. */
function totalCounts(
  totals: ReadonlyMap<string, { assigned: number; converted: number }>,
  variants: readonly { name: string; weight: number; holdout: boolean }[],
): VariantCounts[] {
  return variants.map((v) => ({ ...v, assigned: 0, converted: 0, ...totals.get(v.name) }));
}

/**
 * The counters of one split's variants, from the experiment's first version on, summed over
 * every counter of the journey: for an experiment begun before its totals were kept.
 */
function variantCounts(
  rows: readonly StatRow[],
  state: ExperimentState,
  variants: readonly { name: string; weight: number; holdout: boolean }[],
): VariantCounts[] {
  const from = Number(state.fromVersion);
  const counts = new Map(variants.map((v) => [v.name, { ...v, assigned: 0, converted: 0 }]));
  for (const row of rows) {
    if (row.stepId !== state.stepId || row.variant === undefined || Number(row.version) < from) continue;
    const c = counts.get(row.variant);
    if (c === undefined) continue;
    if (row.metric === 'assigned') c.assigned += row.count;
    if (row.metric === 'converted') c.converted += row.count;
  }
  return [...counts.values()];
}

/** The next look: an hour on, or the end of the test window if that comes first. */
function nextCheck(state: ExperimentState, now: Date): string {
  const next = addDuration(now, CHECK_INTERVAL);
  const { until } = state.experiment;
  if (until === 'significant') return next.toISOString();
  const ends = addDuration(new Date(state.startedAt), until);
  return (ends > now && ends < next ? ends : next).toISOString();
}

export class ExperimentJudge {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly stats: Pick<StatsRepository, 'read' | 'experimentTotals'>,
    private readonly now: () => Date,
    /** Told when a decision is recorded (the caller's registry cache is stale then). */
    private readonly onDecided: () => void = () => {},
  ) {}

  /** Looks at the journey's running experiments that are due; true when one ended. */
  async checkDue(journey: LiveJourney): Promise<boolean> {
    const now = this.now();
    let decided = false;
    const states = journey.experiments ?? [];
    for (const [index, state] of states.entries()) {
      if (state.decision !== undefined || (state.checkAt !== undefined && state.checkAt > now.toISOString()))
        continue;
      if (!(await this.claim(journey, index, state, now))) continue;
      const split = Object.hasOwn(journey.splits, state.stepId) ? journey.splits[state.stepId] : undefined;
      const variants = await this.counts(journey.journeyId, state, split ?? []);
      const verdict = judgeExperiment(state.experiment, state.startedAt, variants, now);
      const recorded =
        verdict.status === 'decided'
          ? await this.write(journey, index, state, 'decision', verdict.decision)
          : await this.write(journey, index, state, 'lastCheck', {
              at: now.toISOString(),
              reason: verdict.reason,
            });
      if (verdict.status === 'decided' && recorded) decided = true;
    }
    if (decided) this.onDecided();
    return decided;
  }

  /** The experiment's counts per variant: its totals, or for one begun before them, every counter. */
  private async counts(
    journeyId: string,
    state: ExperimentState,
    split: readonly { name: string; weight: number; holdout: boolean }[],
  ): Promise<VariantCounts[]> {
    if (state.totals === true)
      return totalCounts(
        await this.stats.experimentTotals(journeyId, state.stepId, state.fromVersion),
        split,
      );
    return variantCounts((await this.stats.read(journeyId)).counters, state, split);
  }

  /** Takes the due look for this invocation; false when another took it or the experiment changed. */
  private async claim(
    journey: LiveJourney,
    index: number,
    state: ExperimentState,
    now: Date,
  ): Promise<boolean> {
    const at = `experiments[${index}]`;
    return this.update(journey, {
      UpdateExpression: `SET ${at}.checkAt = :next`,
      // The same experiment (a deploy may have replaced the list, or restarted it with new weights:
      // same key, a later first version), still running, and due.
      ConditionExpression: `${at}.#key = :key AND ${at}.fromVersion = :from AND attribute_not_exists(${at}.decision) AND (attribute_not_exists(${at}.checkAt) OR ${at}.checkAt <= :now)`,
      ExpressionAttributeNames: { '#key': 'key' },
      ExpressionAttributeValues: {
        ':next': nextCheck(state, now),
        ':key': state.key,
        ':from': state.fromVersion,
        ':now': now.toISOString(),
      },
    });
  }

  private async write(
    journey: LiveJourney,
    index: number,
    state: ExperimentState,
    field: 'decision' | 'lastCheck',
    value: unknown,
  ): Promise<boolean> {
    const at = `experiments[${index}]`;
    return this.update(journey, {
      UpdateExpression: `SET ${at}.${field} = :value`,
      // Decided once: a decision is never overwritten, nor written onto another experiment.
      ConditionExpression: `${at}.#key = :key AND ${at}.fromVersion = :from AND attribute_not_exists(${at}.decision)`,
      ExpressionAttributeNames: { '#key': 'key' },
      ExpressionAttributeValues: { ':value': value, ':key': state.key, ':from': state.fromVersion },
    });
  }

  private async update(
    journey: LiveJourney,
    expression: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<boolean> {
    try {
      await updateItem(this.db, {
        TableName: this.table,
        Key: { journeyId: journey.journeyId, sk: LIVE_SK },
        ...expression,
      });
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
