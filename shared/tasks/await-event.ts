import { Condition, ConditionPath } from '../conditions/mini-schema.ts';
import * as z from '../zod.ts';
import { asV1, taskBase, upgradeFromV1, versioned } from './version.ts';

const AwaitEventInputV2 = z.object({
  ...taskBase,
  token: z.string().check(z.maxLength(2048)),
  event: z.string(),
  where: z.optional(Condition),
  /** The journey's default zone, for `where` (absent in executions compiled before it was passed: UTC). */
  defaultTimezone: z.optional(z.string()),
  /** Correlation: the awaited event’s value at path must equal value (resolved from the trigger). */
  match: z._default(z.array(z.object({ path: ConditionPath, value: z.unknown() })), []),
  timeoutSeconds: z.number().check(z.int(), z.positive()),
  /** When the step began: an event that arrived after it resumes at once. */
  startedAt: z.string(),
  trigger: z.unknown(),
  /**
   * The `event.*` paths the steps after this wait copy (requiredEventPaths): an event without one
   * of them does not answer it. Absent in executions compiled before it was passed: any event.
   */
  requires: z.optional(z.array(z.string())),
  /** The messageId of the event that answered the execution's last wait (null: none yet): not this one's answer. */
  previous: z.optional(z.nullable(z.string())),
});
/** await-event: register the task token; ingest resumes it with the matching event as output. */
export const AwaitEventInput = versioned(AwaitEventInputV2, asV1(AwaitEventInputV2), upgradeFromV1);
export type AwaitEventInput = z.infer<typeof AwaitEventInput>;

/** await-event, op "timedOut": the step stopped waiting; its waiter is removed then, not left to its TTL. */
export const WaitTimedOutInput = z.object({ ...taskBase, op: z.literal('timedOut'), event: z.string() });
export type WaitTimedOutInput = z.infer<typeof WaitTimedOutInput>;
