import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '#infra/local/scenarios/scenario.ts';
import { resolveWhen } from '#infra/local/scenarios/when.ts';

const T0 = Date.parse('2026-03-28T09:00:00Z');

describe('scenario files', () => {
  it('ship the JSON Schema generated from the scenario model (npx journeys test --schema)', async () => {
    const file = join(import.meta.dirname, '..', '..', '..', 'journeys', 'tests', 'scenario.schema.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toStrictEqual(scenarioJsonSchema());
  });

  it.each([
    ['+0h', '2026-03-28T09:00:00.000Z'],
    ['+30m', '2026-03-28T09:30:00.000Z'],
    ['+1.5h', '2026-03-28T10:30:00.000Z'],
    // Relative times are elapsed time: +1d across the change to summer time is 24 hours.
    ['+1d', '2026-03-29T09:00:00.000Z'],
    ['+P1DT2H', '2026-03-29T11:00:00.000Z'],
    ['2026-04-01T08:00:00+02:00', '2026-04-01T06:00:00.000Z'],
  ])('read %s as %s', (when, iso) => {
    expect(new Date(resolveWhen(when, T0)).toISOString()).toBe(iso);
  });

  it('refuse an instant that is neither absolute nor relative', () => {
    expect(() => resolveWhen('+soon', T0)).toThrow(/ISO 8601 duration/);
    expect(() => resolveWhen('tomorrow', T0)).toThrow(/ISO 8601 instant/);
  });

  it('refuse an instant without a zone: it would read as the local time of whichever machine runs it', () => {
    expect(() => resolveWhen('2026-03-03T10:00', T0)).toThrow(/with a zone/);
    expect(() => resolveWhen('2026-03-03T10:00:00', T0)).toThrow(/with a zone/);
    expect(resolveWhen('2026-03-03T10:00Z', T0)).toBe(Date.parse('2026-03-03T10:00:00Z'));
  });
});
