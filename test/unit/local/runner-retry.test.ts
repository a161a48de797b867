import { describe, expect, it } from 'vitest';
import { RetryPlan } from '#infra/local/services/stepfunctions/runner/runner-retry.ts';

describe('RetryPlan, the retry intervals the local runner waits on the journey clock', () => {
  it('backs off by BackoffRate, caps at MaxDelaySeconds and stops after MaxAttempts', () => {
    const plan = new RetryPlan(
      [
        {
          ErrorEquals: ['Throttled'],
          IntervalSeconds: 2,
          BackoffRate: 3,
          MaxDelaySeconds: 10,
          MaxAttempts: 4,
        },
      ],
      'exec:state',
    );
    const waits = Array.from({ length: 5 }, () => plan.onFailure('Throttled'));
    expect(waits).toStrictEqual([2_000, 6_000, 10_000, 10_000, undefined]);
  });

  it.each([
    ['States.ALL', 'Anything', 1_000],
    ['States.TaskFailed', 'Lambda.Unknown', 1_000],
    ['States.TaskFailed', 'States.Timeout', undefined],
    ['Throttled', 'Other', undefined],
  ])('a retrier on %s and the error %s: %s ms', (pattern, error, wait) => {
    const plan = new RetryPlan([{ ErrorEquals: [pattern], IntervalSeconds: 1 }], 'exec:state');
    expect(plan.onFailure(error)).toBe(wait);
  });

  it('counts attempts afresh after the state succeeds', () => {
    const plan = new RetryPlan([{ ErrorEquals: ['E'], IntervalSeconds: 1, MaxAttempts: 1 }], 's');
    const first = plan.onFailure('E');
    plan.reset();
    expect([first, plan.onFailure('E'), plan.onFailure('E')]).toStrictEqual([1_000, 1_000, undefined]);
  });

  it('counts attempts afresh after an error no retrier takes (the entry was caught or failed)', () => {
    // arrange: a throttle retried once, then an error the state catches
    const plan = new RetryPlan([{ ErrorEquals: ['Throttled'], IntervalSeconds: 1, MaxAttempts: 2 }], 's');
    const retried = plan.onFailure('Throttled');
    // act: caught, so the state is entered again later
    const caught = plan.onFailure('Deferred');
    // assert: the next entry has both attempts again
    expect([retried, caught, plan.onFailure('Throttled'), plan.onFailure('Throttled')]).toStrictEqual([
      1_000,
      undefined,
      1_000,
      2_000,
    ]);
  });

  it.each([
    ['States.ALL', 'States.Runtime'],
    ['States.ALL', 'States.DataLimitExceeded'],
    ['States.TaskFailed', 'States.DataLimitExceeded'],
  ])('a retrier on %s never retries %s, as on AWS', (pattern, error) => {
    const plan = new RetryPlan([{ ErrorEquals: [pattern], IntervalSeconds: 1 }], 'exec:state');
    expect(plan.onFailure(error)).toBeUndefined();
  });

  it('draws FULL jitter from the execution, state and attempt: the same on every run, within the interval', () => {
    const retrier = {
      ErrorEquals: ['E'],
      IntervalSeconds: 60,
      MaxAttempts: 3,
      JitterStrategy: 'FULL' as const,
    };
    const waits = (seed: string) => {
      const plan = new RetryPlan([retrier], seed);
      return [plan.onFailure('E'), plan.onFailure('E'), plan.onFailure('E')];
    };
    const a = waits('exec-1:send');
    expect(waits('exec-1:send')).toStrictEqual(a);
    expect(waits('exec-2:send')).not.toStrictEqual(a);
    for (const [i, wait] of a.entries()) {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(60_000 * 2 ** i);
    }
  });
});
