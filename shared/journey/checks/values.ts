import { dateOperand, ISO_DATE, operationOf } from '../../conditions/compare.ts';
import { durationSeconds } from '../../time.ts';
import { type Violation, violation } from '../violations.ts';
import { journeyConditions } from './conditions.ts';
import type { CheckContext } from './context.ts';

/** A year and a day: the longest a record a window keeps alive may live. */
const YEAR_AND_A_DAY = { text: 'P366D', seconds: 366 * 86_400 };
/** What a push notification service keeps an undelivered notification for at most (FCM: 2,419,200 s). */
const PUSH_TTL = { text: 'P28D', seconds: 28 * 86_400 };
/** The shortest cap window: a frequency cap counts messages over minutes to months, not a send rate. */
const SHORTEST_CAP = { text: 'PT1M', seconds: 60 };

type Bound = { text: string; seconds: number; why: string };

/**
 * A duration of the journey that must be longer than zero, with where it is
 * and, for those that set how long something is kept or promised, the
 * longest (and shortest) it may be, with why.
 */
type Span = { at: PropertyKey[]; duration: string; longest?: Bound; shortest?: Bound };

/** The durations of a journey that must be longer than zero, with where they are and their bounds. */
function spans({ steps, goal, reentry, settings }: CheckContext): Span[] {
  const out: Span[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type === 'waitForEvent') out.push({ at: ['steps', id, 'timeout'], duration: step.timeout });
    if (step.type === 'push' && step.timeToLive !== undefined) {
      out.push({
        at: ['steps', id, 'timeToLive'],
        duration: step.timeToLive,
        longest: { ...PUSH_TTL, why: 'push services keep an undelivered notification 28 days at most' },
      });
    }
  }
  if (goal?.within !== undefined)
    out.push({
      at: ['goal', 'within'],
      duration: goal.within,
      longest: {
        ...YEAR_AND_A_DAY,
        why: "each enrollment's record is kept until its goal window closes, so a conversion window is at most a year and a day",
      },
    });
  if (reentry?.mode === 'after')
    out.push({
      at: ['reentry', 'cooldown'],
      duration: reentry.cooldown,
      longest: {
        ...YEAR_AND_A_DAY,
        why: 'the record of an entry is kept for its cooldown, at most a year and a day; for "never again" use "reentry": "once"',
      },
    });
  settings?.caps?.forEach((cap, i) => {
    out.push({
      at: ['settings', 'caps', i, 'within'],
      duration: cap.within,
      longest: {
        ...YEAR_AND_A_DAY,
        why: "a customer's sends are counted over at most a year and a day",
      },
      shortest: { ...SHORTEST_CAP, why: 'a frequency cap counts messages over a minute or more' },
    });
  });
  return out;
}

function spanProblem({ at, duration, longest, shortest }: Span): Violation[] {
  const seconds = durationSeconds(duration);
  if (seconds === undefined) return [];
  if (seconds <= 0)
    return [
      violation(at, 'duration.zero', `${duration} is no time at all: give a duration longer than zero.`),
    ];
  if (longest !== undefined && seconds > longest.seconds)
    return [
      violation(
        at,
        'duration.too-long',
        `${duration} is too long: give at most ${longest.text} (${longest.why}).`,
      ),
    ];
  if (shortest !== undefined && seconds < shortest.seconds)
    return [
      violation(
        at,
        'duration.too-short',
        `${duration} is too short: give at least ${shortest.text} (${shortest.why}).`,
      ),
    ];
  return [];
}

/**
 * Timeouts, windows and cooldowns of zero length do nothing a marketer means;
 * a cap window, cooldown or goal window keeps a record alive as long as it
 * lasts, so each is bounded (storage stays bounded, and its date arithmetic
 * stays in range).
 */
export function checkDurations(context: CheckContext): Violation[] {
  return spans(context).flatMap(spanProblem);
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
