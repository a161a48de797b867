import type { Condition } from './schema.ts';

/** Longer descriptions end in "…" (by default): a timeline line stays one line. */
const MAX_LENGTH = 120;

/**
 * A condition in one short line, as a marketer wrote it:
 * `profile.traits.plan in ["pro","team"]`, `performed Order Completed at least 2 within P30D`,
 * `all(…, …)`. For timelines and graphs, where an unnamed branch is otherwise only a number.
 */
export function describeCondition(condition: Condition, maxLength = MAX_LENGTH): string {
  const text = describe(condition);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function describe(condition: Condition): string {
  if ('all' in condition) return `all(${condition.all.map(describe).join(', ')})`;
  if ('any' in condition) return `any(${condition.any.map(describe).join(', ')})`;
  if ('not' in condition) return `not(${describe(condition.not)})`;
  if ('performed' in condition) {
    const { performed, atLeast, atMost, within } = condition;
    const counts = [
      atLeast === undefined ? undefined : `at least ${atLeast}`,
      atMost === undefined ? undefined : `at most ${atMost}`,
    ].filter((part) => part !== undefined);
    return [`performed ${performed}`, ...counts, ...(within === undefined ? [] : [`within ${within}`])].join(
      ' ',
    );
  }
  const [operator, value] = Object.entries(condition).find(([key]) => key !== 'path') ?? ['?', undefined];
  return `${condition.path} ${operator} ${JSON.stringify(value)}`;
}
