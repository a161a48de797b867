import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import { AB_SPLIT_THEN_WAIT } from '../../support/journey-steps.ts';

/**
 * Entries counted before each entry named the step it began at (a table
 * written by an earlier release) cannot be told apart by version: they are
 * shown at the current start step, and the report says so when an edit may
 * have moved it.
 */

const JOURNEY = Journey.parse({
  id: 'moved-start',
  name: 'Moved start',
  trigger: { type: 'event', event: 'Signed Up' },
  ...AB_SPLIT_THEN_WAIT,
});

const assigned = (variant: string, count: number): Counter => ({
  version: '2',
  metric: 'assigned',
  stepId: 'ab',
  variant,
  count,
});

describe('entries that do not name the step they began at', () => {
  it('are shown at the current start with a note, beside those that do', () => {
    // arrange: version 1's 100 entries from before, version 2's 10 naming the split
    const counters: Counter[] = [
      { version: '1', metric: 'enrolled', count: 100 },
      { version: '2', metric: 'enrolled', reason: 'ab', count: 10 },
      assigned('a', 6),
      assigned('b', 4),
    ];
    // act
    const report = buildReport(JOURNEY, counters, []);
    // assert
    expect(report.enteredAtUnknownStep).toBe(100);
    expect(report.steps.find((s) => s.stepId === 'ab')?.reached).toBe(110);
    expect(reportText(report)).toContain(
      '100 entries were counted before entries recorded the step they began at',
    );
  });

  it('need no note when the journey has one version', () => {
    // arrange
    const counters: Counter[] = [
      { version: '2', metric: 'enrolled', count: 10 },
      assigned('a', 6),
      assigned('b', 4),
    ];
    // act
    const report = buildReport(JOURNEY, counters, []);
    // assert
    expect(report.steps.find((s) => s.stepId === 'ab')?.reached).toBe(10);
    expect(reportText(report)).not.toContain('before entries recorded');
  });
});
