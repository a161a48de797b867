import { Condition, ConditionPath, IsoDuration, OffsetDuration } from '../conditions/mini-schema.ts';
import * as z from '../zod.ts';
import { ContextName, ContextValues, CopiedContextValue, LocalWindow } from './values.ts';
import { asV1, taskBase, upgradeFromV1, versioned } from './version.ts';

/** evaluate, op "branch": index of the first true condition on the fresh profile, -1 for otherwise. */
const BranchInput = z.object({
  ...taskBase,
  op: z.literal('branch'),
  conditions: z.array(Condition),
  /** The journey's default zone, in which the conditions read a date without an offset (absent in executions compiled before it was passed: UTC). */
  defaultTimezone: z.optional(z.string()),
  trigger: z.unknown(),
  event: z.optional(z.unknown()),
  context: z.optional(ContextValues),
});

/** evaluate, op "waitUntil": the moment a profile-date or local-window wait ends. */
const WaitUntilInput = z.object({
  ...taskBase,
  op: z.literal('waitUntil'),
  for: z.optional(IsoDuration),
  until: z.optional(z.string()),
  untilDate: z.optional(z.object({ path: ConditionPath, offset: z.optional(OffsetDuration) })),
  window: z.optional(LocalWindow),
  defaultTimezone: z.string(),
  trigger: z.unknown(),
});

/**
 * evaluate, op "updateProfile": set, increment and unset profile traits.
 * Lists of { trait, ... } rather than objects keyed by trait: trait names are
 * data, never object keys. Each set value keeps its JSON type (number,
 * boolean, string, list, object).
 */
export const ProfileUpdateInput = z.object({
  ...taskBase,
  op: z.literal('updateProfile'),
  set: z._default(z.array(z.object({ trait: z.string(), value: z.unknown() })), []),
  increment: z._default(z.array(z.object({ trait: z.string(), by: z.number() })), []),
  unset: z._default(z.array(z.string()), []),
  /** When the step was entered ($$.State.EnteredTime): a retry of the same visit applies nothing twice. */
  visit: z.string(),
});
export type ProfileUpdateInput = z.infer<typeof ProfileUpdateInput>;

/**
 * evaluate, op "stepFailed": the failure path of a step no handler of ours
 * runs to the end (emit, waitForEvent) counts its failure with the error's
 * kind: `error` is the error name Step Functions caught ($.failure.Error).
 */
const StepFailedInput = z.object({ ...taskBase, op: z.literal('stepFailed'), error: z.string() });
export type StepFailedInput = z.infer<typeof StepFailedInput>;

/**
 * evaluate, op "setContext": the context after a step that copies strings
 * from data (updateContext, a webhook response), each within its declared
 * maxLength (shared/journey/context-set.ts). Returns the whole context.
 */
export const SetContextInput = z.object({
  ...taskBase,
  op: z.literal('setContext'),
  context: ContextValues,
  set: z.array(
    z.object({
      name: ContextName,
      value: CopiedContextValue,
      copied: z.optional(z.boolean()),
      maxLength: z.optional(z.number().check(z.int(), z.positive())),
    }),
  ),
  rule: z.enum(['step', 'each']),
});
export type SetContextInput = z.infer<typeof SetContextInput>;

const EvaluateInputV2 = z.discriminatedUnion('op', [
  BranchInput,
  WaitUntilInput,
  ProfileUpdateInput,
  StepFailedInput,
  SetContextInput,
]);
const EvaluateInputV1 = z.discriminatedUnion('op', [asV1(BranchInput), asV1(WaitUntilInput)]);
export const EvaluateInput = versioned(EvaluateInputV2, EvaluateInputV1, upgradeFromV1);
export type EvaluateInput = z.infer<typeof EvaluateInput>;
