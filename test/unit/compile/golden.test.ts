import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateAsl } from '../../support/asl-validate.ts';
import { exampleJourneys } from '../../support/journeys.ts';

const FIXTURES = new URL('../../fixtures/asl/', import.meta.url);
/** `UPDATE_GOLDEN=1 npx vitest run test/unit/compile` rewrites the fixtures from the compiler. */
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const journeys = exampleJourneys();

describe('compile: golden ASL of every example journey', () => {
  it('has example journeys to check', () => {
    expect(journeys.length).toBeGreaterThan(0);
  });

  it.each(journeys.map((j) => [j.id, j] as const))('%s matches its fixture', (id, journey) => {
    const fixture = new URL(`${id}.json`, FIXTURES);
    const asl = compile(journey);
    if (UPDATE || !existsSync(fixture)) writeFileSync(fixture, `${JSON.stringify(asl, null, 2)}\n`);
    expect(asl).toStrictEqual(JSON.parse(readFileSync(fixture, 'utf8')));
  });

  it.each(journeys.map((j) => [j.id, j] as const))('%s passes asl-validator', (_id, journey) => {
    const result = validateAsl(compile(journey));
    expect(result.errorsText).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(journeys.map((j) => [j.id, j] as const))('%s compiles byte-identically twice', (_id, journey) => {
    expect(JSON.stringify(compile(structuredClone(journey)))).toBe(JSON.stringify(compile(journey)));
  });
});
