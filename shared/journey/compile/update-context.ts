import type { ChoiceRule } from '../../conditions/choice.ts';
import type { ContextType, ContextValue } from '../journey-context.ts';
import type { Journey, StepOf } from '../schema.ts';
import type { ChoiceState, JsonObject, PassState } from './asl.ts';
import { executionPath, hasContext, type StepRenderer, stateName } from './context.ts';
import { referencePath } from './reference-path.ts';
import { copiesString, type SetValue, setContextTask } from './set-context.ts';

/**
 * The state that sets the context at entry. Its name is not a step id (ids
 * start with a letter), so it never clashes with a step or its helper states,
 * and step counts do not attribute it to any step.
 */
export const CONTEXT_INIT_STATE = '_context';

/** `name: literal` or `name.$: path` for a Pass state's Parameters. */
function parameter(out: JsonObject, name: string, value: ContextValue): void {
  if (value !== null && typeof value === 'object') out[`${name}.$`] = executionPath(value.from);
  else out[name] = value;
}

/**
 * The whole context object after a step sets some variables: every declared
 * variable, set or carried over, in declaration order. Rebuilt whole because
 * a Pass writes one ResultPath: one transition for any number of variables.
 */
function contextParameters(journey: Journey, set: Readonly<Record<string, ContextValue>>): JsonObject {
  const out: JsonObject = {};
  for (const name of Object.keys(journey.context ?? {})) {
    const value = Object.hasOwn(set, name) ? set[name] : undefined;
    if (value === undefined) out[`${name}.$`] = referencePath('$.context', [name]);
    else parameter(out, name, value);
  }
  return out;
}

/**
 * The entry state of a journey with context: a Pass that sets every variable
 * from its literal or trigger path (null when it has neither), then the
 * start step. One transition per enrollment, only for journeys that declare
 * context; ingest enrolls only triggers that carry each `from` path with the
 * declared type, so the Pass cannot fail on a missing path.
 */
export function renderContextInit(journey: Journey): [name: string, state: PassState][] {
  if (!hasContext(journey)) return [];
  const params: JsonObject = {};
  for (const [name, variable] of Object.entries(journey.context ?? {})) {
    parameter(params, name, variable.from === undefined ? (variable.value ?? null) : { from: variable.from });
  }
  return [
    [
      CONTEXT_INIT_STATE,
      {
        Type: 'Pass',
        Comment: 'Journey context',
        Parameters: params,
        ResultPath: '$.context',
        Next: journey.start,
      },
    ],
  ];
}

const TYPE_TEST = { string: 'IsString', number: 'IsNumeric', boolean: 'IsBoolean' } as const;

/** The values a step copies from the trigger or the awaited event: they may be missing or of another type. */
function copiedFromData(journey: Journey, set: Readonly<Record<string, ContextValue>>) {
  return Object.entries(set).flatMap(([name, value]) => {
    const type = journey.context?.[name]?.type;
    if (
      value === null ||
      typeof value !== 'object' ||
      value.from.startsWith('context.') ||
      type === undefined
    )
      return [];
    return [{ name, variable: executionPath(value.from), type }];
  });
}

/**
 * Whether a value copied into a context variable is there and of its declared type: `IsPresent`
 * then the type's test (`And` stops at the first false rule, so a missing value is never compared).
 */
export function fitsType(variable: string, type: ContextType): ChoiceRule {
  const test = TYPE_TEST[type];
  const typed: ChoiceRule =
    test === 'IsString'
      ? { Variable: variable, IsString: true }
      : test === 'IsNumeric'
        ? { Variable: variable, IsNumeric: true }
        : { Variable: variable, IsBoolean: true };
  return { And: [{ Variable: variable, IsPresent: true }, typed] };
}

/** The step's values for the setContext Task: literals, copies from the context, copies from data. */
function setValues(set: Readonly<Record<string, ContextValue>>): SetValue[] {
  return Object.entries(set).map(([name, value]) => {
    if (value === null || typeof value !== 'object') return { name, literal: value, copied: false };
    return { name, path: executionPath(value.from), copied: !value.from.startsWith('context.') };
  });
}

/**
 * updateContext: one Pass state that rebuilds `$.context` with the new
 * values (no Lambda, no table) — one transition. A value copied from the
 * trigger or the awaited event may be missing or of another type than
 * declared, and a Pass fails the execution on a missing path: then the step
 * is a Choice that checks them first, then sets them, or sets them to null
 * (not set) when any does not fit — two transitions. A copied string may
 * also be longer than its variable's maxLength, which no Choice can test:
 * such a step sets them through the evaluate function, which applies the
 * same rule to a string too long (shared/journey/context-set.ts). A copy from
 * the context needs neither: validation refuses one from a variable of
 * another type or a larger maxLength.
 */
export const renderUpdateContext: StepRenderer<StepOf<'updateContext'>> = (id, step, ctx) => {
  const comment = step.label === undefined ? {} : { Comment: step.label };
  const pass = (set: Readonly<Record<string, ContextValue>>): PassState => ({
    Type: 'Pass',
    Parameters: contextParameters(ctx.journey, set),
    ResultPath: '$.context',
    Next: step.next,
  });
  const copied = copiedFromData(ctx.journey, step.set);
  if (copied.length === 0) return [[id, { ...comment, ...pass(step.set) }]];
  const values = setValues(step.set);
  const set = copiesString(ctx.journey, values)
    ? setContextTask(ctx, id, values, 'step', step.next)
    : pass(step.set);
  const rules = copied.map((c) => fitsType(c.variable, c.type));
  const choice: ChoiceState = {
    Type: 'Choice',
    ...comment,
    Choices: [
      {
        ...(rules.length === 1 && rules[0] !== undefined ? rules[0] : { And: rules }),
        Next: stateName.set(id),
      },
    ],
    Default: stateName.unset(id),
  };
  const unset: Record<string, ContextValue> = { ...step.set };
  for (const c of copied) unset[c.name] = null;
  return [
    [id, choice],
    [stateName.set(id), set],
    [stateName.unset(id), pass(unset)],
  ];
};
