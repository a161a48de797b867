import { dateOperand, ISO_DATE, operationOf } from '../../conditions/compare.ts';
import { durationSeconds } from '../../time.ts';
import { type Violation, violation } from '../violations.ts';
import { journeyConditions } from './conditions.ts';
import type { CheckContext } from './context.ts';

/** The durations of a journey that must be longer than zero, with where they are. */
function spans({ steps, goal, reentry, settings }: CheckContext): { at: PropertyKey[]; duration: string }[] {
  const out: { at: PropertyKey[]; duration: string }[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type === 'waitForEvent') out.push({ at: ['steps', id, 'timeout'], duration: step.timeout });
    if (step.type === 'push' && step.timeToLive !== undefined) {
      out.push({ at: ['steps', id, 'timeToLive'], duration: step.timeToLive });
    }
  }
  if (goal?.within !== undefined) out.push({ at: ['goal', 'within'], duration: goal.within });
  if (reentry?.mode === 'after') out.push({ at: ['reentry', 'cooldown'], duration: reentry.cooldown });
  settings?.caps?.forEach((cap, i) => {
    out.push({ at: ['settings', 'caps', i, 'within'], duration: cap.within });
  });
  return out;
}

/** Timeouts, windows and cooldowns of zero length do nothing a marketer means. */
export function checkDurations(context: CheckContext): Violation[] {
  return spans(context)
    .filter(({ duration }) => (durationSeconds(duration) ?? 1) <= 0)
    .map(({ at, duration }) =>
      violation(at, 'duration.zero', `${duration} is no time at all: give a duration longer than zero.`),
    );
}

function orderMistake(operand: string): string {
  if (ISO_DATE.test(operand)) {
    return `"${operand}" is written as a date, but there is no such day or time: gt, gte, lt and lte compare numbers (20) or ISO dates (2026-12-01).`;
  }
  if (operand.trim() !== '' && Number.isFinite(Number(operand))) {
    return `"${operand}" is text, and text compares letter by letter ("9" comes after "10"): write the number ${Number(operand)} without quotes.`;
  }
  return `"${operand}" is neither a number nor a date: gt, gte, lt and lte compare numbers (20) or ISO dates (2026-12-01).`;
}

/**
 * gt / gte / lt / lte compare numbers, or strings in text order — which is
 * only meaningful for ISO dates and timestamps. Any other text is a mistake
 * that would silently never (or always) match.
 */
export function checkOrderComparisons(context: CheckContext): Violation[] {
  return journeyConditions(context).flatMap(({ at, condition }) => {
    if (!('path' in condition)) return [];
    const operation = operationOf(condition);
    if (operation === undefined) return [];
    const { op, operand } = operation;
    if (op !== 'gt' && op !== 'gte' && op !== 'lt' && op !== 'lte') return [];
    if (typeof operand !== 'string') return [];
    // Written as a date but with no instant (a 30 February): it would compare as text, letter by letter.
    if (ISO_DATE.test(operand) && dateOperand(operand) !== undefined) return [];
    return [violation([...at, op], 'condition.order', orderMistake(operand))];
  });
}
