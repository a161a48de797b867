import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorName, PERMANENT_ERRORS, StatesError } from '#shared/errors.ts';
import type { TaskState } from '#shared/journey/compile/asl.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { RETRY, retryCatch } from '#shared/journey/compile/retry.ts';
import { journeyArbitrary } from '../../support/arbitraries.ts';
import { exampleJourneys } from '../../support/journeys.ts';

describe('retryCatch: one helper renders every Retry and Catch', () => {
  it('orders catchers by specificity: named errors, then States.TaskFailed, States.ALL last', () => {
    // arrange
    const rules = [
      { errors: [StatesError.All], next: 'bug', resultPath: '$.bug' },
      { errors: [StatesError.TaskFailed], next: 'failed', resultPath: '$.failure' },
      { errors: [ErrorName.Deferred], next: 'defer', resultPath: '$.deferral' },
      { errors: [StatesError.Timeout], next: 'late', resultPath: '$.timeout' },
    ];
    // act
    const { Catch } = retryCatch(RETRY.lambda, rules);
    // assert
    expect(Catch?.map((c) => c.Next)).toStrictEqual(['defer', 'late', 'failed', 'bug']);
  });

  it('retries only the retryable errors it is given, with backoff and jitter', () => {
    const { Retry, Catch } = retryCatch(RETRY.eventBridge);
    expect(Retry).toStrictEqual([
      {
        ErrorEquals: [...RETRY.eventBridge],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
    ]);
    expect(Catch).toBeUndefined();
  });

  it.each([
    {
      why: 'States.ALL shares its ErrorEquals',
      rules: [{ errors: [StatesError.All, ErrorName.Deferred], next: 'x', resultPath: '$.x' }],
    },
    {
      why: 'an error is caught twice',
      rules: [
        { errors: [ErrorName.Deferred], next: 'x', resultPath: '$.x' },
        { errors: [ErrorName.Deferred, StatesError.TaskFailed], next: 'y', resultPath: '$.y' },
      ],
    },
  ])('refuses a catcher that can never be taken: $why', ({ rules }) => {
    expect(() => retryCatch(RETRY.lambda, rules)).toThrow();
  });
});

/** Every Task of a compiled journey catches data failures and a Task timeout goes somewhere. */
function uncaughtTasks(journey: Parameters<typeof compile>[0]): string[] {
  const asl = compile(journey);
  const tasks = Object.entries(asl.States).filter((e): e is [string, TaskState] => e[1].Type === 'Task');
  return tasks
    .filter(([, task]) => {
      const caught = new Set((task.Catch ?? []).flatMap((c) => c.ErrorEquals));
      // States.ALL catches every error, a timeout included.
      if (caught.has(StatesError.All)) return false;
      return ![...PERMANENT_ERRORS, StatesError.TaskFailed].every((e) => caught.has(e));
    })
    .map(([name]) => name);
}

describe('compile: a Task that fails on data follows the failure policy', () => {
  it.each(exampleJourneys().map((j) => [j.id, j] as const))('%s: every Task has a Catch', (_id, journey) => {
    expect(uncaughtTasks(journey)).toStrictEqual([]);
  });

  it('every Task of a generated journey has a Catch, and exit failures end with the reason', () => {
    fc.assert(
      fc.property(journeyArbitrary(1, 12), (journey) => {
        expect(uncaughtTasks(journey)).toStrictEqual([]);
        const asl = compile(journey);
        for (const [name, state] of Object.entries(asl.States)) {
          if (!name.endsWith('.failed')) continue;
          expect(state).toMatchObject({ Type: 'Pass', ResultPath: '$.exit', End: true });
        }
      }),
      { numRuns: 100, seed: 20261130 },
    );
  });
});
