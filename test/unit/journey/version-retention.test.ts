import { describe, expect, it } from 'vitest';
import { versionsToDelete } from '#shared/journey/version-retention.ts';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('which state machine versions to delete', () => {
  it.each([
    { case: 'fewer than kept', versions: [1, 2], routed: [2], keep: 3, deleted: [] },
    {
      case: 'beyond the newest, oldest first',
      versions: [3, 1, 4, 2, 5],
      routed: [5],
      keep: 2,
      deleted: [1, 2],
    },
    { case: 'an old alias target stays', versions: range(1, 6), routed: [6, 2], keep: 2, deleted: [1, 3] },
    { case: 'a canary split keeps both', versions: range(1, 5), routed: [4, 5], keep: 1, deleted: [1, 2] },
    { case: 'live not the newest', versions: range(1, 5), routed: [3], keep: 1, deleted: [1, 2, 4] },
    {
      case: 'bounded per call',
      versions: range(1, 1000),
      routed: [1000],
      keep: 20,
      limit: 25,
      deleted: range(1, 25),
    },
  ])('$case', ({ versions, routed, keep, limit, deleted }) => {
    // act
    const doomed = versionsToDelete({ versions, routed: new Set(routed), keep, limit });
    // assert
    expect(doomed).toEqual(deleted);
  });
});
