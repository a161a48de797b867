import { evaluateCondition } from '../conditions/evaluate.ts';
import type { LiveJourney } from '../ingest/live-journey.ts';
import { type Enrollment, planEntry } from '../ingest/plan.ts';
import type { ProfileState, ReentryRecord } from '../profile/state.ts';

/**
 * What a segment run decides: whether a journey runs now, who is in the
 * segment, and each member's enrollment. Enrollment planning is the one
 * ingest uses (names, re-entry, buckets); only the trigger id differs.
 */

export type SegmentJourney = LiveJourney & { trigger: Extract<LiveJourney['trigger'], { type: 'segment' }> };

/** Why a journey does not run at this moment, or undefined when it does. */
export function notRunnable(journey: LiveJourney, at: Date): string | undefined {
  if (journey.trigger.type !== 'segment') return 'not segment-triggered';
  if (journey.status !== 'active') return `status ${journey.status}`;
  const { startAt, endAt } = journey.settings;
  if (startAt !== undefined && at < new Date(startAt)) return 'before its start date';
  if (endAt !== undefined && at > new Date(endAt)) return 'after its end date';
  return undefined;
}

/** True when the journey is segment-triggered (narrows the trigger). */
export function isSegmentJourney(journey: LiveJourney): journey is SegmentJourney {
  return journey.trigger.type === 'segment';
}

/**
 * The run id: the scheduled time as a UTC ISO string (a retried invocation of
 * the same occurrence gets the same id); `fallback` when the invocation has
 * none (an ad-hoc run).
 */
export function runIdOf(scheduledTime: string | undefined, fallback: Date): string {
  return new Date(scheduledTime ?? fallback).toISOString();
}

/** The trigger id of a run, from which enrollment names derive. */
export function segmentTriggerId(runId: string): string {
  return `segment:${runId}`;
}

/**
 * Where a profile stands for a run (judged at the run time): outside the
 * segment (not the run's concern), in the segment but outside the journey's
 * audience (turned away: `audience`), or in both.
 */
export function segmentMembership(
  journey: SegmentJourney,
  state: ProfileState,
  at: Date,
): 'outside' | 'audience' | 'member' {
  const ctx = { profile: state.profile, now: at, defaultTimezone: journey.settings.defaultTimezone };
  if (!evaluateCondition(journey.trigger.segment, ctx)) return 'outside';
  if (journey.audience !== undefined && !evaluateCondition(journey.audience, ctx)) return 'audience';
  return 'member';
}

/**
 * A customer's enrollment in a run, or undefined when the re-entry records
 * given keep them out. Pass no records to plan it unconditionally (the
 * profile write then enforces re-entry).
 */
export function segmentEnrollment(
  journey: LiveJourney,
  userId: string,
  runId: string,
  reentry: Readonly<Record<string, ReentryRecord>> = {},
): Enrollment | undefined {
  return planEntry(journey, { userId, triggerId: segmentTriggerId(runId), now: new Date(runId), reentry });
}
