import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * `journeys test` scenarios where customers open and click emails: SES's
 * Open and Click events reach delivery feedback, and a step waiting for the
 * email's outcome takes the branch they lead to — or `next` when nothing
 * comes in time.
 */

const TEMPLATES = join(import.meta.dirname, '..', '..', 'journeys', 'templates');

const JOURNEY = {
  id: 'engagement',
  name: 'Engagement',
  status: 'active',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'welcome-email',
  steps: {
    'welcome-email': {
      type: 'email',
      template: 'welcome',
      onOutcome: {
        within: 'P1D',
        branches: [
          { outcome: 'clicked', next: 'clicked' },
          { outcome: 'opened', next: 'opened' },
        ],
      },
      next: 'nudge-email',
    },
    'nudge-email': { type: 'email', template: 'welcome-nudge-email', next: 'done' },
    opened: { type: 'exit', reason: 'opened' },
    clicked: { type: 'exit', reason: 'clicked' },
    done: { type: 'exit', reason: 'nudged' },
  },
};

const scenario = (name: string, events: unknown[], expect: unknown[]) =>
  Scenario.parse({
    name,
    journeys: ['engagement'],
    start: '2026-03-02T10:00:00Z',
    customers: [{ id: 'ada', timezone: 'Europe/London' }],
    events: [{ at: '+0h', user: 'ada', track: 'Signed Up' }, ...events],
    expect,
  });

let folder: string;
let results: ScenarioResult[];

beforeAll(async () => {
  // arrange: the journey in a folder of its own, with the project's templates
  folder = await mkdtemp(join(tmpdir(), 'engagement-'));
  await mkdir(join(folder, 'templates'));
  await cp(TEMPLATES, join(folder, 'templates'), { recursive: true });
  await writeFile(join(folder, 'engagement.json'), JSON.stringify(JOURNEY));
  const scenarios = [
    scenario(
      'opens the welcome email',
      [{ at: '+3h', user: 'ada', opens: 'welcome' }],
      [
        { outcome: { user: 'ada', is: 'completed', at: 'opened' } },
        { noMessage: { user: 'ada', template: 'welcome-nudge-email' } },
      ],
    ),
    scenario(
      'clicks without opening',
      [{ at: '+2h', user: 'ada', clicks: 'welcome' }],
      [{ outcome: { user: 'ada', is: 'completed', at: 'clicked' } }],
    ),
    scenario(
      'opens only after the window',
      [{ at: '+2d', user: 'ada', opens: 'welcome' }],
      [
        { outcome: { user: 'ada', is: 'completed', at: 'done' } },
        { message: { user: 'ada', channel: 'email', template: 'welcome-nudge-email' } },
      ],
    ),
    scenario(
      'opens an email never sent',
      [{ at: '+1h', user: 'ada', opens: 'welcome-tips' }],
      [{ noMessage: { user: 'ada', template: 'welcome-tips' } }],
    ),
  ];
  // act
  results = await runScenarios(
    scenarios.map((s) => ({ file: 'engagement.test.json', scenario: s })),
    folder,
  );
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const verdictsOf = (name: string) => {
  const result = results.find((r) => r.name === name);
  return { error: result?.error, failed: (result?.verdicts ?? []).filter((v) => !v.ok).map((v) => v.title) };
};

describe('journeys test: customers open and click emails', () => {
  it('takes the opened branch when the customer opens the email in time', () => {
    expect(verdictsOf('opens the welcome email')).toEqual({ error: undefined, failed: [] });
  });

  it('takes the clicked branch on a click', () => {
    expect(verdictsOf('clicks without opening')).toEqual({ error: undefined, failed: [] });
  });

  it('goes on to next when the open comes after the window', () => {
    expect(verdictsOf('opens only after the window')).toEqual({ error: undefined, failed: [] });
  });

  it('stops a scenario that opens an email the customer was never sent, naming it', () => {
    expect(verdictsOf('opens an email never sent').error).toMatch(
      /ada has no email of template "welcome-tips" to open at 2026-03-02T11:00:00.000Z/,
    );
  });
});
