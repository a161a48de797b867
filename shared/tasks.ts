import * as z from 'zod';
import { Condition, ConditionPath, IsoDuration, OffsetDuration } from './conditions/schema.ts';
import { CustomerEvent } from './events.ts';
import { ContextValues } from './journey/journey-context.ts';
import { LocalWindow, QuietHours } from './journey/schema.ts';

/**
 * The contracts between compiled journeys and the task functions. Every input
 * carries `v`, the contract version: a handler accepts every version that
 * running executions may still send (executions live up to a year). Each
 * contract is a union of its versions; an input of an older version is
 * upgraded to the current one as it is parsed, so handlers see one shape.
 *
 * Versions:
 * - 1: the first contract.
 * - 2: evaluate also runs `updateProfile` steps (copied values keep their
 *   JSON type); the inputs of version 1 are unchanged in version 2.
 */

export const CONTRACT_VERSION = 2 as const;

/**
 * The current schema, or an older one whose input is upgraded and then
 * checked against the current schema.
 */
function versioned<Current extends z.ZodType, Previous extends z.ZodType>(
  current: Current,
  previous: Previous,
  upgrade: (input: z.output<Previous>) => unknown,
) {
  const upgraded = previous.transform((input, ctx): z.output<Current> => {
    const result = current.safeParse(upgrade(input));
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      ctx.issues.push({ code: 'custom', path: issue.path, message: issue.message, input });
    }
    return z.NEVER;
  });
  return z.union([current, upgraded]);
}

/** Version 1 → 2: the same fields; only the version number moves. */
export function upgradeFromV1(input: { v: 1 }): unknown {
  return { ...input, v: CONTRACT_VERSION };
}

/** The input of version 1 of a contract whose fields did not change since. */
function asV1<Shape extends z.ZodRawShape>(current: z.ZodObject<Shape>) {
  return current.extend({ v: z.literal(1) });
}

const EnrollmentInputV2 = z.object({
  v: z.literal(CONTRACT_VERSION),
  journeyId: z.string(),
  journeyVersion: z.string().describe('The journey version the enrollment started on.'),
  enrollmentId: z.string().describe('The execution name: deterministic per journey, customer and trigger.'),
  userId: z.string(),
  enrolledAt: z.string(),
  trigger: z.union([CustomerEvent, z.object({ type: z.literal('segment'), timestamp: z.string() })]),
  buckets: z.record(z.string(), z.number().int().min(0).max(99)).describe('Split bucket per split step id.'),
  correlation: z.string().optional().describe('The correlation key value, for parallel enrollments.'),
});
/** The execution input of every journey enrollment (what StartExecution receives). */
export const EnrollmentInput = versioned(EnrollmentInputV2, asV1(EnrollmentInputV2), upgradeFromV1);
export type EnrollmentInput = z.infer<typeof EnrollmentInput>;

const taskBase = {
  v: z.literal(CONTRACT_VERSION),
  journeyId: z.string(),
  journeyVersion: z.string(),
  enrollmentId: z.string(),
  userId: z.string(),
  stepId: z.string(),
};

const SendMessageInputV2 = z.object({
  ...taskBase,
  channel: z.enum(['email', 'sms', 'push']),
  template: z.string(),
  trigger: z.unknown(),
  event: z.unknown().optional().describe('The last awaited event, if any.'),
  context: ContextValues.optional().describe('The journey context, when the journey declares one.'),
  quietHours: QuietHours.optional(),
  defaultTimezone: z.string(),
  topic: z.string().optional(),
  transactional: z.boolean().default(false),
  caps: z
    .array(
      z.object({
        channel: z.enum(['email', 'sms', 'push']).optional(),
        max: z.number(),
        within: IsoDuration,
      }),
    )
    .optional(),
  onUnknown: z
    .enum(['record', 'retry'])
    .optional()
    .describe('When the outcome of a send is unknown: record it (default) or send again (at-least-once).'),
  options: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Channel options from the step (from, messageType...).'),
});
/** send-message: deliver one message, or say why not now / not at all. */
export const SendMessageInput = versioned(SendMessageInputV2, asV1(SendMessageInputV2), upgradeFromV1);
export type SendMessageInput = z.infer<typeof SendMessageInput>;

