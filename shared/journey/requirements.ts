import { edgesOf } from './graph.ts';
import type { Journey, Step } from './schema.ts';

/**
 * The `from` paths a step's Task reads with a Step Functions path as it
 * runs: an updateProfile's `set`, an emit's `properties`, a webhook's `body`
 * and `query`. A path that is missing fails the execution (States.Runtime,
 * which no catcher takes), so each must be there before the step runs.
 * (updateContext checks its own copies with a Choice and sets null instead.)
 */
export function copiedPaths(step: Step): string[] {
  const groups =
    step.type === 'emit'
      ? [step.properties]
      : step.type === 'updateProfile'
        ? [step.set]
        : step.type === 'webhook'
          ? [step.body, step.query]
          : [];
  const paths: string[] = [];
  for (const values of groups)
    for (const value of Object.values(values ?? {}))
      if (typeof value === 'object' && value !== null) paths.push(value.from);
  return paths;
}

/**
 * Every `{ "from": … }` value of a step, with the field and key it sits at
 * (`['set', 'lastOrder']`): those a Task copies ({@link copiedPaths}) and an
 * updateContext's, which sets null when the value is missing.
 */
export function copiedValues(step: Step): { at: [string, string]; from: string }[] {
  return valueGroups(step).flatMap(([field, values]) =>
    Object.entries(values ?? {}).flatMap(([key, value]) =>
      typeof value === 'object' && value !== null && 'from' in value && typeof value.from === 'string'
        ? [{ at: [field, key] as [string, string], from: value.from }]
        : [],
    ),
  );
}

/**
 * The fields of a step whose values are written or copied by key (an emit's
 * properties, an update's set, a webhook's body and query), each with its name.
 */
export function valueGroups(step: Step): [string, Readonly<Record<string, unknown>> | undefined][] {
  return step.type === 'emit'
    ? [['properties', step.properties]]
    : step.type === 'updateProfile' || step.type === 'updateContext'
      ? [['set', step.set]]
      : step.type === 'webhook'
        ? [
            ['body', step.body],
            ['query', step.query],
          ]
        : [];
}

/**
 * The `trigger.*` paths a journey reads where a missing value would fail the
 * execution (correlation values, copied values and context initial values
 * are resolved by JSONPath).
 * Ingest enrolls only trigger events that have a value at each of them.
 */
export function requiredTriggerPaths(journey: Pick<Journey, 'context' | 'steps'>): string[] {
  const paths = new Set<string>();
  for (const variable of Object.values(journey.context ?? {}))
    if (variable.from !== undefined) paths.add(variable.from);
  for (const step of Object.values(journey.steps)) {
    if (step.type === 'waitForEvent')
      for (const path of Object.values(step.match ?? {})) if (path.startsWith('trigger.')) paths.add(path);
    for (const path of copiedPaths(step)) if (path.startsWith('trigger.')) paths.add(path);
  }
  return [...paths].sort();
}

/**
 * The `event.*` paths the steps after a waitForEvent's answer copy while that
 * answer is the execution's `$.event`: an awaited event without one of them
 * would fail the execution at that step, so it does not answer the wait (as a
 * trigger without a copied value does not enroll). Another waitForEvent's
 * answer replaces it; its timeout path keeps it.
 */
export function requiredEventPaths(journey: Pick<Journey, 'steps'>, waitStepId: string): string[] {
  const { steps } = journey;
  const stepOf = (id: string) => (Object.hasOwn(steps, id) ? steps[id] : undefined);
  const wait = stepOf(waitStepId);
  if (wait?.type !== 'waitForEvent') return [];
  const paths = new Set<string>();
  const seen = new Set<string>();
  const queue = [wait.onEvent];
  while (queue.length > 0) {
    const id = queue.shift();
    const step = id === undefined ? undefined : stepOf(id);
    if (id === undefined || step === undefined || seen.has(id)) continue;
    seen.add(id);
    if (step.type === 'waitForEvent') {
      queue.push(step.onTimeout);
      continue;
    }
    for (const path of copiedPaths(step)) if (path.startsWith('event.')) paths.add(path);
    for (const edge of edgesOf(step)) queue.push(edge.to);
  }
  return [...paths].sort();
}
