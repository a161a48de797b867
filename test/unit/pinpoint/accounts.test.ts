import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPinpointJourney, templateUsesOf } from '#infra/cli/import-pinpoint/import.ts';
import { readPinpointSources } from '#infra/cli/import-pinpoint/sources.ts';
import { validateJourney } from '#shared/journey/validate.ts';

const FOLDER = 'test/fixtures/pinpoint/accounts';

/**
 * Exports shaped as real accounts have them: nested and multivariate splits,
 * waits until a date, random splits and holdouts, custom and contact-center
 * activities, unicode names, ids that collide once made step ids, `__proto__`,
 * wrapped and bare, lists. Each either imports to a journey that validates,
 * or is refused with every problem named by its path: never a throw.
 */
describe('importPinpointJourney: exports of real accounts', () => {
  it.each(readdirSync(FOLDER).filter((f) => f.endsWith('.json')))('%s', async (file) => {
    // arrange
    const { sources } = await readPinpointSources(join(FOLDER, file));
    const inputs = sources.flatMap((s) => (s.ok ? [s.value] : []));
    const templates = templateUsesOf(inputs);
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) {
      // act
      const result = importPinpointJourney(input, { templates });
      // assert
      if (!result.ok) {
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) expect(problem.path).not.toBe('');
        continue;
      }
      const catalog = new Map(result.templates.map((t) => [t.name, t.template.channel]));
      const checked = validateJourney(result.journey, { templates: catalog });
      expect(checked.ok ? [] : checked.violations).toEqual([]);
    }
  });
});
