import { durationSeconds, MAX_EXECUTION_SECONDS } from '../../time.ts';
import { awaitedBy, type MessageOutcome, outcomesOf, reportedLater } from '../outcome.ts';
import type { MessageStep } from '../schema.ts';
import { aChannel, type Violation, violation } from '../violations.ts';

const capital = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

import type { CheckContext } from './context.ts';

/** Why a channel never reports an outcome, where it is not evident. */
const UNREPORTED_WHY = new Map<MessageStep['type'], string>([
  ['push', ' (push receipts and opens reach no journey)'],
]);
const FEEDBACK = new Set<MessageOutcome>(['delivered', 'bounced', 'opened', 'clicked']);

function windowProblem(at: PropertyKey[], within: string): Violation[] {
  const seconds = durationSeconds(within);
  if (seconds === undefined || (seconds > 0 && seconds <= MAX_EXECUTION_SECONDS)) return [];
  return [
    violation(
      at,
      'outcome.window',
      `${within} is not a window: give a duration longer than zero and at most a year.`,
    ),
  ];
}

function templateProblems(
  context: CheckContext,
  at: PropertyKey[],
  template: string,
  channel: string,
): Violation[] {
  const known = context.templates?.get(template);
  if (context.templates === undefined) return [];
  if (known === undefined)
    return [
      violation(
        at,
        'template.missing',
        `There is no template "${template}" (expected a file templates/${template}.json).`,
      ),
    ];
  if (known !== channel)
    return [
      violation(
        at,
        'template.channel',
        `Template "${template}" is ${aChannel(known)} template, but this fallback is ${aChannel(channel)} message.`,
      ),
    ];
  return [];
}

function stepProblems(context: CheckContext, id: string, step: MessageStep): Violation[] {
  const out: Violation[] = [];
  const reported = reportedLater(step.type);
  if (step.onOutcome !== undefined && step.fallback !== undefined)
    out.push(
      violation(
        ['steps', id, 'fallback'],
        'outcome.both',
        'A step has onOutcome or fallback, not both: a fallback is an onOutcome of its own.',
      ),
    );
  if (step.onOutcome !== undefined) {
    out.push(...windowProblem(['steps', id, 'onOutcome', 'within'], step.onOutcome.within));
    step.onOutcome.branches.forEach((branch, i) => {
      for (const outcome of outcomesOf(branch)) {
        if (!FEEDBACK.has(outcome) || reported.has(outcome)) continue;
        out.push(
          violation(
            ['steps', id, 'onOutcome', 'branches', i, 'outcome'],
            'outcome.channel',
            `${capital(aChannel(step.type))} message never reports "${outcome}"${UNREPORTED_WHY.get(step.type) ?? ''}: this branch could not be taken.`,
          ),
        );
      }
    });
  }
  // Each message of the chain is judged by the channel it went out on.
  let previous: MessageStep['type'] = step.type;
  (step.fallback ?? []).forEach((entry, i) => {
    const at = ['steps', id, 'fallback', i];
    out.push(...windowProblem([...at, 'within'], entry.within));
    out.push(...templateProblems(context, [...at, 'template'], entry.template, entry.channel));
    const awaited = awaitedBy(entry.when);
    if (!reportedLater(previous).has(awaited))
      out.push(
        violation(
          [...at, 'when'],
          'outcome.channel',
          `${capital(aChannel(previous))} message never reports "${awaited}"${UNREPORTED_WHY.get(previous) ?? ''}: ${entry.when} would always send the fallback.`,
        ),
      );
    previous = entry.channel;
  });
  return out;
}

/**
 * Outcome branches and fallbacks ask only what the channel reports, wait a
 * real window, and name templates of the fallback's channel.
 */
export function checkOutcomes(context: CheckContext): Violation[] {
  return Object.entries(context.steps).flatMap(([id, step]) =>
    step.type === 'email' || step.type === 'sms' || step.type === 'push'
      ? stepProblems(context, id, step)
      : [],
  );
}
