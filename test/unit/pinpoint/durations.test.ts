import { describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** ISO 8601 allows a decimal fraction (`.` or `,`) on a duration's smallest unit; Pinpoint took them. */
const start = {
  EventStartCondition: {
    EventFilter: { Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['Signed Up'] } } },
  },
};

const waitingFor = (waitFor: string, extra: Record<string, unknown> = {}) =>
  importPinpointJourney({
    Name: 'Fractions',
    StartActivity: 'pause',
    StartCondition: start,
    Activities: { pause: { Wait: { WaitTime: { WaitFor: waitFor } } } },
    ...extra,
  });

describe('a duration with a fraction on its smallest unit', () => {
  it.each([
    ['PT1.5H', 'PT90M'],
    ['PT1,5H', 'PT90M'],
    ['P0.5D', 'PT12H'],
    ['P1.25D', 'PT30H'],
    ['P0.5W', 'PT84H'],
    ['PT2.5M', 'PT150S'],
    ['PT1.01H', 'PT3636S'],
    ['P1DT0.5H', 'P1DT30M'],
    ['P0.25Y', 'P3M'],
    ['PT1.0H', 'PT1H'],
    ['PT0.0S', 'PT0S'],
  ])('%s waits exactly %s, and the journey validates', (pinpoint, journey) => {
    // act
    const result = waitingFor(pinpoint);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.steps.pause).toStrictEqual({ type: 'wait', for: journey, next: 'end' });
    expect(validateJourney(result.journey).ok).toBe(true);
  });

  it.each([
    ['PT0.5S', 'a fraction of a second'],
    ['PT1.25S', 'a fraction of a second'],
    ['PT1.3333H', 'a fraction of a second'],
    ['P1.5M', 'a fraction of a month'],
    ['P0.1Y', 'a fraction of a month'],
  ])('%s is refused at the activity, saying it has %s', (pinpoint, why) => {
    // act
    const result = waitingFor(pinpoint);
    // assert
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { path: 'Activities.pause.Wait.WaitTime.WaitFor', message: expect.stringContaining(why) },
    ]);
    expect(result.problems[0]?.message).toContain(`"${pinpoint}"`);
  });

  it('is still refused where it is not on the smallest unit, as ISO 8601 has it', () => {
    const result = waitingFor('PT1.5H30M');
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: 'Activities.pause.Wait.WaitTime.WaitFor',
        message: expect.stringContaining('not an ISO 8601 duration'),
      },
    ]);
  });

  it('is converted in the evaluation wait of a split, the re-entry interval and the segment refresh', () => {
    // arrange
    const input = {
      Name: 'Fractions everywhere',
      StartActivity: 'split',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      RefreshFrequency: 'PT1.5H',
      Limits: { EndpointReentryInterval: 'P0.5D' },
      Activities: {
        split: {
          ConditionalSplit: {
            Condition: { Conditions: [{ SegmentCondition: { SegmentId: 's2' } }] },
            EvaluationWaitTime: { WaitFor: 'P1.5D' },
          },
        },
      },
    };
    // act
    const result = importPinpointJourney(input);
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(Object.values(result.journey.steps)).toContainEqual(
      expect.objectContaining({ type: 'wait', for: 'PT36H' }),
    );
    expect(result.journey.reentry).toEqual({ mode: 'after', cooldown: 'PT12H' });
    expect(result.journey.trigger).toMatchObject({ type: 'segment', schedule: 'rate(90 minutes)' });
    expect(result.notes.map((n) => n.path)).not.toContain('RefreshFrequency');
  });

  it('names the fraction a segment refresh cannot have, and reads the segment daily', () => {
    const result = importPinpointJourney({
      Name: 'Refresh',
      StartActivity: 'pause',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      RefreshFrequency: 'PT0.5S',
      Activities: { pause: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.trigger).toMatchObject({ schedule: 'rate(1 day)' });
    expect(result.notes).toContainEqual({
      path: 'RefreshFrequency',
      message: expect.stringContaining('a fraction of a second'),
    });
  });

  it('names the fraction a re-entry interval cannot have, and rounds the cooldown up', () => {
    const result = waitingFor('PT1H', { Limits: { EndpointReentryInterval: 'PT0.5S' } });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.notes).toContainEqual({
      path: 'Limits.EndpointReentryInterval',
      message: expect.stringContaining('a fraction of a second'),
    });
  });
});

describe('a re-entry interval and a segment refresh the journey cannot take as written', () => {
  it.each([
    ['PT1.5S', 'PT2S'],
    ['PT0.5S', 'PT1S'],
    ['P0.5M', 'P1M'],
    ['P1Y0.25M', 'P1Y1M'],
  ])('%s becomes the cooldown %s, never shorter, and the note says so', (interval, cooldown) => {
    // act
    const result = waitingFor('PT1H', { Limits: { EndpointReentryInterval: interval } });
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.reentry).toEqual({ mode: 'after', cooldown });
    expect(result.notes).toContainEqual({
      path: 'Limits.EndpointReentryInterval',
      message: expect.stringContaining(`rounded up to ${cooldown}`),
    });
  });

  it.each(['one day', '-P1D', 'P1.5DT2H'])('%s is refused, naming the field', (interval) => {
    // act
    const result = waitingFor('PT1H', { Limits: { EndpointReentryInterval: interval } });
    // assert
    expect(result.ok ? [] : result.problems).toEqual([
      { path: 'Limits.EndpointReentryInterval', message: expect.stringContaining(interval) },
    ]);
  });

  it.each([
    ['PT30S', 'rate(1 minute)'],
    ['PT1S', 'rate(1 minute)'],
    ['PT90S', 'rate(2 minutes)'],
  ])('a refresh of %s becomes %s with a note', (refresh, schedule) => {
    // act
    const result = importPinpointJourney({
      Name: 'Refresh',
      StartActivity: 'pause',
      StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
      RefreshFrequency: refresh,
      Activities: { pause: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
    });
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.journey.trigger).toMatchObject({ schedule });
    expect(result.notes).toContainEqual({
      path: 'RefreshFrequency',
      message: expect.stringContaining(schedule),
    });
  });
});
