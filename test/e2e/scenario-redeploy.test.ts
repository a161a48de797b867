import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * A scenario that deploys an edited journey mid-run: each message is judged
 * by the template the version that sent it used, not by the file as it reads
 * at the end of the run.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const JOURNEY = {
  id: 'edited',
  name: 'Edited',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: 'always',
  start: 'hello',
  steps: {
    hello: { type: 'email', template: 'welcome', next: 'done' },
    done: { type: 'exit' },
  },
};

let folder: string;
let result: ScenarioResult | undefined;

beforeAll(async () => {
  // arrange: a journey whose email template changes between two customers' entries
  folder = await mkdtemp(join(tmpdir(), 'redeploy-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'edited.json'), JSON.stringify(JOURNEY));
  const scenario = Scenario.parse({
    name: 'the email template is edited between two sign-ups',
    journeys: ['edited'],
    start: '2026-03-02T10:00:00Z',
    until: '+1h',
    customers: [{ id: 'ada' }, { id: 'bea' }],
    events: [
      { at: '+0h', user: 'ada', track: 'Signed Up' },
      { at: '+1h', deploy: 'edited', set: { 'steps.hello.template': 'welcome-tips' } },
      { at: '+2h', user: 'bea', track: 'Signed Up' },
    ],
    expect: [
      { message: { user: 'ada', channel: 'email', template: 'welcome' } },
      { noMessage: { user: 'ada', channel: 'email', template: 'welcome-tips' } },
      { message: { user: 'bea', channel: 'email', template: 'welcome-tips' } },
      { noMessage: { user: 'bea', channel: 'email', template: 'welcome' } },
    ],
  });
  // act
  [result] = await runScenarios([{ file: 'edited.test.json', scenario }], folder);
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('journeys test: a journey edited during a scenario', () => {
  it('names each message by the template of the version that sent it', () => {
    expect(result?.error).toBeUndefined();
    expect(result?.verdicts.map((v) => [v.title, v.ok])).toEqual([
      ['ada gets email welcome', true],
      ['ada gets no email welcome-tips', true],
      ['bea gets email welcome-tips', true],
      ['bea gets no email welcome', true],
    ]);
  });
});
