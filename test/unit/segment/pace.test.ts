import { describe, expect, it } from 'vitest';
import { backoffMs, StartPace, workerPace } from '#shared/segment/pace.ts';

/** Reserves `n` starts as soon as each is allowed; the time of each start. */
function startTimes(pace: StartPace, n: number): number[] {
  const times: number[] = [];
  let now = 0;
  for (let i = 0; i < n; i++) {
    now += pace.reserve(now);
    times.push(now);
  }
  return times;
}

describe('StartPace', () => {
  it('lets a burst through at once, then one start per interval', () => {
    // act
    const times = startTimes(new StartPace(10, 3), 6);
    // assert
    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('never exceeds the rate over a long run', () => {
    // act
    const times = startTimes(new StartPace(28, 28), 28 * 60);
    // assert: 60 s of starts take at least 59 s (the first second is the burst)
    expect(times.at(-1)).toBeGreaterThan(58_999);
    expect(times.at(-1)).toBeLessThan(60_000);
  });

  it('refills the burst after a quiet spell, not beyond it', () => {
    // arrange
    const pace = new StartPace(10, 2);
    startTimes(pace, 5);
    // act: ten seconds later
    const waits = [pace.reserve(10_000), pace.reserve(10_000), pace.reserve(10_000)];
    // assert
    expect(waits).toEqual([0, 0, 100]);
  });

  it('slows down after a throttle and wins the configured rate back, never above it', () => {
    // arrange
    const pace = new StartPace(20);
    // act
    pace.throttled();
    const slowed = pace.rate;
    for (let i = 0; i < 1000; i++) pace.succeeded();
    // assert
    expect(slowed).toBeLessThan(20);
    expect(pace.rate).toBe(20);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new StartPace(0)).toThrow(RangeError);
  });

  it('gives each worker its share of the total', () => {
    // act
    const times = startTimes(workerPace(280, 10), 28 * 10);
    // assert: 28/s per worker
    expect(times.at(-1)).toBeGreaterThan(8_999);
  });
});

describe('backoffMs', () => {
  it('grows with the attempt, is capped, and is jittered below the ceiling', () => {
    // act
    const ceilings = [0, 1, 2, 10, 20].map((attempt) => backoffMs(attempt, () => 0.999));
    const floor = backoffMs(5, () => 0);
    // assert
    expect(ceilings).toEqual([99, 199, 399, 9990, 9990]);
    expect(floor).toBe(0);
  });
});
