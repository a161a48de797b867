import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios, referenceProblems } from '#infra/local/scenarios/load.ts';

/**
 * A scenario's `settings` override a journey's: a value there the journey
 * language refuses is named where the scenario writes it (its file, line and
 * column), before any runtime starts, not at the line of a merged copy of
 * the journey nobody sees.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-settings-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemsOf(name: string, settings: unknown): Promise<string[]> {
  const text = JSON.stringify(
    {
      name: 'Overrides',
      journeys: ['cart-abandonment'],
      start: '2026-03-02T09:00:00Z',
      settings,
      customers: [{ id: 'anna' }],
      expect: [{ noMessage: { user: 'anna', channel: 'sms' } }],
    },
    null,
    2,
  );
  await writeFile(join(dir, name), text);
  const { scenarios, problems } = await loadScenarios([join(dir, name)], dir);
  expect(problems).toStrictEqual([]);
  return referenceProblems(scenarios, JOURNEYS);
}

describe('scenario settings overrides the journey language refuses', () => {
  it('are named at the line and column the scenario writes them', async () => {
    const problems = await problemsOf('hours.test.json', {
      'cart-abandonment': {
        quietHours: { start: '25:00', end: '07:00' },
        caps: [{ max: 500, within: 'P1D' }],
        defaultTimezone: 'Mars/Olympus',
      },
    });
    expect(problems.map((p) => p.split(': ').slice(0, 2).join(': '))).toStrictEqual([
      'hours.test.json:10:9: settings.cart-abandonment.quietHours.start',
      'hours.test.json:15:11: settings.cart-abandonment.caps[0].max',
      'hours.test.json:19:7: settings.cart-abandonment.defaultTimezone',
    ]);
    expect(problems[1]).toContain('must be at most 200, got the number 500');
  });

  it('takes overrides the language accepts', async () => {
    expect(
      await problemsOf('fine.test.json', {
        'cart-abandonment': { quietHours: { start: '22:00', end: '07:00' }, defaultTimezone: 'Asia/Tokyo' },
      }),
    ).toStrictEqual([]);
  });
});
