import { Condition, ConditionPath, IsoDuration } from '../conditions/mini-schema.ts';
import { canonicalName } from '../names.ts';
import * as z from '../zod.ts';
import type { EntryLimit as EntryLimitType } from './entry/limits.ts';
import type { Experiment as ExperimentType } from './experiment.ts';
import {
  EXPERIMENT_BOUNDS,
  isCustomerEventName,
  isEventPath,
  isLimitWindow,
  MAX_ENTRIES_PER_WINDOW,
  NOT_BLANK,
  RULE_MESSAGES,
  SCHEDULE,
} from './rules.ts';
import { scheduleProblem } from './schedule-expression.ts';
import type * as language from './schema.ts';

/**
 * The parts of the journey language that the registry keeps of a live
 * journey — trigger, re-entry, goal, the enrollment settings, experiments —
 * in `zod/mini`, for the functions that read that record (ingest, segment
 * entry, await-event) without building the language (classic zod,
 * `schema.ts`, which documents every field and generates the JSON Schema)
 * at every cold start. Built from the same rules and messages
 * (`rules.ts`); a test holds each to the language: the same schema
 * structure, and the same verdict and issues for valid and invalid values.
 */

/** The language's CustomerEventName: read trimmed and in Unicode NFC, as ingest reads events' names. */
const CustomerEventName = () =>
  z
    .string()
    .check(
      z.minLength(1),
      z.refine(isCustomerEventName, RULE_MESSAGES.eventName),
      z.regex(NOT_BLANK, RULE_MESSAGES.blankEventName),
      z.overwrite(canonicalName),
    );

const Timestamp = z.iso.datetime({ offset: true, message: RULE_MESSAGES.timestamp });

const EntryLimit: z.ZodMiniType<EntryLimitType> = z.strictObject({
  max: z.number().check(z.int(), z.gte(1), z.lte(MAX_ENTRIES_PER_WINDOW)),
  per: IsoDuration.check(z.refine(isLimitWindow, { message: RULE_MESSAGES.limitWindow })),
});

const MaxAge = IsoDuration;

const EventTrigger = z.strictObject({
  type: z.literal('event'),
  event: CustomerEventName(),
  where: z.optional(Condition),
  correlationKey: z.optional(ConditionPath),
  limit: z.optional(EntryLimit),
  maxAge: z.optional(MaxAge),
});

const IdentifyTrigger = z.strictObject({
  type: z.literal('identify'),
  where: z.optional(Condition),
  limit: z.optional(EntryLimit),
  maxAge: z.optional(MaxAge),
});

const SegmentTrigger = z.strictObject({
  type: z.literal('segment'),
  schedule: z.string().check(
    z.regex(SCHEDULE, { message: RULE_MESSAGES.schedule }),
    z.superRefine((expression, ctx) => {
      const problem = scheduleProblem(expression);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  segment: Condition,
  limit: z.optional(EntryLimit),
});

export const Trigger: z.ZodMiniType<language.Trigger> = z.discriminatedUnion('type', [
  EventTrigger,
  IdentifyTrigger,
  SegmentTrigger,
]);

const ReentryForm = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('once') }),
  z.strictObject({ mode: z.literal('always') }),
  z.strictObject({ mode: z.literal('after'), cooldown: IsoDuration }),
]);

export const Reentry: z.ZodMiniType<language.Reentry, z.input<typeof language.Reentry>> = z.union([
  z.pipe(
    z.enum(['once', 'always']),
    z.transform((mode) => ({ mode })),
  ),
  ReentryForm,
]);

export const Goal: z.ZodMiniType<NonNullable<language.Journey['goal']>> = z.strictObject({
  event: CustomerEventName(),
  where: z.optional(Condition),
  within: z.optional(IsoDuration),
  value: z.optional(ConditionPath.check(z.refine(isEventPath, RULE_MESSAGES.goalValue))),
  exit: z._default(z.boolean(), true),
});

/** The settings that decide enrollment, in the order the language's `Settings.pick` gives them. */
export const EntrySettings: z.ZodMiniType<Pick<language.Settings, 'startAt' | 'endAt' | 'defaultTimezone'>> =
  z.strictObject({
    startAt: z.optional(Timestamp),
    endAt: z.optional(Timestamp),
    defaultTimezone: z._default(z.string(), 'UTC'),
  });

const { minSample, confidence } = EXPERIMENT_BOUNDS;

export const Experiment: z.ZodMiniType<ExperimentType> = z.strictObject({
  metric: z.literal('goal'),
  minSample: z.number().check(z.int(), z.gte(minSample.min), z.lte(minSample.max)),
  until: z.union([z.literal('significant'), IsoDuration]),
  confidence: z._default(z.number().check(z.gte(confidence.min), z.lte(confidence.max)), confidence.default),
});