export const SendMessageOutput = z.discriminatedUnion('status', [
  z.object({ status: z.literal('sent'), messageId: z.string() }),
  z.object({ status: z.literal('suppressed'), reason: z.string() }),
  z
    .object({ status: z.literal('unknown'), reason: z.string() })
    .describe('The provider may or may not have accepted the message; it is not sent again.'),
  z.object({
    status: z.literal('deferred'),
    until: z.string().describe('ISO timestamp to try again.'),
    reason: z.string(),
  }),
]);
export type SendMessageOutput = z.infer<typeof SendMessageOutput>;

/** evaluate, op "branch": index of the first true condition on the fresh profile, -1 for otherwise. */
export const BranchInput = z.object({
  ...taskBase,
  op: z.literal('branch'),
  conditions: z.array(Condition),
  trigger: z.unknown(),
  event: z.unknown().optional(),
  context: ContextValues.optional(),
});
export const BranchOutput = z.object({ match: z.number().int().min(-1) });

/** evaluate, op "waitUntil": the moment a profile-date or local-window wait ends. */
export const WaitUntilInput = z.object({
  ...taskBase,
  op: z.literal('waitUntil'),
  for: IsoDuration.optional(),
  until: z.string().optional(),
  untilDate: z.object({ path: ConditionPath, offset: OffsetDuration.optional() }).optional(),
  window: LocalWindow.optional(),
  defaultTimezone: z.string(),
  trigger: z.unknown(),
});
export const WaitUntilOutput = z.object({ at: z.string().describe('ISO timestamp (UTC).') });

/**
 * evaluate, op "updateProfile": set, increment and unset profile traits.
 * Lists of { trait, ... } rather than objects keyed by trait: trait names are
 * data, never object keys.
 */
export const ProfileUpdateInput = z.object({
  ...taskBase,
  op: z.literal('updateProfile'),
  set: z
    .array(z.object({ trait: z.string(), value: z.unknown() }))
    .default([])
    .describe('Each value keeps its JSON type (number, boolean, string, list, object).'),
  increment: z.array(z.object({ trait: z.string(), by: z.number() })).default([]),
  unset: z.array(z.string()).default([]),
  visit: z
    .string()
    .describe(
      'When the step was entered ($$.State.EnteredTime): a retry of the same visit applies nothing twice.',
    ),
});
export type ProfileUpdateInput = z.infer<typeof ProfileUpdateInput>;

/**
 * evaluate, op "stepFailed": the failure path of a step no handler of ours
 * runs to the end (emit, waitForEvent) counts its failure with the error's kind.
 */
export const StepFailedInput = z.object({
  ...taskBase,
  op: z.literal('stepFailed'),
  error: z.string().describe('The error name Step Functions caught ($.failure.Error).'),
});
export type StepFailedInput = z.infer<typeof StepFailedInput>;

const EvaluateInputV2 = z.discriminatedUnion('op', [
  BranchInput,
  WaitUntilInput,
  ProfileUpdateInput,
  StepFailedInput,
]);
const EvaluateInputV1 = z.discriminatedUnion('op', [asV1(BranchInput), asV1(WaitUntilInput)]);
export const EvaluateInput = versioned(EvaluateInputV2, EvaluateInputV1, upgradeFromV1);
export type EvaluateInput = z.infer<typeof EvaluateInput>;

const AwaitEventInputV2 = z.object({
  ...taskBase,
  token: z.string().max(2048),
  event: z.string(),
  where: Condition.optional(),
  match: z
    .array(z.object({ path: ConditionPath, value: z.unknown() }))
    .default([])
    .describe('Correlation: the awaited event’s value at path must equal value (resolved from the trigger).'),
  timeoutSeconds: z.number().int().positive(),
  startedAt: z.string().describe('When the step began: an event that arrived after it resumes at once.'),
  trigger: z.unknown(),
});
/** await-event: register the task token; ingest resumes it with the matching event as output. */
export const AwaitEventInput = versioned(AwaitEventInputV2, asV1(AwaitEventInputV2), upgradeFromV1);
export type AwaitEventInput = z.infer<typeof AwaitEventInput>;

/** await-event, op "timedOut": the step stopped waiting; its waiter is removed then, not left to its TTL. */
export const WaitTimedOutInput = z.object({
  ...taskBase,
  op: z.literal('timedOut'),
  event: z.string(),
});
export type WaitTimedOutInput = z.infer<typeof WaitTimedOutInput>;
