import * as z from 'zod';
import { canonicalName } from '../names.ts';
import { isIsoDuration, isWithinLongestDuration, LONGEST_MESSAGE } from '../time.ts';
import { MAX_HISTORY_WINDOW } from './history.ts';
import { PATH_MESSAGE, PATH_PATTERN } from './path.ts';

export { MAX_HISTORY_WINDOW };

/**
 * The condition tree: one language for entry filters, audiences, branches,
 * segments and wait-for-event filters.
 */

/** A dotted path into the data a condition sees: `profile.*`, `event.*`, `trigger.*` or, inside steps, `context.*`. */
export const ConditionPath = z
  .string()
  .regex(PATH_PATTERN, {
    message: PATH_MESSAGE,
  })
  .describe(
    'A dotted path: profile.traits.plan, event.properties.total, trigger.properties.cartId, context.orderId.',
  );

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof Scalar>;

export const IsoDuration = z
  .string()
  .refine(isIsoDuration, {
    message: 'must be an ISO 8601 duration such as PT1H, P7D or P1DT12H',
    abort: true,
  })
  .refine((text) => !text.startsWith('-'), {
    message: 'must not be negative: write the duration without "-"',
  })
  .refine(isWithinLongestDuration, { message: LONGEST_MESSAGE })
  .describe('An ISO 8601 duration: PT30M, PT1H, P1D, P7D, P1M.');

/**
 * A duration that may be negative: `-P3D` is three days before. Calendar time
 * in the customer's zone (time.ts `addDuration`): days, weeks, months and
 * years move the local date and keep the time of day; hours, minutes and
 * seconds are elapsed.
 */
export const OffsetDuration = z
  .string()
  .refine(isIsoDuration, {
    message:
      'must be an ISO 8601 duration such as -P3D (three days before, at the same local time) or PT12H (12 hours after)',
    abort: true,
  })
  .refine(isWithinLongestDuration, { message: `${LONGEST_MESSAGE} before or after` })
  .describe('An ISO 8601 duration, negative for "before": -P3D, P1D, PT12H.');

const comparisons = {
  eq: Scalar.describe('Equal to the value.'),
  ne: Scalar.describe('Not equal to the value (true when the path is missing).'),
  gt: z
    .union([z.number(), z.string()])
    .describe('Greater than (numbers, or ISO timestamps/strings compared in order).'),
  gte: z.union([z.number(), z.string()]).describe('Greater than or equal to.'),
  lt: z.union([z.number(), z.string()]).describe('Less than.'),
  lte: z.union([z.number(), z.string()]).describe('Less than or equal to.'),
  in: z.array(Scalar).min(1).describe('Equal to one of the values.'),
  contains: Scalar.describe('A string that contains the text, or a list that contains the value.'),
  startsWith: z.string().describe('A string that starts with the text.'),
  exists: z.boolean().describe('true: the path has a value; false: it is missing or null.'),
  within: IsoDuration.describe('A timestamp within the last duration (e.g. P7D: in the last 7 days).'),
  olderThan: IsoDuration.describe('A timestamp longer ago than the duration.'),
  withinNext: IsoDuration.describe('A timestamp between now and now plus the duration.'),
} as const;

export type ComparisonOperator = keyof typeof comparisons;
export const COMPARISON_OPERATORS = Object.keys(comparisons) as ComparisonOperator[];

/** One strict object per operator, so a comparison has exactly one operator. */
const comparisonSchemas = COMPARISON_OPERATORS.map((op) =>
  z
    .object({ path: ConditionPath, [op]: comparisons[op] })
    .strict()
    .describe(`Compare the value at path: ${op}.`),
);

export type Comparison = {
  [K in ComparisonOperator]: { path: string } & { [P in K]: z.infer<(typeof comparisons)[K]> };
}[ComparisonOperator];

/** Event history: "performed Order Completed at least 2 times in the last P30D". */
export const Performed = z
  .object({
    performed: z
      .string()
      .min(1)
      .regex(/\S/, { message: 'must not be blank' })
      .overwrite(canonicalName)
      .describe(
        'The event name, as in track calls (e.g. "Order Completed"), read trimmed and in Unicode NFC.',
      ),
    atLeast: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('At least this many times (default 1, or 0 when atMost is given: atMost 0 means never).'),
    atMost: z.number().int().min(0).optional().describe('At most this many times.'),
    within: IsoDuration.optional().describe(
      'Counted over this trailing window (at most P90D); all time when absent.',
    ),
  })
  .strict()
  .describe('An event-history check on the customer profile.');
export type Performed = z.infer<typeof Performed>;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | Comparison
  | Performed;

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z
      .object({ all: z.array(Condition).min(1) })
      .strict()
      .describe('True when every condition is true.'),
    z
      .object({ any: z.array(Condition).min(1) })
      .strict()
      .describe('True when at least one condition is true.'),
    z.object({ not: Condition }).strict().describe('True when the condition is false.'),
    Performed,
    ...(comparisonSchemas as unknown as [z.ZodType<Comparison>, ...z.ZodType<Comparison>[]]),
  ]),
);
