import * as z from 'zod';
import { Condition, ConditionPath } from '../conditions/schema.ts';
import type { Profile } from '../profile.ts';
import type { Channel, EventSnapshot } from './profile-changes.ts';

/**
 * What the profile item knows beyond the customer profile itself: active
 * enrollments, waiting steps, re-entry records, recent sends and the last
 * occurrence of each event. It comes back from the one profile write of an
 * event, so the ingest hot path needs no read.
 */

export const ActiveEnrollment = z.object({
  enrollmentId: z.string(),
  journeyId: z.string(),
  version: z.string(),
  executionArn: z.string(),
  enrolledAt: z.string(),
  correlation: z.string().optional(),
  converted: z.boolean().optional(),
});
export type ActiveEnrollment = z.infer<typeof ActiveEnrollment>;

export const Waiter = z.object({
  enrollmentId: z.string(),
  journeyId: z.string(),
  version: z.string().optional(),
  stepId: z.string(),
  event: z.string(),
  where: Condition.optional(),
  match: z.array(z.object({ path: ConditionPath, value: z.unknown() })).default([]),
  token: z.string(),
  startedAt: z.string(),
  expiresAt: z.string(),
  trigger: z.unknown().optional(),
});
export type Waiter = z.infer<typeof Waiter>;

export const ReentryRecord = z.object({ at: z.string(), enrollmentId: z.string() });
export type ReentryRecord = z.infer<typeof ReentryRecord>;

export type ProfileState = {
  profile: Profile;
  active: ActiveEnrollment[];
  waiters: Waiter[];
  reentry: Record<string, ReentryRecord>;
  sends: Record<Channel, string[]>;
  /** Bumped by every cap reservation: the optimistic-concurrency guard of `sends`. */
  sendsVersion: number;
  lastEvents: Record<string, EventSnapshot>;
};

/** The key of a waiting step on the profile: one per (enrollment, step). */
export function waiterKey(enrollmentId: string, stepId: string): string {
  return `${enrollmentId}:${stepId}`;
}

/** The key of a re-entry record: per journey, and per correlation value when the journey has one. */
export function reentryKey(journeyId: string, correlation?: string): string {
  return correlation === undefined ? journeyId : `${journeyId}#${correlation}`;
}
