import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios, referenceProblems } from '#infra/local/scenarios/load.ts';

/**
 * An expectation whose bounds hold nothing, or that looks where the run
 * never goes, can never fail (a `noMessage`) or never pass (a `message`,
 * a `share`): it would say nothing about the journey. Such a scenario is
 * refused before it runs, with the field and why, like a misspelt name.
 */

const JOURNEYS = join(import.meta.dirname, '..', '..', '..', 'journeys');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scenario-ranges-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function problemsOf(name: string, scenario: Record<string, unknown>): Promise<string[]> {
  await writeFile(
    join(dir, name),
    JSON.stringify(
      {
        name: 'Ranges',
        journeys: ['cart-abandonment'],
        start: '2026-03-02T09:00:00Z',
        customers: [{ id: 'anna' }, { id: 'crowd', count: 3 }],
        events: [{ at: '+1h', user: 'anna', track: 'Cart Updated', properties: { cartId: 'c', total: 50 } }],
        ...scenario,
      },
      null,
      2,
    ),
  );
  const { scenarios, problems } = await loadScenarios([join(dir, name)], dir);
  expect(problems).toStrictEqual([]);
  return (await referenceProblems(scenarios, JOURNEYS)).map((p) => p.replace(/^[^:]+:\d+:\d+: /, ''));
}

describe('a scenario bound that holds nothing is refused', () => {
  it('names a window that ends before it starts', async () => {
    const problems = await problemsOf('window.test.json', {
      expect: [
        { message: { user: 'anna', channel: 'email', within: { from: '+2d', to: '+1d' } } },
        { noMessage: { user: 'anna', channel: 'sms', within: { from: '2026-03-03T10:00:00Z', to: '+1d' } } },
        { message: { user: 'anna', channel: 'email', within: { from: '+1d', to: '2026-03-03T09:00:00Z' } } },
      ],
    });
    expect(problems).toStrictEqual([
      'expect[0].message.within: the window ends (+1d, 2026-03-03T09:00:00.000Z) before it starts (+2d, 2026-03-04T09:00:00.000Z): nothing can happen in it',
      'expect[1].noMessage.within: the window ends (+1d, 2026-03-03T09:00:00.000Z) before it starts (2026-03-03T10:00:00Z, 2026-03-03T10:00:00.000Z): nothing can happen in it',
    ]);
  });

  it('names a share between bounds given the wrong way round', async () => {
    const problems = await problemsOf('share.test.json', {
      expect: [
        { share: { cohort: 'crowd', through: 'reminder-email', between: [0.5, 0.4] } },
        { share: { cohort: 'crowd', through: 'reminder-email', between: [0.4, 0.4] } },
      ],
    });
    expect(problems).toStrictEqual([
      'expect[0].share.between: the least share (0.5) is above the most (0.4): no share is between them',
    ]);
  });

  it('names an until before the last event, and a window or instant after the run ends', async () => {
    const problems = await problemsOf('until.test.json', {
      until: '2026-03-02T09:30:00Z',
      expect: [{ noMessage: { user: 'anna', channel: 'sms' } }],
    });
    expect(problems).toStrictEqual([
      'until: 2026-03-02T09:30:00Z is before the last event (2026-03-02T10:00:00.000Z): the journeys would run no time after it; give an instant after it, or +<duration> after it',
    ]);
    const after = await problemsOf('after.test.json', {
      expect: [
        { noMessage: { user: 'anna', channel: 'sms', within: { from: '+P9D', to: '+P10D' } } },
        { message: { user: 'anna', channel: 'email', at: '+P8D' } },
        { message: { user: 'anna', channel: 'email', within: { from: '+P1D', to: '+P30D' } } },
      ],
    });
    expect(after).toStrictEqual([
      'expect[0].noMessage.within: the window starts (+P9D, 2026-03-11T09:00:00.000Z) after the scenario ends (2026-03-09T10:00:00.000Z): nothing in it is observed; end it later with until',
      'expect[1].message.at: +P8D (2026-03-10T09:00:00.000Z) is after the scenario ends (2026-03-09T10:00:00.000Z): nothing then is observed; end it later with until',
    ]);
  });
});
