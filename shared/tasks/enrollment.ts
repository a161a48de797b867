import { CustomerEvent, usableContext } from '../events.ts';
import { plainCustomerEvent } from '../plain-event.ts';
import * as z from '../zod.ts';
import { asV1, CONTRACT_VERSION, upgradeFromV1, versioned } from './version.ts';

const EnrollmentInputV2 = z.object({
  v: z.literal(CONTRACT_VERSION),
  journeyId: z.string(),
  /** The journey version the enrollment started on. */
  journeyVersion: z.string(),
  /** The execution name: deterministic per journey, customer and trigger. */
  enrollmentId: z.string(),
  userId: z.string(),
  enrolledAt: z.string(),
  trigger: z.union([CustomerEvent, z.object({ type: z.literal('segment'), timestamp: z.string() })]),
  /** Split bucket per split step id. */
  buckets: z.record(z.string(), z.number().check(z.int(), z.gte(0), z.lte(99))),
  /** The correlation key value, for parallel enrollments. */
  correlation: z.optional(z.string()),
});
/** The execution input of every journey enrollment (what StartExecution receives). */
export const EnrollmentInput = versioned(EnrollmentInputV2, asV1(EnrollmentInputV2), upgradeFromV1);
export type EnrollmentInput = z.infer<typeof EnrollmentInput>;

/** The same input with any trigger: only read when the trigger is of the plain shape, which CustomerEvent accepts. */
const EnrollmentInputV2AnyTrigger = z.extend(EnrollmentInputV2, { trigger: z.unknown() });
const EnrollmentInputAnyTrigger = versioned(
  EnrollmentInputV2AnyTrigger,
  asV1(EnrollmentInputV2AnyTrigger),
  upgradeFromV1,
);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `EnrollmentInput.safeParse`: the same data, or undefined when it fails. A
 * trigger of the plain shape (plain-event.ts: what ingest starts executions
 * with) is read as CustomerEvent reads it, without walking that schema; the
 * other fields are parsed as ever, and anything else goes through
 * EnrollmentInput whole.
 */
export function parseEnrollmentInput(value: unknown): EnrollmentInput | undefined {
  const trigger =
    isObject(value) && isObject(value.trigger) ? plainCustomerEvent(value.trigger, usableContext) : undefined;
  if (trigger !== undefined) {
    const parsed = EnrollmentInputAnyTrigger.safeParse(value);
    if (parsed.success) return { ...parsed.data, trigger } as EnrollmentInput;
  }
  const parsed = EnrollmentInput.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
