import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * `trigger.*` in a goal's or an exit event's `where` is the event that started
 * the enrollment, as everywhere in the condition language — not the goal or
 * exit event being judged, which `event.*` names.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const JOURNEY = {
  id: 'trial-upgrade',
  name: 'Trial upgrade',
  trigger: { type: 'event', event: 'Started' },
  reentry: 'always',
  goal: {
    event: 'Upgraded',
    where: { path: 'trigger.properties.plan', eq: 'trial' },
    within: 'P5D',
    exit: true,
  },
  exitOn: [{ event: 'Left', where: { path: 'trigger.properties.source', eq: 'ads' } }],
  start: 'wait',
  steps: {
    wait: { type: 'wait', for: 'P2D', next: 'hello' },
    hello: { type: 'email', template: 'note-hello', next: 'done' },
    done: { type: 'exit' },
  },
};

let folder: string;
let result: ScenarioResult | undefined;

beforeAll(async () => {
  // arrange: entries whose trigger says what the goal and exit conditions ask, and one whose does not
  folder = await mkdtemp(join(tmpdir(), 'ending-trigger-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'trial-upgrade.json'), JSON.stringify(JOURNEY));
  const scenario = Scenario.parse({
    name: 'goal and exit conditions on the trigger',
    journeys: ['trial-upgrade'],
    start: '2026-03-02T10:00:00Z',
    until: '+P3D',
    customers: [{ id: 'ada' }, { id: 'bob' }, { id: 'cy' }],
    events: [
      { at: '+0h', user: 'ada', track: 'Started', properties: { plan: 'trial', source: 'mail' } },
      { at: '+0h', user: 'bob', track: 'Started', properties: { plan: 'paid', source: 'ads' } },
      { at: '+0h', user: 'cy', track: 'Started', properties: { plan: 'paid', source: 'mail' } },
      // act: the goal and exit events carry other values at the same paths
      { at: '+2h', user: 'ada', track: 'Upgraded', properties: { plan: 'pro' } },
      { at: '+2h', user: 'bob', track: 'Left', properties: { source: 'app' } },
      { at: '+2h', user: 'cy', track: 'Upgraded', properties: { plan: 'trial' } },
      { at: '+2h', user: 'cy', track: 'Left', properties: { source: 'ads' } },
    ],
    expect: [
      { outcome: { user: 'ada', is: 'converted' } },
      { noMessage: { user: 'ada', channel: 'email' } },
      { outcome: { user: 'bob', is: 'exited' } },
      { noMessage: { user: 'bob', channel: 'email' } },
      { outcome: { user: 'cy', is: 'completed' } },
      { message: { user: 'cy', channel: 'email', template: 'note-hello' } },
    ],
  });
  [result] = await runScenarios([{ file: 'trial-upgrade.test.json', scenario }], folder);
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('journeys test: goal and exit conditions on trigger.*', () => {
  it("reads the enrollment's trigger, not the event judged", () => {
    // assert
    expect(result?.error).toBeUndefined();
    expect(result?.verdicts.filter((v) => !v.ok).map((v) => v.title)).toEqual([]);
    expect(result?.verdicts).toHaveLength(6);
  });
});
