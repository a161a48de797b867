import { IsoDuration } from '../conditions/mini-schema.ts';
import {
  CONTEXT_NAME,
  CONTEXT_NAME_MESSAGES,
  isReservedContextName,
  MAX_STRING_LENGTH,
} from '../journey/context-names.ts';
import {
  LOCAL_TIME,
  type LocalWindow as LocalWindowType,
  type QuietHours as QuietHoursType,
  WEEKDAYS,
} from '../time.ts';
import { codePointLength } from '../utf8.ts';
import * as z from '../zod.ts';

export { IsoDuration };

/**
 * The values of the journey language that compiled journeys pass to the task
 * functions, in `zod/mini`: a task function checks what it receives without
 * building the language's schemas (classic zod) at every cold start. The
 * language declares the same values (`shared/journey/schema.ts`); the types
 * of `shared/time.ts` hold both to one shape, and the messages are the same.
 */

const LocalTime = z
  .string()
  .check(z.regex(LOCAL_TIME, { message: 'must be a 24-hour local time HH:mm, such as 08:00 or 21:30' }));

export const QuietHours: z.ZodMiniType<QuietHoursType> = z.strictObject({ start: LocalTime, end: LocalTime });

export const LocalWindow: z.ZodMiniType<LocalWindowType> = z.strictObject({
  start: LocalTime,
  end: LocalTime,
  weekdays: z.optional(z.array(z.enum(WEEKDAYS)).check(z.minLength(1))),
});

export const ContextName = z.string().check(
  z.regex(CONTEXT_NAME, { message: CONTEXT_NAME_MESSAGES.shape }),
  z.refine((name) => !isReservedContextName(name), { message: CONTEXT_NAME_MESSAGES.reserved }),
);

/**
 * A context string as a task reads it: up to MAX_STRING_LENGTH characters
 * (code points, as the language counts them). A longer one — only an
 * execution compiled before copied strings were measured can hold one — is
 * read as not set (null), the rule for a copied value that does not fit,
 * instead of failing the step on its input.
 */
const ContextString = z.pipe(
  z.string(),
  z.transform((text: string): string | null => (codePointLength(text) > MAX_STRING_LENGTH ? null : text)),
);

/**
 * The context values a task handler receives: scalars only, strings bounded.
 * Parsed at the handler edge, so a value that is not what the language
 * allows fails the step with a reason instead of reaching a template.
 */
export const ContextValues = z.record(
  ContextName,
  z.union([ContextString, z.number(), z.boolean(), z.null()]),
);
export type ContextValues = z.infer<typeof ContextValues>;

/**
 * A value a step copies into the context, before its length is checked: the
 * string is not bounded here, as the evaluate function unsets one longer than
 * its variable declares rather than failing the step on it.
 */
export const CopiedContextValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
