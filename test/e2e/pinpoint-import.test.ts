import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { templateExportIn } from '#infra/cli/import-pinpoint/template-exports.ts';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { Scenario } from '#infra/local/scenarios/scenario.ts';
import { E2E_TIMEOUT } from './support/local-runtime.ts';

/**
 * Imported Pinpoint journeys behave as they did in Pinpoint: each is imported
 * into a folder with its templates (an exported one's content, else
 * placeholders) and run on the deterministic clock, as `journeys test` runs it.
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

/** Open 09:00–17:00 every day, for email: a sign-up at 20:00 gets its email at 09:00 the next day. */
const everyDay = Object.fromEntries(
  ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'].map((day) => [
    day,
    [{ StartTime: '09:00', EndTime: '17:00' }],
  ]),
);
const OPEN_HOURS = {
  Name: 'Open hours',
  State: 'ACTIVE',
  StartCondition: signedUp,
  SendingSchedule: true,
  OpenHours: { EMAIL: everyDay },
  StartActivity: 'hello',
  Activities: { hello: { EMAIL: { TemplateName: 'Hello' } } },
};

/** At most one message per customer over the journey: the second email is not sent. */
const TOTAL_CAP = {
  Name: 'Total cap',
  State: 'ACTIVE',
  StartCondition: signedUp,
  Limits: { TotalCap: 1 },
  StartActivity: 'first',
  Activities: {
    first: { EMAIL: { TemplateName: 'First', NextActivity: 'second' } },
    second: { EMAIL: { TemplateName: 'Second' } },
  },
};

/** A yes/no split on a user attribute, which Pinpoint keeps as a list. */
const HIKERS = {
  Name: 'Hikers',
  State: 'ACTIVE',
  StartCondition: signedUp,
  StartActivity: 'likes',
  Activities: {
    likes: {
      ConditionalSplit: {
        Condition: {
          Conditions: [
            {
              SegmentDimensions: {
                UserAttributes: { interests: { AttributeType: 'INCLUSIVE', Values: ['hiking'] } },
              },
            },
          ],
          Operator: 'ALL',
        },
        EvaluationWaitTime: { WaitFor: 'PT0S' },
        TrueActivity: 'hike',
        FalseActivity: 'other',
      },
    },
    hike: { EMAIL: { TemplateName: 'Hike' } },
    other: { EMAIL: { TemplateName: 'Other' } },
  },
};

/**
 * Filters with no equivalent here — a trigger attribute whose name no path can
 * write, a split's demographic dimension beside a user attribute: a customer
 * Pinpoint kept out by them is kept out here too.
 */
const UNCARRIED = {
  Name: 'Uncarried',
  State: 'ACTIVE',
  StartCondition: {
    EventStartCondition: {
      EventFilter: {
        Dimensions: {
          EventType: { DimensionType: 'INCLUSIVE', Values: ['Signed Up'] },
          Attributes: { 'seats (max)': { AttributeType: 'INCLUSIVE', Values: ['10'] } },
        },
      },
    },
  },
  StartActivity: 'hello',
  Activities: { hello: { EMAIL: { TemplateName: 'Hello' } } },
};
const IOS_PRO = {
  ...HIKERS,
  Name: 'iOS pro',
  Activities: {
    ...HIKERS.Activities,
    likes: {
      ConditionalSplit: {
        ...HIKERS.Activities.likes.ConditionalSplit,
        Condition: {
          Conditions: [
            {
              SegmentDimensions: {
                UserAttributes: { plan: { AttributeType: 'INCLUSIVE', Values: ['pro'] } },
                Demographic: { Platform: { DimensionType: 'INCLUSIVE', Values: ['ios'] } },
              },
            },
          ],
          Operator: 'ALL',
        },
      },
    },
  },
};

/** A welcome email whose Pinpoint template is exported too: its content is carried over. */
const WELCOME = {
  Name: 'Welcome',
  State: 'ACTIVE',
  StartCondition: signedUp,
  StartActivity: 'hello',
  Activities: { hello: { EMAIL: { TemplateName: 'Welcome' } } },
};

