import * as z from 'zod';
import { readPath } from '../conditions/path.ts';
import { ConditionPath } from '../conditions/schema.ts';
import {
  CONTEXT_NAME,
  CONTEXT_NAME_MESSAGES,
  CONTEXT_TYPES,
  type ContextType,
  entryValueProblem,
  isReservedContextName,
  MAX_STRING_LENGTH,
  maxStringBytes,
} from './context-names.ts';

export { CONTEXT_NAME, type ContextType, MAX_STRING_LENGTH };

/**
 * Journey context: variables declared once per journey, set at entry (from
 * the trigger or a literal), changed by `updateContext` steps, and read by
 * conditions (`context.*`), templates (`{{ context.x }}`), correlation
 * (`match`) and copied values. They live in the execution state at
 * `$.context`, so reading them costs nothing and setting them is one Pass
 * state — no Lambda, no table.
 */

/** Variables a journey may declare. */
export const MAX_CONTEXT_VARIABLES = 32;
/** The longest string a variable may hold when it declares no maxLength. */
export const DEFAULT_MAX_LENGTH = 256;

export const ContextName = z
  .string()
  .regex(CONTEXT_NAME, { message: CONTEXT_NAME_MESSAGES.shape })
  .refine((name) => !isReservedContextName(name), { message: CONTEXT_NAME_MESSAGES.reserved })
  .describe('A context variable name, read as context.<name>.');

const Literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ContextVariable = z
  .object({
    type: z.enum(CONTEXT_TYPES).describe('The JSON type of the value (null is always allowed: "not set").'),
    value: Literal.optional().describe('The initial value (null when neither value nor from is given).'),
    from: ConditionPath.optional().describe(
      'The initial value from the trigger (trigger.*): an entry whose trigger lacks it, or has another type, does not enroll.',
    ),
    maxLength: z
      .number()
      .int()
      .min(1)
      .max(MAX_STRING_LENGTH)
      .optional()
      .describe(
        `Strings: the longest value in characters (default ${DEFAULT_MAX_LENGTH}); a longer trigger value does not enroll, a longer copied value is not set.`,
      ),
  })
  .strict()
  .describe('A typed journey variable.');
export type ContextVariable = z.infer<typeof ContextVariable>;

export const ContextDeclarations = z
  .record(ContextName, ContextVariable)
  .describe(
    'Journey variables by name: set at entry, changed by updateContext steps, read as context.<name>.',
  );
export type ContextDeclarations = z.infer<typeof ContextDeclarations>;

/** A value set by a step: a literal, or `{ from: path }` copied from the trigger, the awaited event or the context. */
export const ContextValue = z.union([
  Literal,
  z.object({ from: ConditionPath.describe('trigger.*, event.* or context.*') }).strict(),
]);
export type ContextValue = z.infer<typeof ContextValue>;

/** The bytes a declared variable may take in the execution state (its JSON, key included). */
export function declaredBytes(name: string, variable: ContextVariable): number {
  const value =
    variable.type === 'string'
      ? maxStringBytes(variable.maxLength ?? DEFAULT_MAX_LENGTH)
      : variable.type === 'number'
        ? 24
        : 5;
  return name.length + 4 + value;
}

/** A context variable's value: null is "not set". */
export type ContextLiteral = string | number | boolean | null;

/** The context an enrollment starts with, and the variables whose trigger value ingest would refuse. */
export type EntryContext = {
  values: Map<string, ContextLiteral>;
  /** Variables the trigger cannot start (absent from `values`): an event like it does not enroll. */
  refused: { name: string; from: string; problem: string }[];
};

/**
 * The context an enrollment starts with for a trigger, as the entry Pass
 * state sets it (previews and tests render templates with it): literals and
 * nulls as declared, trigger values under the rule ingest applies.
 */
export function entryContext(declarations: ContextDeclarations | undefined, trigger: unknown): EntryContext {
  const values = new Map<string, ContextLiteral>();
  const refused: EntryContext['refused'] = [];
  for (const [name, variable] of Object.entries(declarations ?? {})) {
    if (variable.from === undefined) {
      values.set(name, variable.value ?? null);
      continue;
    }
    const value = readPath({ trigger }, variable.from);
    const declared = {
      type: variable.type,
      maxLength: variable.type === 'string' ? (variable.maxLength ?? DEFAULT_MAX_LENGTH) : undefined,
    };
    const problem = entryValueProblem(value, declared);
    if (problem !== undefined) refused.push({ name, from: variable.from, problem });
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      values.set(name, value);
  }
  return { values, refused };
}
