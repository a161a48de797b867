import { MAX_EVENT_NAME_LENGTH } from '../events.ts';
import { durationSeconds } from '../time.ts';
import { utf8Length } from '../utf8.ts';

/**
 * The patterns, bounds and messages of a journey's statuses, trigger, goal,
 * entry limits and experiments, without a schema library: the language
 * (classic zod, `schema.ts`) and the functions' twin of what the registry
 * keeps of a live journey (`zod/mini`, `mini-schema.ts`) both build their
 * schemas from these.
 */

/** draft: validated, not live; active: enrolling; paused: no new enrollments; archived: retired. */
export const JOURNEY_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;

/** An EventBridge Scheduler expression: `rate(...)` or `cron(...)`. */
export const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/;

/** The most entries a limit may allow per window: the record keeps one timestamp per entry. */
export const MAX_ENTRIES_PER_WINDOW = 100;
/** The longest limit window (the record of entries lives this long after the last one). */
const MAX_LIMIT_WINDOW = 'P366D';
const MAX_LIMIT_SECONDS = 366 * 24 * 3600;

/** True for a limit window no longer than {@link MAX_LIMIT_WINDOW}. */
export function isLimitWindow(duration: string): boolean {
  return (durationSeconds(duration) ?? 0) <= MAX_LIMIT_SECONDS;
}

/** True for a path in the event itself, where a goal reads its money value. */
export function isEventPath(path: string): boolean {
  return path.startsWith('event.');
}

/** An experiment's smallest sample per variant, and its confidence level. */
export const EXPERIMENT_BOUNDS = {
  minSample: { min: 1, max: 10_000_000 },
  confidence: { min: 0.8, max: 0.999, default: 0.95 },
} as const;

/** True for an event name customers' events may have (ingest refuses a longer one, so a journey would never see it). */
export function isCustomerEventName(name: string): boolean {
  return utf8Length(name) <= MAX_EVENT_NAME_LENGTH;
}

/** A name with something besides spaces (events are read trimmed: a blank one is none). */
export const NOT_BLANK = /\S/;

export const RULE_MESSAGES = {
  blankEventName: 'must not be blank',
  eventName: `must be at most ${MAX_EVENT_NAME_LENGTH} bytes in UTF-8, the longest event name customers' events may have`,
  schedule: 'must be an EventBridge schedule: rate(1 day) or cron(0 9 * * ? *)',
  timestamp: 'must be an ISO 8601 timestamp such as 2026-12-01T09:00:00Z',
  goalValue: 'must be a path in the goal event (event.…)',
  limitWindow: `must be at most ${MAX_LIMIT_WINDOW}`,
} as const;