const WELCOME_TEMPLATE = {
  EmailTemplateResponse: {
    TemplateName: 'Welcome',
    TemplateType: 'EMAIL',
    Subject: 'Welcome, {{User.UserAttributes.FirstName}}',
    HtmlPart:
      '<p>Hi {{User.UserAttributes.FirstName}}!</p>{{#if Attributes.Interests}}<ul>{{#each Attributes.Interests}}<li>{{this}}</li>{{/each}}</ul>{{else}}<p>Tell us what you like.</p>{{/if}}',
    DefaultSubstitutions: '{"User.UserAttributes.FirstName":"friend"}',
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
  const exported = templateExportIn(WELCOME_TEMPLATE);
  if (exported === undefined) throw new Error('not a template export');
  const templateExports = new Map([[exported.name, new Map([[exported.channel, exported]])]]);
  for (const [id, source] of [
    ['opened', OPENED],
    ['open-hours', OPEN_HOURS],
    ['total-cap', TOTAL_CAP],
    ['hikers', HIKERS],
    ['welcome', WELCOME],
    ['uncarried', UNCARRIED],
    ['ios-pro', IOS_PRO],
  ] as const) {
    const result = importPinpointJourney(source, { id, templateExports });
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
    Scenario.parse({
      name: 'open hours: a sign-up at 20:00 gets its email when they open, 09:00',
      journeys: ['open-hours'],
      start: '2026-03-02T20:00:00Z',
      customers: [{ id: 'ann', timezone: 'UTC' }],
      events: [{ at: '+0h', user: 'ann', track: 'Signed Up' }],
      expect: [{ message: { user: 'ann', channel: 'email', template: 'Hello', at: '2026-03-03T09:00:00Z' } }],
    }),
    scenario(
      'total cap: one message over the journey, so not the second email',
      'total-cap',
      [],
      [
        { message: { user: 'ann', channel: 'email', template: 'First', at: '+0h' } },
        { noMessage: { user: 'ann', channel: 'email', template: 'Second' } },
      ],
    ),
    Scenario.parse({
      name: 'a list attribute: a list holding the value matches, a text containing it does not',
      journeys: ['hikers'],
      start: START,
      customers: [
        { id: 'ann', traits: { interests: ['books', 'hiking'] } },
        { id: 'bo', traits: { interests: 'hiking boots' } },
        { id: 'cy', traits: { interests: 'hiking' } },
      ],
      events: ['ann', 'bo', 'cy'].map((user) => ({ at: '+0h', user, track: 'Signed Up' })),
      expect: [
        { message: { user: 'ann', channel: 'email', template: 'Hike' } },
        { message: { user: 'bo', channel: 'email', template: 'Other' } },
        { message: { user: 'cy', channel: 'email', template: 'Hike' } },
      ],
    }),
    Scenario.parse({
      name: 'an exported template: the customer gets its content, with Pinpoint default and list',
      journeys: ['welcome'],
      start: START,
      customers: [
        { id: 'ann', traits: { FirstName: 'Ann', Interests: ['hiking', 'jazz'] } },
        { id: 'bo', traits: {} },
      ],
      events: ['ann', 'bo'].map((user) => ({ at: '+0h', user, track: 'Signed Up' })),
      expect: [
        { message: { user: 'ann', channel: 'email', template: 'Welcome', contains: 'Hi Ann!' } },
        { message: { user: 'ann', channel: 'email', template: 'Welcome', contains: '<li>jazz</li>' } },
        { message: { user: 'bo', channel: 'email', template: 'Welcome', contains: 'Hi friend!' } },
        {
          message: { user: 'bo', channel: 'email', template: 'Welcome', contains: 'Tell us what you like.' },
        },
      ],
    }),
    scenario(
      'a trigger filter with no equivalent: the event enrolls no one, rather than everyone',
      'uncarried',
      [],
      [{ noMessage: { user: 'ann', channel: 'email' } }],
    ),
    Scenario.parse({
      name: 'a split filter with no equivalent: a customer it may have kept out takes the other path',
      journeys: ['ios-pro'],
      start: START,
      customers: [{ id: 'ann', traits: { email: 'ann@example.com', plan: 'pro' } }],
      events: [{ at: '+0h', user: 'ann', track: 'Signed Up' }],
      expect: [
        { message: { user: 'ann', channel: 'email', template: 'Other' } },
        { noMessage: { user: 'ann', channel: 'email', template: 'Hike' } },
      ],
    }),
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
  it.each([
    'opens the email: the yes path',
    'does not open it: the no path, a day later',
    'open hours: a sign-up at 20:00 gets its email when they open, 09:00',
    'total cap: one message over the journey, so not the second email',
    'a list attribute: a list holding the value matches, a text containing it does not',
    'an exported template: the customer gets its content, with Pinpoint default and list',
    'a trigger filter with no equivalent: the event enrolls no one, rather than everyone',
    'a split filter with no equivalent: a customer it may have kept out takes the other path',
  ])('%s', (name) => {
    const result = results.find((r) => r.name === name);
    const failed = result?.verdicts.filter((v) => !v.ok) ?? [{ missing: name }];
    // assert
    expect(failed).toEqual([]);
  });
});
