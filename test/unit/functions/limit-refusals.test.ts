import { describe, expect, it } from 'vitest';
import {
  countOf,
  MAX_REFUSALS,
  readRefusals,
  refusalAttribute,
  refusalsOver,
} from '#functions/_lib/limit-refusals.ts';

const owner = { userId: 'u1', journeyId: 'j1' };

/** A limit record holding `n` refusals, one a second, the first `counted` of them counted. */
function recordWith(n: number, counted: number) {
  const item: Record<string, unknown> = { userId: 'u1', sk: 'l#j1', entries: [], rev: 3 };
  for (let i = 0; i < n; i++)
    item[refusalAttribute(`e${i}`)] =
      i < counted ? { at: 1_000 * (i + 1), counted: true } : { at: 1_000 * (i + 1) };
  return item;
}

describe('entry limit refusals', () => {
  it('reads each refusal with its time and whether it was counted, and nothing else of the record', () => {
    const refusals = readRefusals(recordWith(2, 1));
    expect([...refusals.values()]).toEqual([
      { at: 1000, counted: true },
      { at: 2000, counted: false },
    ]);
    expect([...refusals.values()].map(countOf)).toEqual(['counted', { pendingAt: 2000, retry: true }]);
  });

  it('keeps at most MAX_REFUSALS: the oldest go first', () => {
    expect(refusalsOver(recordWith(MAX_REFUSALS, 0), owner)).toEqual([]);
    const over = refusalsOver(recordWith(MAX_REFUSALS + 2, MAX_REFUSALS + 2), owner);
    expect(over).toEqual([refusalAttribute('e0'), refusalAttribute('e1')]);
  });
});
