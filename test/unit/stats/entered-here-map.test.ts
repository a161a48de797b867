import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { reportHtml } from '#shared/stats/html.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import { AB_SPLIT_THEN_WAIT } from '../../support/journey-steps.ts';

/**
 * A step an earlier version began at, which the current version reaches
 * along its edges uncounted: the page's map gives its entries as the text
 * report does ("entered here N"), and nothing of the kind on a step whose
 * entries are all its reach.
 */

const JOURNEY = Journey.parse({
  id: 'new-start',
  name: 'New start',
  trigger: { type: 'event', event: 'Signed Up' },
  ...AB_SPLIT_THEN_WAIT,
});

/** The map's group of one step, as the page draws it. */
function stepGroup(page: string, stepId: string): string {
  const start = page.indexOf(`<g class="step" data-step="${stepId}"`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf('</g>', start));
}

describe('entries of a step an earlier version began at, on the map', () => {
  it('are shown on that step as in the text report', () => {
    // arrange: version 1 began at the wait (1,200 entries), version 2 at the split (3)
    const counters: Counter[] = [
      { version: '1', metric: 'enrolled', reason: 'pause', count: 1200 },
      { version: '2', metric: 'enrolled', reason: 'ab', count: 3 },
      { version: '2', metric: 'assigned', stepId: 'ab', variant: 'a', count: 2 },
      { version: '2', metric: 'assigned', stepId: 'ab', variant: 'b', count: 1 },
    ];
    // act
    const report = buildReport(JOURNEY, counters, []);
    const page = reportHtml(report);
    // assert
    expect(reportText(report)).toMatch(/pause\s+wait\s+entered here 1,200/);
    const pause = stepGroup(page, 'pause');
    expect(pause).toContain('data-entered="1200"');
    expect(pause).toContain('<text class="detail entered"');
    expect(pause).toContain('>entered here 1,200</text>');
    // the split's entries are its reach: told once, as its count
    expect(stepGroup(page, 'ab')).not.toContain('entered here');
  });
});
