import { describe, expect, it } from 'vitest';
import * as language from '#shared/conditions/schema.ts';
import { ContextName } from '#shared/journey/journey-context.ts';
import * as journey from '#shared/journey/schema.ts';
import * as tasks from '#shared/tasks/values.ts';
import * as z from '#shared/zod.ts';
import { schemaStructure } from '../support/schema-structure.ts';

/**
 * The task contracts check the language's values with their own `zod/mini`
 * schemas: each must accept and refuse exactly what the language does, with
 * the same messages.
 */

type Parser = { safeParse(value: unknown): { success: boolean; error?: { issues: readonly unknown[] } } };

function verdict(schema: Parser, value: unknown) {
  const result = schema.safeParse(value);
  return { success: result.success, issues: result.error?.issues };
}

const times = ['21:00', '08:00', '00:00', '23:59', '24:00', '8:00', '08:60', '', 'noon', 2100, null];
const durations = ['PT1H', 'P7D', 'P1DT12H', 'P1M', '-P3D', 'P', 'PT', '1H', '', 'P1.5D', 7];
const names = ['plan', '_x', 'a1', '1a', '__proto__', 'constructor', 'length', 'a-b', '', 'x'.repeat(65)];

describe('task contract values and the journey language', () => {
  it.each([
    ['quiet hours', journey.QuietHours, tasks.QuietHours],
    ['local window', journey.LocalWindow, tasks.LocalWindow],
  ] as const)('%s have the language’s structure', (_name, classic, twin) => {
    expect(schemaStructure(twin)).toEqual(schemaStructure(classic));
  });

  it.each(times.flatMap((start) => times.map((end) => [start, end])))('quiet hours %s–%s', (start, end) => {
    const value = { start, end };
    expect(verdict(tasks.QuietHours, value)).toEqual(verdict(journey.QuietHours, value));
  });

  it.each([
    { start: '09:00', end: '17:00' },
    { start: '09:00', end: '17:00', weekdays: ['mon', 'fri'] },
    { start: '09:00', end: '17:00', weekdays: [] },
    { start: '09:00', end: '17:00', weekdays: ['monday'] },
    { start: '09:00', end: '17:00', extra: true },
    { start: '09:00' },
    'daily',
  ])('local window %j', (value) => {
    expect(verdict(tasks.LocalWindow, value)).toEqual(verdict(journey.LocalWindow, value));
  });

  it.each(durations)('duration %j', (value) => {
    expect(verdict(tasks.IsoDuration, value)).toEqual(verdict(language.IsoDuration, value));
  });

  it.each(names)('context name %j', (name) => {
    const languageRecord = z.record(ContextName, z.unknown());
    const value = { [name]: 'v' };
    expect(verdict(tasks.ContextValues, value).success).toBe(verdict(languageRecord, value).success);
    expect(verdict(tasks.ContextValues, value).issues).toEqual(verdict(languageRecord, value).issues);
  });
});
