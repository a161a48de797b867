import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * `journeys test` counts messages: `times` says exactly how many matching
 * messages a customer gets, and `journey` which journey sent them when two
 * send the same template.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const journey = (id: string, reentry: string) => ({
  id,
  name: id,
  trigger: { type: 'event', event: 'Signed Up' },
  reentry,
  start: 'hello',
  steps: { hello: { type: 'email', template: 'welcome', next: 'done' }, done: { type: 'exit' } },
});

let folder: string;
let result: ScenarioResult | undefined;

beforeAll(async () => {
  // arrange: two journeys send the same template; one enters the customer at every sign-up, one once
  folder = await mkdtemp(join(tmpdir(), 'message-counts-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'every-time.json'), JSON.stringify(journey('every-time', 'always')));
  await writeFile(join(folder, 'first-time.json'), JSON.stringify(journey('first-time', 'once')));
  const email = { user: 'ada', channel: 'email', template: 'welcome' };
  const scenario = Scenario.parse({
    name: 'two sign-ups, two journeys',
    journeys: ['every-time', 'first-time'],
    start: '2026-03-02T10:00:00Z',
    until: '+1h',
    customers: [{ id: 'ada' }],
    events: [
      { at: '+0h', user: 'ada', track: 'Signed Up' },
      { at: '+1h', user: 'ada', track: 'Signed Up' },
    ],
    expect: [
      { message: { ...email, journey: 'every-time', times: 2 } },
      { message: { ...email, journey: 'first-time', times: 1 } },
      { message: { ...email, times: 3 } },
      { message: { ...email, times: 2 } },
      { message: { ...email, journey: 'first-time', at: '+1h' } },
      { noMessage: { ...email, journey: 'first-time', within: { from: '+30m', to: '+2h' } } },
    ],
  });
  // act
  [result] = await runScenarios([{ file: 'counts.test.json', scenario }], folder);
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('journeys test: how many messages, from which journey', () => {
  it('holds a count only when exactly that many match, and tells the journeys apart', () => {
    expect(result?.error).toBeUndefined();
    expect(result?.verdicts.map((v) => [v.title, v.ok])).toEqual([
      ['ada gets email welcome from every-time 2 times', true],
      ['ada gets email welcome from first-time once', true],
      ['ada gets email welcome 3 times', true],
      ['ada gets email welcome 2 times', false],
      [`ada gets email welcome from first-time at 2026-03-02T11:00:00.000Z`, false],
      [
        'ada gets no email welcome from first-time between 2026-03-02T10:30:00.000Z and 2026-03-02T12:00:00.000Z',
        true,
      ],
    ]);
    expect(result?.verdicts[3]?.actual).toMatch(
      /^3 such messages:\n(email welcome at .*\n){2}email welcome at /,
    );
  });
});
