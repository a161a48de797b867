import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '#shared/journey/compile/compile.ts';
import { validateAsl } from '../../support/asl-validate.ts';
import { exampleJourneys } from '../../support/journeys.ts';

const FIXTURES = new URL('../../fixtures/asl/', import.meta.url);
/**
 * `UPDATE_GOLDEN=1 npx vitest run test/unit/compile` writes the fixtures from
 * the compiler; without it a missing fixture fails, so a new example journey
 * cannot pass unreviewed.
 */
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const journeys = exampleJourneys();

describe('compile: golden ASL of every example journey', () => {
  it('has example journeys to check', () => {
    expect(journeys.length).toBeGreaterThan(0);
  });

  it.each(journeys.map((j) => [j.id, j] as const))('%s matches its fixture', (id, journey) => {
    const fixture = new URL(`${id}.json`, FIXTURES);
    const asl = compile(journey);
    if (UPDATE) writeFileSync(fixture, `${JSON.stringify(asl, null, 2)}\n`);
    if (!existsSync(fixture)) {
      throw new Error(
        `no golden fixture ${fixture.pathname}: review the ASL, then write it with UPDATE_GOLDEN=1`,
      );
    }
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
