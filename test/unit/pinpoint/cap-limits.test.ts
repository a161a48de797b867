import { describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/**
 * Pinpoint's message limits become frequency caps. A limit above the most a
 * cap here counts still gives a journey that validates, never one that
 * deploy-journey refuses, and the note says it became a tighter cap.
 */

const journey = (limits: Record<string, unknown>) => ({
  Name: 'Limits',
  State: 'DRAFT',
  Limits: limits,
  StartCondition: {
    EventStartCondition: {
      EventFilter: { Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['Signed Up'] } } },
    },
  },
  StartActivity: 'pause',
  Activities: { pause: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
});

describe('import-pinpoint: message limits', () => {
  it.each([
    ['TotalCap', { TotalCap: 500 }],
    ['DailyCap', { DailyCap: 1000 }],
    ['TimeframeCap', { TimeframeCap: { Cap: 250, Days: 30 } }],
  ])('a %s above the most a cap counts validates, with a note', (field, limits) => {
    // act
    const result = importPinpointJourney(journey(limits));
    // assert
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations).toStrictEqual([]);
    expect(result.journey.settings?.caps?.map((c) => c.max)).toStrictEqual([200]);
    const note = result.notes.find((n) => n.path === `Limits.${field}`);
    expect(note?.message).toMatch(/at most 200/);
  });
});
