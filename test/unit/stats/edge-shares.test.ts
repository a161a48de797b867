import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { edgeShares } from '#shared/stats/format.ts';
import { reportBody } from '#shared/stats/html.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

/**
 * A split's draw is the parts of one whole: however its counts fall, the
 * shares printed for its paths add up to 100%, in the text report (one
 * decimal) and on the map (whole percents), as a marketer adds them.
 */

const JOURNEY = Journey.parse({
  id: 'three-way',
  name: 'Three-way split',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'a', weight: 20, next: 'done' },
        { name: 'b', weight: 40, next: 'done' },
        { name: 'c', weight: 40, next: 'done' },
      ],
    },
    done: { type: 'exit' },
  },
});

const assigned = (variant: string, count: number): Counter => ({
  version: '1',
  metric: 'assigned',
  stepId: 'ab',
  variant,
  count,
});

/** The percentages printed for the split's paths in the text report, in order. */
function textShares(text: string): number[] {
  return [...text.matchAll(/^ {2}ab → done \[[^\]]*\] {2}([\d.]+)%$/gm)].map((m) => Number(m[1]));
}

/** The percentages printed on the map's edges from the split, in order. */
function mapShares(page: string): number[] {
  return [...page.matchAll(/<g class="edge" data-from="ab"[^>]*>[\s\S]*?<\/g>/g)].map((m) =>
    Number(/(\d+)%/.exec(m[0].replace(/<title>[\s\S]*?<\/title>/, ''))?.[1]),
  );
}

const sum = (xs: readonly number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 10) / 10;

describe("a split's shares", () => {
  it.each([
    // 1 in 8 and 7 in 16 twice: 12.5% + 43.75% + 43.75%, each rounded alone 13% + 44% + 44% on the map
    [2, 7, 7],
    // 1 in 6, 1 in 6, 4 in 6: each rounded alone 16.7% + 16.7% + 66.7% in the text
    [1, 1, 4],
    [1, 1, 1],
    [333, 333, 334],
  ])('add up to a hundred percent in the text and on the map: %i, %i, %i assigned', (a, b, c) => {
    // arrange
    const report = buildReport(JOURNEY, [assigned('a', a), assigned('b', b), assigned('c', c)], []);
    // act
    const text = textShares(reportText(report));
    const map = mapShares(reportBody(report));
    // assert
    expect(text).toHaveLength(3);
    expect(map).toHaveLength(3);
    expect([sum(text), sum(map)]).toStrictEqual([100, 100]);
  });

  it('round each share to the nearest it can be, the largest remainders up', () => {
    // act
    const shares = edgeShares(
      [
        { from: 'ab', share: 2 / 16 },
        { from: 'ab', share: 7 / 16 },
        { from: 'ab', share: 7 / 16 },
        { from: 'wait', share: 0.125 },
      ],
      0,
    );
    // assert: the split's two largest remainders (43.75) are rounded up; a share that is no part of a whole, alone
    expect(shares).toStrictEqual(['12%', '44%', '44%', '13%']);
  });
});
