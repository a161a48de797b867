import { CustomerEvent } from '../events.ts';
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
