import { describe, expect, it } from 'vitest';
import { importPinpointJourney } from '#infra/cli/import-pinpoint/import.ts';
import { validateJourney } from '#shared/journey/validate.ts';

/** A Pinpoint journey (get-journey output) entered from a segment, with these activities. */
const journey = (start: string, activities: Record<string, unknown>) => ({
  Name: 'Splits',
  StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
  StartActivity: start,
  Activities: activities,
});

const mail = { EMAIL: { TemplateName: 'Hi' } };

describe('import-pinpoint: a split whose Percentage is missing or is no weight', () => {
  it('keeps a Holdout without Percentage as a split with no weights, names the field, and the rest of the journey', () => {
    // arrange
    const input = journey('hold', { hold: { Holdout: { NextActivity: 'mail' } }, mail });
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.steps.hold).toStrictEqual({
      type: 'split',
      variants: [
        { name: 'holdout', next: 'end', holdout: true },
        { name: 'continue', next: 'mail' },
      ],
    });
    expect(result.journey.steps.mail).toMatchObject({ type: 'email', template: 'Hi' });
    const note = result.notes.find((n) => n.path === 'Activities.hold.Holdout.Percentage');
    expect(note?.message).toMatch(/^Not set .*holdout and continue variants of step "hold" with no weight/);
    const checked = validateJourney(result.journey);
    expect(checked.ok ? [] : checked.violations.map((v) => v.path)).toContain(
      'steps.hold.variants[0].weight',
    );
  });

  it.each([150, 12.5, -5])('keeps a Holdout Percentage of %s as the holdout weight, and names it', (pct) => {
    // arrange
    const input = journey('hold', { hold: { Holdout: { Percentage: pct, NextActivity: 'mail' } }, mail });
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.steps.hold).toStrictEqual({
      type: 'split',
      variants: [
        { name: 'holdout', weight: pct, next: 'end', holdout: true },
        { name: 'continue', next: 'mail' },
      ],
    });
    const note = result.notes.find((n) => n.path === 'Activities.hold.Holdout.Percentage');
    expect(note?.message).toBe(
      `${pct} is not a whole percent from 0 to 100: step "hold" keeps it as given (a weight), and does not validate until it is one.`,
    );
  });

  it('keeps a RandomSplit branch without Percentage, leaves the other weights unadjusted, and names the branch', () => {
    // arrange
    const input = journey('ab', {
      ab: {
        RandomSplit: {
          Branches: [{ NextActivity: 'mail' }, { Percentage: 30, NextActivity: 'mail' }],
        },
      },
      mail,
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.journey.steps.ab).toStrictEqual({
      type: 'split',
      variants: [
        { name: 'path-1', next: 'mail' },
        { name: 'path-2', weight: 30, next: 'mail' },
      ],
    });
    const paths = result.notes.map((n) => n.path);
    expect(paths).toContain('Activities.ab.RandomSplit.Branches[0].Percentage');
    expect(paths).not.toContain('Activities.ab.RandomSplit.Branches');
  });

  it('still adjusts the last weight when every Percentage is a weight', () => {
    // arrange
    const input = journey('ab', {
      ab: {
        RandomSplit: {
          Branches: [
            { Percentage: 50, NextActivity: 'mail' },
            { Percentage: 40, NextActivity: 'mail' },
          ],
        },
      },
      mail,
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const step = result.journey.steps.ab;
    expect(step?.type === 'split' ? step.variants.map((v) => v.weight) : []).toStrictEqual([50, 50]);
  });

  it('refuses a loop with no way out even when a step in it does not validate', () => {
    // arrange: Wait → an EMAIL whose sender is no address (a step that does not validate) → back to the Wait
    const input = journey('waitweek', {
      waitweek: { Wait: { WaitTime: { WaitFor: 'P7D' }, NextActivity: 'nudge' } },
      nudge: {
        EMAIL: { TemplateName: 'Nudge', MessageConfig: { FromAddress: 'nobody' }, NextActivity: 'waitweek' },
      },
    });
    // act
    const result = importPinpointJourney(input);
    // assert
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toStrictEqual(['Activities.waitweek']);
    expect(result.problems[0]?.message).toMatch(
      /^Customers go round "waitweek" → "nudge" → back to "waitweek"/,
    );
  });
});
