import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { experimentStates } from '#shared/ingest/experiments.ts';
import { LiveJourney, liveFields } from '#shared/ingest/live-journey.ts';
import { Experiment } from '#shared/journey/experiment.ts';
import * as mini from '#shared/journey/mini-schema.ts';
import * as language from '#shared/journey/schema.ts';
import { exampleJourneys, settingExampleJourneys } from '../../support/journeys.ts';
import { schemaStructure } from '../../support/schema-structure.ts';

/**
 * The functions read the registry's live journey record with `zod/mini`
 * twins of the language's trigger, re-entry, goal, enrollment settings and
 * experiment; deploy writes it from the language. Each twin must have the
 * language's structure (a field, option or bound added to one and not the
 * other fails here) and give the same verdict and the same issues for any
 * value, valid or not.
 */

type Parser = {
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: { issues: unknown } };
};

function verdict(schema: Parser, value: unknown) {
  const result = schema.safeParse(value);
  return result.success ? { data: result.data } : { issues: result.error?.issues };
}

const EntrySettings = language.Settings.pick({ startAt: true, endAt: true, defaultTimezone: true });

const twins: [string, unknown, unknown][] = [
  ['trigger', language.Trigger, mini.Trigger],
  ['re-entry', language.Reentry, mini.Reentry],
  ['goal', language.Goal, mini.Goal],
  ['enrollment settings', EntrySettings, mini.EntrySettings],
  ['experiment', Experiment, mini.Experiment],
];

const durations = fc.constantFrom('P7D', 'PT1H', '-P3D', 'P', 'x', 'P366D', 'P367D', 'P300000Y', 7);
const paths = fc.constantFrom('event.properties.total', 'trigger.cartId', 'profile.traits.plan', 'total', '');
const conditions = fc.constantFrom(
  { path: 'event.properties.total', gt: 10 },
  { performed: 'Order Completed', within: 'P7D' },
  { all: [] },
  { path: 'plan', eq: 'pro' },
  'always',
);
const names = fc.oneof(fc.constantFrom('Cart Updated', ''), fc.integer());
const limits = fc.oneof(
  fc.record(
    {
      max: fc.oneof(fc.integer({ min: -1, max: 101 }), fc.constant(1.5), fc.constant('3')),
      per: durations,
      extra: fc.constant(true),
    },
    { requiredKeys: [] },
  ),
  fc.constant(null),
);
const triggers = fc.record(
  {
    type: fc.constantFrom('event', 'identify', 'segment', 'schedule'),
    event: names,
    where: conditions,
    correlationKey: paths,
    limit: limits,
    maxAge: durations,
    schedule: fc.constantFrom('rate(1 day)', 'cron(0 9 * * ? *)', 'rate(1 week)', 'daily', 3),
    segment: conditions,
    extra: fc.constant(true),
  },
  { requiredKeys: ['type'] },
);
const goals = fc.record(
  {
    event: names,
    where: conditions,
    within: durations,
    value: paths,
    exit: fc.oneof(fc.boolean(), fc.constant('yes')),
    extra: fc.constant(true),
  },
  { requiredKeys: [] },
);
const timestamps = fc.constantFrom(
  '2026-12-01T09:00:00Z',
  '2026-12-01T09:00:00.5+01:00',
  '2026-12-01T09:00:00',
  '2026-12-01',
  'soon',
  0,
);
const settings = fc.record(
  {
    startAt: timestamps,
    endAt: timestamps,
    defaultTimezone: fc.oneof(fc.constantFrom('Europe/Rome', ''), fc.integer()),
    quietHours: fc.constant({ start: '21:00', end: '08:00' }),
  },
  { requiredKeys: [] },
);
const experiments = fc.record(
  {
    metric: fc.constantFrom('goal', 'revenue'),
    minSample: fc.oneof(fc.integer({ min: -1, max: 10_000_001 }), fc.constant(1.5)),
    until: fc.oneof(fc.constant('significant'), durations),
    confidence: fc.oneof(fc.double({ min: 0.7, max: 1, noNaN: true }), fc.constantFrom(0.8, 0.999, '0.9')),
    extra: fc.constant(true),
  },
  { requiredKeys: [] },
);
const junk = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null), fc.constant([]));

describe('the zod/mini twins of the live journey record', () => {
  it.each(twins)('%s has the language’s structure', (_name, classic, twin) => {
    expect(schemaStructure(twin)).toEqual(schemaStructure(classic));
  });

  it('sees a field or a bound the twin lacks', () => {
    const wider = language.Goal.extend({ currency: language.Goal.shape.event.optional() });
    expect(schemaStructure(mini.Goal)).not.toEqual(schemaStructure(wider));
    const stricter = Experiment.extend({ minSample: Experiment.shape.minSample.max(1000) });
    expect(schemaStructure(mini.Experiment)).not.toEqual(schemaStructure(stricter));
    const reordered = EntrySettings.pick({ defaultTimezone: true, startAt: true, endAt: true });
    expect(schemaStructure(mini.EntrySettings)).not.toEqual(schemaStructure(reordered));
  });

  it.each([
    ['trigger', language.Trigger, mini.Trigger, fc.oneof(triggers, junk)],
    ['goal', language.Goal, mini.Goal, fc.oneof(goals, junk)],
    ['enrollment settings', EntrySettings, mini.EntrySettings, fc.oneof(settings, junk)],
    ['experiment', Experiment, mini.Experiment, fc.oneof(experiments, junk)],
  ] as const)(
    'accepts and refuses every %s as the language does, with the same issues',
    (_name, classic, twin, values) => {
      fc.assert(
        fc.property(values, (value: unknown) => {
          expect(verdict(twin, value)).toEqual(verdict(classic, value));
        }),
        { numRuns: 500 },
      );
    },
  );

  it.each([
    'once',
    'always',
    'after',
    'never',
    { mode: 'once' },
    { mode: 'always' },
    { mode: 'after', cooldown: 'P1D' },
    { mode: 'after', cooldown: '-P1D' },
    { mode: 'after' },
    { mode: 'once', cooldown: 'P1D' },
    { mode: 'sometimes' },
    {},
    3,
    null,
  ])('reads the re-entry %j as the language does', (value) => {
    expect(verdict(mini.Reentry, value)).toEqual(verdict(language.Reentry, value));
  });
});

describe('the live journey record', () => {
  const journeys = [...exampleJourneys(), ...settingExampleJourneys()];

  it.each(journeys.map((journey) => [journey.id, journey] as const))(
    'reads back what deploy writes for %s',
    (_id, journey) => {
      const arn = `arn:aws:states:eu-west-1:1:stateMachine:journey-${journey.id}`;
      const written = {
        ...liveFields(journey),
        version: '3',
        versionArn: `${arn}:3`,
        aliasArn: `${arn}:live`,
        stateMachineArn: arn,
        experiments: experimentStates(journey, '3', '2026-12-01T09:00:00.000Z'),
      };
      const stored: unknown = JSON.parse(JSON.stringify(written));
      expect(LiveJourney.parse(stored)).toEqual(stored);
    },
  );
});
