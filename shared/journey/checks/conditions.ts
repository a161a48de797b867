import type { Condition } from '../../conditions/schema.ts';
import type { CheckContext } from './context.ts';

/** A condition node and where it sits in the journey file. */
export type LocatedCondition = { at: PropertyKey[]; condition: Condition };

/** Every condition written in the journey, with its location. */
export function journeyConditions(context: CheckContext): LocatedCondition[] {
  const roots: LocatedCondition[] = [];
  const add = (at: PropertyKey[], condition: Condition | undefined) => {
    if (condition !== undefined) roots.push({ at, condition });
  };
  const trigger = context.trigger;
  if (trigger?.type === 'segment') add(['trigger', 'segment'], trigger.segment);
  else add(['trigger', 'where'], trigger?.where);
  add(['audience'], context.audience);
  add(['goal', 'where'], context.goal?.where);
  context.exitOn?.forEach((exit, i) => {
    add(['exitOn', i, 'where'], exit.where);
  });
  for (const [id, step] of Object.entries(context.steps)) {
    if (step.type === 'branch')
      step.branches.forEach((b, i) => {
        add(['steps', id, 'branches', i, 'when'], b.when);
      });
    if (step.type === 'waitForEvent') add(['steps', id, 'where'], step.where);
  }
  return roots.flatMap((root) => flatten(root));
}

/** A node and all its descendants, each with its location. */
function flatten(node: LocatedCondition): LocatedCondition[] {
  const { at, condition } = node;
  if ('all' in condition)
    return [node, ...condition.all.flatMap((c, i) => flatten({ at: [...at, 'all', i], condition: c }))];
  if ('any' in condition)
    return [node, ...condition.any.flatMap((c, i) => flatten({ at: [...at, 'any', i], condition: c }))];
  if ('not' in condition) return [node, ...flatten({ at: [...at, 'not'], condition: condition.not })];
  return [node];
}
