import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forecastPage } from '#infra/simulate/cli/html.ts';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';

/** A wait on a date no synthetic customer has: the step fails and its policy ends the enrollment. */
const RENEWAL = {
  id: 'renewal-dated',
  name: 'Renewal on a date customers lack',
  trigger: { type: 'event', event: 'Signed Up' },
  settings: { onFailure: 'exit' },
  start: 'wait-renewal',
  steps: {
    'wait-renewal': { type: 'wait', untilDate: { path: 'profile.traits.renewalDate' }, next: 'done' },
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
 * The forecast counts endings as the deployed journey's results do: an
 * enrollment its failed step ended (the execution SUCCEEDED) is `stepFailed`,
 * not `completed`.
 */
describe('journeys simulate on a step that fails under the policy exit', () => {
  it('forecasts the endings as step failed', async () => {
    // arrange
    const dir = await mkdtemp(join(tmpdir(), 'simulate-step-failed-'));
    await mkdir(join(dir, 'simulations'));
    const file = join(dir, 'renewal-dated.json');
    await writeFile(file, JSON.stringify(RENEWAL));
    await writeFile(join(dir, 'simulations', 'renewal-dated.json'), JSON.stringify(SCENARIO));
    const loaded = await loadInputs(file, join(dir, 'simulations', 'renewal-dated.json'));
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    // act
    const forecast = await simulate({ ...loaded.inputs, customers: 20, workers: 1 });
    // assert
    expect(forecast.outcomes).toEqual([['stepFailed', 20]]);
    expect(forecastText(forecast)).toMatch(/ended: step failed +20/);
    expect(forecastPage(forecast)).toContain('<td>step failed</td><td class="n">20</td>');
  }, 60_000);
});
