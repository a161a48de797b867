import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * `journeys test` outcomes come from what happened to the enrollment: a goal
 * with `exit: false` converts without stopping the execution, which then
 * completes (or still runs), and a goal reached after the last step, inside
 * `within`, converts an enrollment whose execution has ended.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const JOURNEY = {
  id: 'outcomes',
  name: 'Outcomes',
  status: 'active',
  trigger: { type: 'event', event: 'Signed Up' },
  goal: { event: 'Order Completed', within: 'P7D', exit: false },
  exitOn: [{ event: 'Account Deleted' }],
  start: 'wait-2d',
  steps: {
    'wait-2d': { type: 'wait', for: 'P2D', next: 'welcome-email' },
    'welcome-email': { type: 'email', template: 'welcome', next: 'done' },
    done: { type: 'exit', reason: 'welcomed' },
  },
};

const ALL_OUTCOMES = ['converted', 'exited', 'completed', 'running', 'failed'] as const;

/** One scenario per timeline, asserting every outcome: the verdicts say which hold. */
const scenario = (name: string, events: unknown[], until?: string) =>
  Scenario.parse({
    name,
    journeys: ['outcomes'],
    start: '2026-03-02T10:00:00Z',
    ...(until === undefined ? {} : { until }),
    customers: [{ id: 'ada', timezone: 'Europe/London' }],
    events: [{ at: '+0h', user: 'ada', track: 'Signed Up' }, ...events],
    expect: ALL_OUTCOMES.map((is) => ({ outcome: { user: 'ada', is } })),
  });

let folder: string;
let results: ScenarioResult[];

beforeAll(async () => {
  // arrange: the journey in a folder of its own, with the project's templates
  folder = await mkdtemp(join(tmpdir(), 'outcomes-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'outcomes.json'), JSON.stringify(JOURNEY));
  const scenarios = [
    scenario('orders during the wait', [{ at: '+1d', user: 'ada', track: 'Order Completed' }]),
    scenario(
      'orders during the wait, seen before the end',
      [{ at: '+1d', user: 'ada', track: 'Order Completed' }],
      '+1h',
    ),
    scenario('orders after the last step', [{ at: '+3d', user: 'ada', track: 'Order Completed' }]),
    scenario('orders after the goal window', [{ at: '+8d', user: 'ada', track: 'Order Completed' }]),
    scenario('deletes the account', [{ at: '+1d', user: 'ada', track: 'Account Deleted' }]),
  ];
  // act
  results = await runScenarios(
    scenarios.map((s) => ({ file: 'outcomes.test.json', scenario: s })),
    folder,
  );
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The outcomes a scenario's enrollment holds, from its verdicts. */
const outcomesOf = (name: string) => {
  const result = results.find((r) => r.name === name);
  return { error: result?.error, holds: (result?.verdicts ?? []).filter((v) => v.ok).map((v) => v.title) };
};
const holds = (...outcomes: string[]) => ({
  error: undefined,
  holds: outcomes.map((o) => `ada's enrollment ends ${o}`),
});

describe('journeys test: outcomes', () => {
  it('a goal with exit false converts, and the journey still completes', () => {
    expect(outcomesOf('orders during the wait')).toEqual(holds('converted', 'completed'));
  });

  it('a goal with exit false converts an enrollment still running', () => {
    expect(outcomesOf('orders during the wait, seen before the end')).toEqual(holds('converted', 'running'));
  });

  it('a goal inside the window after the last step converts the ended enrollment', () => {
    expect(outcomesOf('orders after the last step')).toEqual(holds('converted', 'completed'));
  });

  it('a goal after the window does not convert', () => {
    expect(outcomesOf('orders after the goal window')).toEqual(holds('completed'));
  });

  it('an exit event stops the enrollment unconverted', () => {
    expect(outcomesOf('deletes the account')).toEqual(holds('exited'));
  });
});
