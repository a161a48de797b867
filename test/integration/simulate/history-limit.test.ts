import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** Nudges every hour until an order that never comes: 892 rounds fill the execution's history. */
const HOURLY = {
  id: 'hourly-nudge',
  name: 'Hourly nudge until a purchase',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'wait-buy',
  steps: {
    'wait-buy': {
      type: 'waitForEvent',
      event: 'Order Completed',
      timeout: 'PT1H',
      onEvent: 'done',
      onTimeout: 'count',
    },
    count: { type: 'updateProfile', set: { nudges: 1 }, next: 'tell' },
    tell: { type: 'emit', event: 'Nudged', next: 'again' },
    again: {
      type: 'branch',
      branches: [{ when: { path: 'profile.traits.optedOut', eq: true }, next: 'done' }],
      otherwise: 'wait-buy',
    },
    done: { type: 'exit' },
  },
};

const SCENARIO = {
  start: '2026-03-02T00:00:00Z',
  seed: 1,
  customers: { timezones: { 'Europe/Rome': 1 } },
  entry: { event: 'Signed Up', over: 'PT1H' },
};

/**
 * AWS fails a Standard execution whose history reaches 25,000 events; the
 * simulation ends it so too, on the day the validator's loop warning gives,
 * instead of letting the loop run its whole year.
 */
describe('journeys simulate on the history limit', () => {
  it('fails an execution whose loop fills its history, when the loop warning says, with the reason in the report', async () => {
    // arrange
    const dir = await mkdtemp(join(tmpdir(), 'simulate-history-'));
    await mkdir(join(dir, 'simulations'));
    const file = join(dir, 'hourly-nudge.json');
    await writeFile(file, JSON.stringify(HOURLY));
    await writeFile(join(dir, 'simulations', 'hourly-nudge.json'), JSON.stringify(SCENARIO));
    const warning = validateJourney(HOURLY).warnings.find((w) => w.code === 'loop.history');
    const loaded = await loadInputs(file, join(dir, 'simulations', 'hourly-nudge.json'));
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    // act
    const forecast = await simulate({ ...loaded.inputs, customers: 1, workers: 1 });
    // assert
    expect(warning?.message).toContain('fills in about 37 days (892 rounds)');
    expect(forecast.outcomes).toEqual([['failed', 1]]);
    expect(forecast.failedExecutions).toEqual([
      ['failed: States.Runtime: The execution reached the maximum number of history events (25000).', 1],
    ]);
    const days = (Date.parse(forecast.endedAt) - Date.parse(SCENARIO.start)) / 86_400_000;
    expect(Math.floor(days)).toBe(37);
    expect(forecastText(forecast)).toContain('Executions that failed, by reason');
  }, 60_000);
});
