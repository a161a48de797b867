import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * A step that fails under the failure policy `exit` ends the enrollment: the
 * scenario reads that the customer left because that step failed, not that
 * the journey completed at the last step reached.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const JOURNEY = {
  id: 'renewal-failing',
  name: 'Renewal',
  status: 'active',
  trigger: { type: 'event', event: 'Renewal Due' },
  settings: { onFailure: 'exit' },
  start: 'wait-renewal',
  steps: {
    'wait-renewal': { type: 'wait', untilDate: { path: 'profile.traits.renewalDate' }, next: 'reminder' },
    reminder: { type: 'email', template: 'welcome', next: 'done' },
    done: { type: 'exit', reason: 'reminded' },
  },
};

let folder: string;
let result: ScenarioResult | undefined;

beforeAll(async () => {
  // arrange: a customer without the trait the wait reads
  folder = await mkdtemp(join(tmpdir(), 'step-failed-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'renewal-failing.json'), JSON.stringify(JOURNEY));
  const scenario = Scenario.parse({
    name: 'no renewal date',
    journeys: ['renewal-failing'],
    start: '2026-03-02T10:00:00Z',
    customers: [{ id: 'ada', timezone: 'Europe/London' }],
    events: [{ at: '+0h', user: 'ada', track: 'Renewal Due' }],
    expect: [
      { outcome: { user: 'ada', is: 'step-failed', at: 'wait-renewal' } },
      { outcome: { user: 'ada', is: 'completed' } },
      { outcome: { user: 'ada', is: 'step-failed', at: 'reminder' } },
    ],
  });
  // act
  [result] = await runScenarios([{ file: 'renewal.test.json', scenario }], folder);
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('journeys test: a step that fails with the policy exit', () => {
  it('reads that the customer left because the step failed, at that step', () => {
    expect(result?.error).toBeUndefined();
    expect(result?.verdicts.map((v) => v.ok)).toEqual([true, false, false]);
  });

  it('names the failure and its reason where the outcome differs', () => {
    expect(result?.verdicts[1]?.actual).toMatch(
      /^left because wait-renewal failed \(Journeys\.ProfileValue: .*renewalDate.*\)$/,
    );
  });

  it('ends the timeline of a failed expectation with the same words', () => {
    expect(result?.timelines.get('ada')?.lines.at(-1)).toMatch(
      /done {3}renewal-failing: left because wait-renewal failed \(Journeys\.ProfileValue: /,
    );
  });
});
