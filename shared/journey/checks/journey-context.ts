import { conditionPaths } from '../../conditions/inspect.ts';
import { pathSegments } from '../../conditions/path.ts';
import { codePointLength } from '../../utf8.ts';
import {
  type ContextType,
  type ContextValue,
  type ContextVariable,
  DEFAULT_MAX_LENGTH,
  declaredBytes,
  MAX_CONTEXT_VARIABLES,
} from '../journey-context.ts';
import { MAX_CONTEXT_BYTES } from '../state-budget.ts';
import { type Violation, violation } from '../violations.ts';
import { journeyConditions } from './conditions.ts';
import type { CheckContext } from './context.ts';
import { triggerFieldProblem } from './trigger-fields.ts';

/** A `context.*` path and where it is written. */
type Use = { at: PropertyKey[]; path: string };

const isContextPath = (path: string) => path.startsWith('context.');

function typeOf(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/** Why a literal does not fit a variable, or undefined when it does (null always fits: "not set"). */
function literalProblem(variable: ContextVariable, value: unknown): string | undefined {
  if (value === null) return undefined;
  if (typeof value !== variable.type) return `must be a ${variable.type} (or null), not a ${typeOf(value)}.`;
  const max = variable.maxLength ?? DEFAULT_MAX_LENGTH;
  // Characters are code points, as ingest and the evaluate function count them: an emoji is one.
  const length = typeof value === 'string' ? codePointLength(value) : 0;
  if (length > max) return `is ${length} characters long; the variable holds ${max} at most (maxLength).`;
  return undefined;
}

/** The declarations themselves: initial values, types, and the total size the context may take. */
function checkDeclarations({ variables, trigger }: CheckContext): Violation[] {
  const out: Violation[] = [];
  const entries = Object.entries(variables ?? {});
  if (entries.length > MAX_CONTEXT_VARIABLES)
    out.push(
      violation(
        ['context'],
        'context.size',
        `declares ${entries.length} variables; ${MAX_CONTEXT_VARIABLES} at most.`,
      ),
    );
  const bytes = entries.reduce((n, [name, v]) => n + declaredBytes(name, v), 0);
  if (bytes > MAX_CONTEXT_BYTES)
    out.push(
      violation(
        ['context'],
        'context.size',
        `may take ${bytes} bytes in the execution state (strings counted at maxLength); ${MAX_CONTEXT_BYTES} at most: lower some maxLength.`,
      ),
    );
  for (const [name, variable] of entries) {
    const at = ['context', name];
    if (variable.value !== undefined && variable.from !== undefined)
      out.push(violation(at, 'context.type', 'Give either value or from, not both.'));
    if (variable.maxLength !== undefined && variable.type !== 'string')
      out.push(violation([...at, 'maxLength'], 'context.type', 'maxLength applies to strings only.'));
    const problem = variable.value === undefined ? undefined : literalProblem(variable, variable.value);
    if (problem !== undefined) out.push(violation([...at, 'value'], 'context.type', problem));
    if (variable.from === undefined) continue;
    if (!variable.from.startsWith('trigger.'))
      out.push(
        violation(
          [...at, 'from'],
          'value.source',
          `An initial value comes from the trigger (trigger.*), not "${variable.from}".`,
        ),
      );
    else if (trigger !== undefined) {
      const field = triggerFieldProblem(trigger, variable.from);
      if (field !== undefined) out.push(violation([...at, 'from'], 'trigger.field', field));
    }
  }
  return out;
}

/** Places where `context.*` may be read: inside steps, where the execution state is at hand. */
function stepUses(context: CheckContext): Use[] {
  const uses: Use[] = [];
  for (const { at, condition } of journeyConditions(context)) {
    if (at[0] !== 'steps' || !('path' in condition)) continue;
    uses.push({ at: [...at, 'path'], path: condition.path });
  }
  for (const [id, step] of Object.entries(context.steps)) {
    if (step.type === 'waitForEvent')
      for (const [eventPath, from] of Object.entries(step.match ?? {}))
        uses.push({ at: ['steps', id, 'match', eventPath], path: from });
    const values =
      step.type === 'emit'
        ? { field: 'properties', values: step.properties }
        : step.type === 'updateProfile' || step.type === 'updateContext'
          ? { field: 'set', values: step.set }
          : undefined;
    for (const [key, value] of Object.entries(values?.values ?? {}))
      if (value !== null && typeof value === 'object')
        uses.push({ at: ['steps', id, values?.field ?? 'set', key, 'from'], path: value.from });
  }
  return uses.filter((use) => isContextPath(use.path));
}

/** Places evaluated outside the execution (at ingest, by a segment run, by the waiting step's registration). */
function outsideUses(context: CheckContext): Use[] {
  const uses: Use[] = [];
  for (const { at, condition } of journeyConditions(context)) {
    const inBranch = at[0] === 'steps' && at[2] === 'branches';
    if (inBranch) continue;
    for (const path of conditionPaths(condition)) uses.push({ at: [...at, 'path'], path });
  }
  for (const [id, step] of Object.entries(context.steps))
    if (step.type === 'wait' && step.untilDate !== undefined)
      uses.push({ at: ['steps', id, 'untilDate', 'path'], path: step.untilDate.path });
  return uses.filter((use) => isContextPath(use.path));
}

/** Every `context.x` names a declared variable, and is read only where the context exists. */
function checkUses(context: CheckContext): Violation[] {
  const declared = context.variables ?? {};
  const out: Violation[] = [];
  for (const use of stepUses(context)) {
    const [, name, ...deeper] = pathSegments(use.path);
    if (name === undefined || !Object.hasOwn(declared, name))
      out.push(
        violation(
          use.at,
          'context.undeclared',
          `"${use.path}" is not a declared context variable (see "context").`,
        ),
      );
    else if (deeper.length > 0)
      out.push(
        violation(use.at, 'context.type', `Context variables hold single values: read context.${name}.`),
      );
  }
  for (const use of outsideUses(context))
    out.push(
      violation(
        use.at,
        'context.place',
        `"${use.path}": context variables exist only inside the journey's steps (branches, templates, match and copied values), not here.`,
      ),
    );
  return out;
}

/** updateContext sets declared variables, with values of their type. */
function checkUpdates({ steps, variables }: CheckContext): Violation[] {
  const declared = variables ?? {};
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'updateContext') continue;
    for (const [name, value] of Object.entries(step.set)) {
      const at = ['steps', id, 'set', name];
      const variable = Object.hasOwn(declared, name) ? declared[name] : undefined;
      if (variable === undefined) {
        out.push(
          violation(
            at,
            'context.undeclared',
            `"${name}" is not a declared context variable (see "context").`,
          ),
        );
        continue;
      }
      out.push(...valueProblems(at, { name, variable }, value, declared));
    }
  }
  return out;
}

