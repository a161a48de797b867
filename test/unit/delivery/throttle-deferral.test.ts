import { describe, expect, it } from 'vitest';
import {
  afterThrottle,
  MAX_THROTTLE_DEFERRALS,
  THROTTLE_GIVE_UP_MS,
  THROTTLES_BEFORE_DEFERRAL,
  type ThrottleStreak,
} from '#shared/delivery/throttle.ts';

const START = Date.parse('2026-11-30T10:00:00Z');
const MINUTE = 60_000;

/** The throttled attempts of one send, each `gapMs` after the one before (or after the deferral it came back from). */
function play(deliveryId: string, attempts: number, gapMs: number) {
  let streak: ThrottleStreak | undefined;
  let at = START;
  const delays: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const decision = afterThrottle(deliveryId, streak, new Date(at));
    streak = decision.streak;
    if (decision.until !== undefined) {
      delays.push(decision.until.getTime() - at);
      at = decision.until.getTime();
    } else at += gapMs;
  }
  return { delays, streak, at };
}

describe('a send the provider keeps throttling', () => {
  it('is left to Step Functions’ backoff for its first throttles, then deferred', () => {
    const { delays } = play('e#s', THROTTLES_BEFORE_DEFERRAL - 1, 1_000);
    expect(delays).toEqual([]);
    expect(play('e#s', THROTTLES_BEFORE_DEFERRAL, 1_000).delays).toHaveLength(1);
  });

  it('is deferred for longer each time, from minutes to at most an hour and a half', () => {
    const { delays } = play('e#s', THROTTLES_BEFORE_DEFERRAL * 8, 1_000);
    expect(delays).toHaveLength(8);
    expect(delays[0]).toBeGreaterThanOrEqual(2.5 * MINUTE);
    expect(delays[0]).toBeLessThanOrEqual(7.5 * MINUTE);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(90 * MINUTE);
    expect(Math.max(...delays)).toBeGreaterThanOrEqual(30 * MINUTE);
  });

  it('spreads sends throttled together: their deferrals end at different times', () => {
    const ends = new Set(
      Array.from({ length: 50 }, (_, i) => play(`e${i}#s`, THROTTLES_BEFORE_DEFERRAL, 0).delays[0]),
    );
    expect(ends.size).toBeGreaterThan(40);
  });

  it('is the same for the same send: a retried attempt defers to the same time', () => {
    expect(play('e#s', THROTTLES_BEFORE_DEFERRAL * 3, 1_000)).toEqual(
      play('e#s', THROTTLES_BEFORE_DEFERRAL * 3, 1_000),
    );
  });

  it('is no longer deferred once the throttle has lasted a day, nor past its deferrals', () => {
    const { at, streak } = play('e#s', THROTTLES_BEFORE_DEFERRAL * 200, 1_000);
    expect(at - START).toBeGreaterThanOrEqual(THROTTLE_GIVE_UP_MS - 2 * 3_600_000);
    expect(streak?.deferrals).toBeLessThanOrEqual(MAX_THROTTLE_DEFERRALS);
    const later = afterThrottle(
      'e#s',
      { count: 10, deferrals: 3, since: START },
      new Date(START + THROTTLE_GIVE_UP_MS),
    );
    expect(later.until).toBeUndefined();
    const many = afterThrottle(
      'e#s',
      { count: 10, deferrals: MAX_THROTTLE_DEFERRALS, since: START },
      new Date(START),
    );
    expect(many.until).toBeUndefined();
  });
});
