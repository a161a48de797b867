import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * Imported Pinpoint journeys behave as they did in Pinpoint: each is imported
 * into a folder with its placeholder templates and run on the deterministic
 * clock, as `journeys test` runs it.
 */

const signedUp = {
  EventStartCondition: {
    EventFilter: { Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['Signed Up'] } } },
  },
};

/** "Send an email; did they open it within a day?" — the most common yes/no split. */
const OPENED = {
  Name: 'Opened',
  State: 'ACTIVE',
  StartCondition: signedUp,
  StartActivity: 'hello',
  Activities: {
    hello: { EMAIL: { TemplateName: 'Hello', NextActivity: 'opened' } },
    opened: {
      ConditionalSplit: {
        Condition: {
          Conditions: [
            {
              EventCondition: {
                MessageActivity: 'hello',
                Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['_email.open'] } },
              },
            },
          ],
          Operator: 'ALL',
        },
        EvaluationWaitTime: { WaitFor: 'P1D' },
        TrueActivity: 'thanks',
        FalseActivity: 'nudge',
      },
    },
    thanks: { EMAIL: { TemplateName: 'Thanks' } },
    nudge: { EMAIL: { TemplateName: 'Nudge' } },
  },
};

const START = '2026-03-02T09:00:00Z';

const scenario = (name: string, journey: string, events: unknown[], expect: unknown[]) =>
  Scenario.parse({
    name,
    journeys: [journey],
    start: START,
    customers: [{ id: 'ann', timezone: 'UTC', traits: { email: 'ann@example.com' } }],
    events: [{ at: '+0h', user: 'ann', track: 'Signed Up' }, ...events],
    expect,
  });

let folder: string;
let results: ScenarioResult[];

beforeAll(async () => {
  // arrange: each Pinpoint journey imported into a folder with its placeholder templates
  folder = await mkdtemp(join(tmpdir(), 'pinpoint-import-'));
  await mkdir(join(folder, 'templates'));
  for (const [id, source] of [['opened', OPENED]] as const) {
    const result = importPinpointJourney(source, { id });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    await writeFile(join(folder, `${id}.json`), JSON.stringify(result.journey));
    for (const t of result.templates)
      await writeFile(join(folder, 'templates', `${t.name}.json`), JSON.stringify(t.template));
  }
  const scenarios = [
    scenario(
      'opens the email: the yes path',
      'opened',
      [{ at: '+2h', user: 'ann', opens: 'Hello' }],
      [
        { message: { user: 'ann', channel: 'email', template: 'Thanks' } },
        { noMessage: { user: 'ann', channel: 'email', template: 'Nudge' } },
      ],
    ),
    scenario(
      'does not open it: the no path, a day later',
      'opened',
      [],
      [
        { message: { user: 'ann', channel: 'email', template: 'Nudge', at: '+1d' } },
        { noMessage: { user: 'ann', channel: 'email', template: 'Thanks' } },
      ],
    ),
  ];
  // act
  results = await runScenarios(
    scenarios.map((s) => ({ file: 'pinpoint.test.json', scenario: s })),
    folder,
  );
}, E2E_TIMEOUT);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('imported Pinpoint journeys, run', () => {
  it.each(['opens the email: the yes path', 'does not open it: the no path, a day later'])('%s', (name) => {
    const result = results.find((r) => r.name === name);
    const failed = result?.verdicts.filter((v) => !v.ok) ?? [{ missing: name }];
    // assert
    expect(failed).toEqual([]);
  });
});