function valueProblems(
  at: PropertyKey[],
  { name: target, variable }: { name: string; variable: ContextVariable },
  value: ContextValue,
  declared: Readonly<Record<string, ContextVariable>>,
): Violation[] {
  if (value === null || typeof value !== 'object') {
    const problem = literalProblem(variable, value);
    return problem === undefined ? [] : [violation(at, 'context.type', problem)];
  }
  const [root, name] = pathSegments(value.from);
  const source =
    root === 'context' && name !== undefined && Object.hasOwn(declared, name) ? declared[name] : undefined;
  if (source !== undefined)
    return contextCopyProblems(
      [...at, 'from'],
      { name: target, variable },
      { name: name ?? '', variable: source },
    );
  if (/^(trigger|event|context)\./.test(value.from)) return [];
  return [
    violation(
      [...at, 'from'],
      'value.source',
      `Values can be copied from trigger.*, event.* or context.*, not "${value.from}".`,
    ),
  ];
}

/**
 * A copy from another variable is checked here, not at run time: both
 * declarations are known, so a source that may hold longer strings than the
 * target is refused rather than unset at run time by a Pass that cannot
 * measure it.
 */
function contextCopyProblems(
  at: PropertyKey[],
  { name: target, variable }: { name: string; variable: ContextVariable },
  { name: sourceName, variable: source }: { name: string; variable: ContextVariable },
): Violation[] {
  if (source.type !== variable.type)
    return [
      violation(
        at,
        'context.type',
        `context.${sourceName} is a ${source.type}; this variable is a ${variable.type}.`,
      ),
    ];
  const from = source.maxLength ?? DEFAULT_MAX_LENGTH;
  const to = variable.maxLength ?? DEFAULT_MAX_LENGTH;
  if (variable.type !== 'string' || from <= to) return [];
  return [
    violation(
      at,
      'context.type',
      `context.${sourceName} holds up to ${from} characters; ${target} holds ${to} (maxLength): raise ${target}'s maxLength to ${from} or lower ${sourceName}'s.`,
    ),
  ];
}

/** The journey context: declarations, sizes, uses and updates. */
export function checkJourneyContext(context: CheckContext): Violation[] {
  return [...checkDeclarations(context), ...checkUses(context), ...checkUpdates(context)];
}

/** The type each `from` path of the declarations must have in the trigger, for ingest to enroll it. */
export function typedTriggerPaths(
  variables: Readonly<Record<string, ContextVariable>> | undefined,
): { path: string; type: ContextType; maxLength?: number }[] {
  return Object.values(variables ?? {}).flatMap((v) =>
    v.from === undefined
      ? []
      : [
          {
            path: v.from,
            type: v.type,
            ...(v.type === 'string' ? { maxLength: v.maxLength ?? DEFAULT_MAX_LENGTH } : {}),
          },
        ],
  );
}
