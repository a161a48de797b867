import { MAX_HISTORY_WINDOW } from '../../conditions/schema.ts';
import { traitValueProblem } from '../../ingest/limits.ts';
import { durationSeconds, isValidTimeZone, minutesOfDay } from '../../time.ts';
import { reachableFrom } from '../graph.ts';
import type { Violation } from '../violations.ts';
import { aChannel, violation } from '../violations.ts';
import { journeyConditions } from './conditions.ts';
import type { CheckContext } from './context.ts';

/** Split weights sum to 100 and variant names are unique. */
export function checkSplits({ steps }: CheckContext): Violation[] {
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'split') continue;
    const total = step.variants.reduce((sum, v) => sum + v.weight, 0);
    if (total !== 100) {
      out.push(
        violation(
          ['steps', id, 'variants'],
          'split.weights',
          `The variant weights add up to ${total}%; they must add up to 100%.`,
        ),
      );
    }
    const seen = new Set<string>();
    step.variants.forEach((variant, i) => {
      if (seen.has(variant.name)) {
        out.push(
          violation(
            ['steps', id, 'variants', i, 'name'],
            'split.duplicate-variant',
            `Two variants are named "${variant.name}": each variant needs its own name for the reports.`,
          ),
        );
      }
      seen.add(variant.name);
    });
    out.push(...holdoutMessages(id, step.variants, steps));
  }
  return out;
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set(['email', 'sms', 'push']);

/**
 * The steps a customer of one variant can reach: from the variant's `next`, and
 * through the split itself again (a loop back to it) only to that same variant,
 * since the bucket is drawn once per enrollment and carried in the execution.
 */
function afterVariant(splitId: string, next: string, steps: CheckContext['steps']): string[] {
  return reachableFrom(next, steps, (id) => id !== splitId);
}

/** A holdout is counted, never messaged: no message step may follow its variant. */
function holdoutMessages(
  splitId: string,
  variants: readonly { name: string; next: string; holdout: boolean }[],
  steps: CheckContext['steps'],
): Violation[] {
  const out: Violation[] = [];
  variants.forEach((variant, i) => {
    if (!variant.holdout) return;
    const message = afterVariant(splitId, variant.next, steps).find((id) =>
      MESSAGE_TYPES.has(steps[id]?.type ?? ''),
    );
    if (message === undefined) return;
    out.push(
      violation(
        ['steps', splitId, 'variants', i, 'next'],
        'split.holdout-messaged',
        `The holdout "${variant.name}" leads to the ${steps[message]?.type} step "${message}": a holdout is the control group and must not be messaged; send it to a path without messages (an exit).`,
      ),
    );
  });
  return out;
}

/** Message templates exist, for the step's channel. */
export function checkTemplates({ steps, templates }: CheckContext): Violation[] {
  if (templates === undefined) return [];
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'email' && step.type !== 'sms' && step.type !== 'push') continue;
    const channel = templates.get(step.template);
    if (channel === undefined) {
      out.push(
        violation(
          ['steps', id, 'template'],
          'template.missing',
          `There is no template "${step.template}" (expected a file templates/${step.template}.json).`,
        ),
      );
    } else if (channel !== step.type) {
      out.push(
        violation(
          ['steps', id, 'template'],
          'template.channel',
          `Template "${step.template}" is ${aChannel(channel)} template, but this is ${aChannel(step.type)} step.`,
        ),
      );
    }
  }
  return out;
}

