import { describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import type { PinpointSegment } from '#infra/cli/import-pinpoint/schema.ts';
import { segmentsIn } from '#infra/cli/import-pinpoint/segments.ts';
import { evaluateCondition } from '#shared/conditions/evaluate.ts';
import { Condition } from '#shared/conditions/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** Segments as aws pinpoint get-segments prints them. */
const SEGMENTS = {
  SegmentsResponse: {
    Item: [
      {
        Id: 'gold',
        Name: 'Gold members in Italy',
        SegmentType: 'DIMENSIONAL',
        Dimensions: {
          UserAttributes: { tier: { AttributeType: 'INCLUSIVE', Values: ['gold'] } },
          Attributes: { country: { AttributeType: 'INCLUSIVE', Values: ['IT'] } },
        },
      },
      {
        Id: 'lapsed',
        Name: 'Gold, not recently active, or silver',
        SegmentType: 'DIMENSIONAL',
        SegmentGroups: {
          Include: 'ALL',
          Groups: [
            {
              SourceSegments: [{ Id: 'gold', Version: 1 }],
              SourceType: 'ANY',
              Type: 'NONE',
              Dimensions: [{ UserAttributes: { active: { AttributeType: 'INCLUSIVE', Values: ['yes'] } } }],
            },
          ],
        },
      },
      {
        Id: 'ios',
        Name: 'iOS users',
        SegmentType: 'DIMENSIONAL',
        Dimensions: { Demographic: { Platform: { DimensionType: 'INCLUSIVE', Values: ['ios'] } } },
      },
      { Id: 'csv', Name: 'Uploaded list', SegmentType: 'IMPORT' },
    ],
  },
};

const catalog = (): ReadonlyMap<string, PinpointSegment> => {
  const segments = segmentsIn(SEGMENTS);
  if (segments === undefined) throw new Error('not read');
  return new Map(segments.map((s) => [s.Id, s]));
};

const segmentJourney = (segmentId: string) => ({
  Name: 'Win back',
  StartActivity: 'w',
  Activities: { w: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
  StartCondition: { SegmentStartCondition: { SegmentId: segmentId } },
});

const member = (segment: unknown, traits: Record<string, unknown>) =>
  evaluateCondition(Condition.parse(segment), { profile: { traits }, now: new Date('2026-01-01T00:00:00Z') });

describe('segments exported beside the journeys become profile conditions', () => {
  it('a segment of attribute filters: its members enter, no one else', () => {
    // act
    const result = importPinpointJourney(segmentJourney('gold'), { segments: catalog() });
    // assert
    if (!result.ok || result.journey.trigger.type !== 'segment') throw new Error('not imported');
    const segment = result.journey.trigger.segment;
    expect(member(segment, { tier: 'gold', country: 'IT' })).toBe(true);
    expect(member(segment, { tier: 'gold', country: 'FR' })).toBe(false);
    expect(member(segment, { tier: 'silver', country: 'IT' })).toBe(false);
    expect(validateJourney(result.journey).ok).toBe(true);
  });

  it('a segment of groups: source segments and NONE of the filters', () => {
    const result = importPinpointJourney(segmentJourney('lapsed'), { segments: catalog() });
    if (!result.ok || result.journey.trigger.type !== 'segment') throw new Error('not imported');
    const segment = result.journey.trigger.segment;
    expect(member(segment, { tier: 'gold', country: 'IT', active: 'no' })).toBe(true);
    expect(member(segment, { tier: 'gold', country: 'IT', active: 'yes' })).toBe(false);
    expect(member(segment, { tier: 'silver', country: 'IT', active: 'no' })).toBe(false);
  });

  it.each([
    ['ios', 'Demographic'],
    ['csv', 'imported list'],
    ['unknown', 'not in the segments export'],
  ])('segment %s, which cannot be re-expressed, keeps the membership placeholder and says why', (id, why) => {
    const result = importPinpointJourney(segmentJourney(id), { segments: catalog() });
    if (!result.ok || result.journey.trigger.type !== 'segment') throw new Error('not imported');
    expect(result.journey.trigger.segment).toStrictEqual({
      path: 'profile.traits.pinpointSegments',
      contains: id,
    });
    expect(result.notes.map((n) => n.message).join('\n')).toContain(why);
  });

  it('resolves the segment of an event-started journey and of a split', () => {
    const input = {
      ...segmentJourney('gold'),
      StartCondition: {
        EventStartCondition: {
          SegmentId: 'gold',
          EventFilter: { Dimensions: { EventType: { Values: ['Signed Up'] } } },
        },
      },
      Activities: {
        w: {
          ConditionalSplit: {
            Condition: { Conditions: [{ SegmentCondition: { SegmentId: 'gold' } }] },
            EvaluationWaitTime: { WaitFor: 'PT0S' },
          },
        },
      },
    };
    const result = importPinpointJourney(input, { segments: catalog() });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(member(result.journey.audience, { tier: 'gold', country: 'IT' })).toBe(true);
    expect(member(result.journey.audience, { tier: 'gold' })).toBe(false);
    expect(result.journey.steps.w).toMatchObject({
      type: 'branch',
      branches: [{ when: result.journey.audience }],
    });
  });

  it('tells a segment export given as a journey apart', () => {
    const result = importPinpointJourney({ SegmentResponse: SEGMENTS.SegmentsResponse.Item[0] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toContain('--segments');
  });
});
