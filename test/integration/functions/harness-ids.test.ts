import { describe, expect, it } from 'vitest';
import { identify, track } from './harness.ts';

/**
 * A message id is not inert: a trigger's names the enrollment, whose digest
 * picks the stats shard its counts land on, and with it the requests a
 * handler makes and the crash points a file finds. Files share a worker's
 * module cache, so ids must not be numbered by what ran before a test.
 */
describe('the message ids tests send', () => {
  const earlier: string[] = [];

  it('are numbered by the test that takes them', () => {
    for (let i = 0; i < 3; i += 1) earlier.push(track('u-1', 'Signed Up').messageId);
    earlier.push(identify('u-1', {}).messageId);

    expect(new Set(earlier).size).toBe(4);
  });

  it('start again in the next test, whatever the tests before it took, and are its own', () => {
    const first = track('u-1', 'Signed Up').messageId;

    expect(first).toMatch(/-1-Signed Up$/);
    expect(earlier).not.toContain(first);
  });
});