/** Time zone, quiet hours, local windows and start/end dates make sense. */
export function checkTimeSettings({ settings, steps, salvaged }: CheckContext): Violation[] {
  const out: Violation[] = [];
  if (settings !== undefined && !isValidTimeZone(settings.defaultTimezone)) {
    out.push(
      violation(
        ['settings', 'defaultTimezone'],
        'timezone.unknown',
        `"${settings.defaultTimezone}" is not a known time zone; use an IANA name such as Europe/Rome or America/New_York.`,
      ),
    );
  }
  const quiet = settings?.quietHours;
  if (quiet !== undefined && minutesOfDay(quiet.start) === minutesOfDay(quiet.end)) {
    out.push(
      violation(
        ['settings', 'quietHours'],
        'quiet-hours.malformed',
        `Quiet hours start and end at the same time (${quiet.start}); remove them or give a real range such as 21:00–08:00.`,
      ),
    );
  }
  if (settings?.startAt !== undefined && settings.endAt !== undefined && settings.startAt >= settings.endAt) {
    out.push(
      violation(
        ['settings', 'endAt'],
        'settings.dates',
        'The journey ends before it starts: endAt must be after startAt.',
      ),
    );
  }
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'wait' || step.window === undefined) continue;
    const { start, end } = step.window;
    // A window may wrap midnight (22:00-02:00), as quiet hours may; one that ends when it starts is no window.
    if (minutesOfDay(start) === minutesOfDay(end)) {
      out.push(
        violation(
          ['steps', id, 'window'],
          'wait.window',
          `The window starts and ends at ${start}: give an end at another time (it may be after midnight, such as 22:00-02:00).`,
        ),
      );
    }
  }
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'wait') continue;
    const modes = [step.for, step.until, step.untilDate].filter((m) => m !== undefined).length;
    if (modes > 1) {
      out.push(
        violation(
          ['steps', id],
          'schema.invalid',
          'Give only one of "for", "until" or "untilDate" (a "window" may be added to any).',
        ),
      );
    }
    if (modes === 0 && step.window === undefined && !salvaged?.has(id)) {
      out.push(
        violation(
          ['steps', id],
          'schema.invalid',
          'Say how long to wait: "for", "until", "untilDate" or "window".',
        ),
      );
    }
  }
  return out;
}

/** Event-history checks count over at most the history the profile keeps. */
export function checkHistoryWindows(context: CheckContext): Violation[] {
  const limit = durationSeconds(MAX_HISTORY_WINDOW) ?? 0;
  return journeyConditions(context).flatMap(({ at, condition }) => {
    if (!('performed' in condition) || condition.within === undefined) return [];
    if ((durationSeconds(condition.within) ?? 0) <= limit) return [];
    return [
      violation(
        [...at, 'within'],
        'history.window',
        `Event history is kept for ${MAX_HISTORY_WINDOW.slice(1, -1)} days; "${condition.within}" looks further back than that.`,
      ),
    ];
  });
}

/** One trait changed twice in one update is refused by DynamoDB ("overlapping paths"). */
export function checkProfileUpdates({ steps, salvaged }: CheckContext): Violation[] {
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type !== 'updateProfile') continue;
    const seen = new Map<string, string>();
    const fields: [string, string[]][] = [
      ['set', Object.keys(step.set ?? {})],
      ['increment', Object.keys(step.increment ?? {})],
      ['unset', step.unset ?? []],
    ];
    for (const [field, traits] of fields) {
      for (const trait of traits) {
        const earlier = seen.get(trait);
        if (earlier !== undefined) {
          out.push(
            violation(
              ['steps', id, field],
              'update.overlap',
              `Trait "${trait}" is changed twice in this step (in ${earlier} and ${field}); change it once.`,
            ),
          );
        }
        seen.set(trait, field);
      }
    }
    // A literal the profile cannot keep would fail the step on every visit: known now.
    const literals: [string, string, unknown][] = [
      ...Object.entries(step.set ?? {}).map(([trait, value]): [string, string, unknown] => [
        'set',
        trait,
        value,
      ]),
      ...Object.entries(step.increment ?? {}).map(([trait, by]): [string, string, unknown] => [
        'increment',
        trait,
        by,
      ]),
    ];
    for (const [field, trait, value] of literals) {
      if (typeof value === 'object' && value !== null) continue; // a copy, judged when it is made
      const problem = traitValueProblem(value);
      if (problem !== undefined)
        out.push(
          violation(
            ['steps', id, field, trait],
            'update.value',
            `The profile cannot keep this ${field === 'set' ? 'value' : 'increment'}: ${problem}.`,
          ),
        );
    }
    if (fields.every(([, traits]) => traits.length === 0) && !salvaged?.has(id)) {
      out.push(
        violation(
          ['steps', id],
          'schema.invalid',
          'This step changes nothing: give "set", "increment" or "unset".',
        ),
      );
    }
  }
  return out;
}
