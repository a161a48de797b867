import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { compile } from '#shared/journey/compile/compile.ts';
import { type ValidateOptions, validateJourney } from '#shared/journey/validate.ts';
import { validateAsl } from './asl-validate.ts';

/**
 * A journey compiled and held to its golden ASL, which asl-validator must
 * accept. `UPDATE_GOLDEN=1` writes the fixture instead: review its diff.
 * Returns the ASL for the test's own assertions.
 */
export function expectGoldenAsl(journey: unknown, fixture: URL, options?: ValidateOptions) {
  const result = validateJourney(journey, options);
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  const asl = compile(result.journey);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(fixture, `${JSON.stringify(asl, null, 2)}\n`);
  if (!existsSync(fixture)) throw new Error('no golden fixture: review the ASL, then UPDATE_GOLDEN=1');
  expect(asl).toStrictEqual(JSON.parse(readFileSync(fixture, 'utf8')));
  expect(validateAsl(asl).errorsText).toBe('');
  return asl;
}
