import { validateJourney } from '#shared/journey/validate.ts';
import { JourneyJson } from './journey-files.ts';
import type { ReferenceProblem } from './references.ts';
import type { Scenario } from './scenario.ts';

/**
 * The problems a scenario's `settings` overrides give its journeys: each one
 * the journey with the overrides has and the journey as written has not,
 * named at the override (`settings.<journey>.quietHours.start`), so the
 * scenario file's line and column point at it before anything runs.
 */
export function overrideProblems(
  scenario: Scenario,
  journeys: ReadonlyMap<string, JourneyJson | string>,
): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  for (const [id, overrides] of Object.entries(scenario.settings ?? {})) {
    const journey = journeys.get(id);
    // A journey that cannot be read, or is not the scenario's, is named with the other references.
    if (journey === undefined || typeof journey === 'string') continue;
    const settings = JourneyJson.safeParse(journey.settings).data ?? {};
    const merged = validateJourney({ ...journey, settings: { ...settings, ...overrides } });
    if (merged.ok) continue;
    const own = validateJourney(journey);
    const known = new Set(own.ok ? [] : own.violations.map((v) => `${v.path}\u0000${v.message}`));
    for (const v of merged.violations) {
      if (known.has(`${v.path}\u0000${v.message}`)) continue;
      const inSettings = v.path === 'settings' || /^settings[.[]/.test(v.path);
      out.push(
        inSettings
          ? { path: `settings.${id}${v.path.slice('settings'.length)}`, message: v.message }
          : { path: `settings.${id}`, message: `with these settings, ${v.path}: ${v.message}` },
      );
    }
  }
  return out;
}
