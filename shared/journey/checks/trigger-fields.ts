import { pathSegments } from '../../conditions/path.ts';
import { copiedValues } from '../requirements.ts';
import type { Trigger } from '../schema.ts';
import { type Violation, violation } from '../violations.ts';
import { journeyConditions } from './conditions.ts';
import type { CheckContext } from './context.ts';

const COMMON = ['type', 'userId', 'anonymousId', 'messageId', 'timestamp', 'context'];
const FIELDS: Record<Trigger['type'], readonly string[]> = {
  event: [...COMMON, 'event', 'properties'],
  identify: [...COMMON, 'traits'],
  segment: [],
};

/** Why `path` (a `trigger.*` path) cannot exist for this trigger, or undefined when it can. */
export function triggerFieldProblem(trigger: Trigger, path: string): string | undefined {
  const field = pathSegments(path)[1] ?? '';
  if (trigger.type === 'segment') {
    return `This journey starts from a scheduled segment, so there is no trigger event: "${path}" will never have a value.`;
  }
  if (FIELDS[trigger.type].includes(field)) return undefined;
  const kind = trigger.type === 'event' ? `a "${trigger.event}" event` : 'an identify call';
  const hint = trigger.type === 'event' ? 'trigger.properties.*' : 'trigger.traits.*';
  return `The trigger is ${kind}, which has no "${field}": use ${hint}.`;
}

/** Every `trigger.*` path (correlation, conditions, copied values) is a field the trigger can have. */
export function checkTriggerFields(context: CheckContext): Violation[] {
  const trigger = context.trigger;
  if (trigger === undefined) return [];
  const uses: { at: PropertyKey[]; path: string }[] = [];
  for (const { at, condition } of journeyConditions(context)) {
    if ('path' in condition) uses.push({ at: [...at, 'path'], path: condition.path });
  }
  for (const [id, step] of Object.entries(context.steps)) {
    if (step.type === 'waitForEvent') {
      for (const [eventPath, triggerPath] of Object.entries(step.match ?? {})) {
        uses.push({ at: ['steps', id, 'match', eventPath], path: triggerPath });
      }
    }
    if (step.type === 'wait' && step.untilDate !== undefined)
      uses.push({ at: ['steps', id, 'untilDate', 'path'], path: step.untilDate.path });
    for (const copy of copiedValues(step))
      uses.push({ at: ['steps', id, ...copy.at, 'from'], path: copy.from });
  }
  return uses
    .filter((use) => use.path.startsWith('trigger.'))
    .flatMap((use) => {
      const problem = triggerFieldProblem(trigger, use.path);
      return problem === undefined ? [] : [violation(use.at, 'trigger.field', problem)];
    });
}

/** Correlation and copied values read data the journey carries: the trigger or the awaited event. */
export function checkValueSources({ steps, trigger }: CheckContext): Violation[] {
  const out: Violation[] = [];
  for (const [id, step] of Object.entries(steps)) {
    if (step.type === 'waitForEvent') {
      for (const [eventPath, triggerPath] of Object.entries(step.match ?? {})) {
        if (!eventPath.startsWith('event.')) {
          out.push(
            violation(
              ['steps', id, 'match', eventPath],
              'value.source',
              `The left side is a field of the awaited event: write it as event.<field>, not "${eventPath}".`,
            ),
          );
        }
        if (!triggerPath.startsWith('trigger.') && !triggerPath.startsWith('context.')) {
          out.push(
            violation(
              ['steps', id, 'match', eventPath],
              'value.source',
              `Correlate with a field of the trigger event (trigger.<field>) or a context variable (context.<name>), not "${triggerPath}".`,
            ),
          );
        }
      }
    }
    if (step.type === 'updateProfile' || step.type === 'emit') {
      const field = step.type === 'emit' ? 'properties' : 'set';
      const values = step.type === 'emit' ? step.properties : step.set;
      for (const [key, value] of Object.entries(values ?? {})) {
        if (typeof value !== 'object' || /^(trigger|event|context)\./.test(value.from)) continue;
        out.push(
          violation(
            ['steps', id, field, key, 'from'],
            'value.source',
            `Values can be copied from trigger.*, event.* or context.* fields only, not "${value.from}".`,
          ),
        );
      }
    }
  }
  if (
    trigger?.type === 'event' &&
    trigger.correlationKey !== undefined &&
    !trigger.correlationKey.startsWith('event.')
  ) {
    out.push(
      violation(
        ['trigger', 'correlationKey'],
        'value.source',
        `The correlation key is a field of the trigger event: write it as event.<field>, not "${trigger.correlationKey}".`,
      ),
    );
  }
  return out;
}
