import type { Journey } from './schema.ts';

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
    const values =
      step.type === 'emit' ? step.properties : step.type === 'updateProfile' ? step.set : undefined;
    for (const value of Object.values(values ?? {})) {
      if (typeof value === 'object' && value.from.startsWith('trigger.')) paths.add(value.from);
    }
  }
  return [...paths].sort();
}
