import { canonicalName } from '../names.ts';
import { isIsoDuration, isWithinLongestDuration, LONGEST_MESSAGE } from '../time.ts';
import * as z from '../zod.ts';
import { PATH_MESSAGE, PATH_PATTERN } from './path.ts';
import type { Comparison, ComparisonOperator, Condition as ConditionType } from './schema.ts';

/**
 * The condition tree in `zod/mini`, for the functions: a waiter's filter, a
 * branch's conditions and a wait's durations are checked where they are
 * read without building the journey language (classic zod, `schema.ts`,
 * which documents every field and generates the JSON Schema) at every cold
 * start. Both accept and refuse the same values with the same messages; a
 * test holds them to that.
 */

export const ConditionPath = z.string().check(
  z.regex(PATH_PATTERN, {
    message: PATH_MESSAGE,
  }),
);

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const Ordered = z.union([z.number(), z.string()]);

export const IsoDuration = z.string().check(
  z.refine(isIsoDuration, {
    message: 'must be an ISO 8601 duration such as PT1H, P7D or P1DT12H',
    abort: true,
  }),
  z.refine((text) => !text.startsWith('-'), {
    message: 'must not be negative: write the duration without "-"',
  }),
  z.refine(isWithinLongestDuration, { message: LONGEST_MESSAGE }),
);

/** A duration that may be negative: `-P3D` is three days before. */
export const OffsetDuration = z.string().check(
  z.refine(isIsoDuration, {
    message:
      'must be an ISO 8601 duration such as -P3D (three days before, at the same local time) or PT12H (12 hours after)',
    abort: true,
  }),
  z.refine(isWithinLongestDuration, { message: `${LONGEST_MESSAGE} before or after` }),
);

const comparisons: Record<ComparisonOperator, z.ZodMiniType> = {
  eq: Scalar,
  ne: Scalar,
  gt: Ordered,
  gte: Ordered,
  lt: Ordered,
  lte: Ordered,
  in: z.array(Scalar).check(z.minLength(1)),
  contains: Scalar,
  startsWith: z.string(),
  exists: z.boolean(),
  within: IsoDuration,
  olderThan: IsoDuration,
  withinNext: IsoDuration,
};

/** The operators, in the language's order (the order of the union's members decides which issues are reported). */
export const COMPARISON_OPERATORS = Object.keys(comparisons) as ComparisonOperator[];

const Count = z.optional(z.number().check(z.int(), z.gte(0)));

const Performed = z.strictObject({
  performed: z.string().check(z.minLength(1), z.regex(/\S/, 'must not be blank'), z.overwrite(canonicalName)),
  atLeast: Count,
  atMost: Count,
  within: z.optional(IsoDuration),
});

export type Condition = ConditionType;

export const Condition: z.ZodMiniType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(Condition).check(z.minLength(1)) }),
    z.strictObject({ any: z.array(Condition).check(z.minLength(1)) }),
    z.strictObject({ not: Condition }),
    Performed,
    // One strict object per operator, so a comparison has exactly one operator (typed as the language types it).
    ...(COMPARISON_OPERATORS.map((op) =>
      z.strictObject({ path: ConditionPath, [op]: comparisons[op] }),
    ) as unknown as z.ZodMiniType<Comparison>[]),
  ]),
);
