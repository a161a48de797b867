import { describe, expect, it } from 'vitest';
import {
  LocalStateMachine,
  type StateMachineDefinition,
  TaskFailureError,
} from '#infra/local/services/stepfunctions/runner/runner.ts';

/**
 * On AWS, `States.Runtime` fails the execution whatever its Retry and Catch
 * say, and `States.DataLimitExceeded` is taken only by a rule naming it
 * (Step Functions developer guide, "Error names"). The local runner (the
 * local runtime, `journeys test`, the offline tests) must agree, whether the
 * interpreter or a Task's handler raised the error.
 */

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';

function definition(parameters: Record<string, string>, catchers: string[][]): StateMachineDefinition {
  return {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: FN,
        Parameters: parameters,
        ResultPath: '$.work',
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2 }],
        Catch: catchers.map((errors, i) => ({
          ErrorEquals: errors,
          ResultPath: '$.failure',
          Next: `Caught${i}`,
        })),
        End: true,
      },
      ...Object.fromEntries(catchers.map((_errors, i) => [`Caught${i}`, { Type: 'Succeed' as const }])),
    },
  };
}

async function run(def: StateMachineDefinition, fails?: string) {
  let calls = 0;
  const m = new LocalStateMachine(def, {
    timeScale: 0,
    handlers: {
      [FN]: () => {
        calls += 1;
        if (fails !== undefined) throw new TaskFailureError(fails, `${fails} from the handler`);
        return { ok: true };
      },
    },
  });
  const outcome = await m.start({ n: 1 }).done;
  return { outcome, calls };
}

describe('errors States.ALL does not take, locally as on AWS', () => {
  it('fails on a path not found in the input, past a States.ALL retrier and catcher', async () => {
    // act
    const { outcome, calls } = await run(definition({ 'n.$': '$.missing' }, [['States.ALL']]));
    // assert
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(calls).toBe(0);
    expect(outcome.visited).toStrictEqual(['Work']);
  });

  it('fails on a States.Runtime a handler raises: not retried, not caught', async () => {
    // act
    const { outcome, calls } = await run(definition({}, [['States.ALL']]), 'States.Runtime');
    // assert
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(calls).toBe(1);
  });

  it('fails on States.DataLimitExceeded when only States.ALL would take it', async () => {
    // act
    const { outcome, calls } = await run(definition({}, [['States.ALL']]), 'States.DataLimitExceeded');
    // assert
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(calls).toBe(1);
  });

  it('takes States.DataLimitExceeded with the catcher naming it', async () => {
    // act
    const { outcome, calls } = await run(
      definition({}, [['States.DataLimitExceeded'], ['States.ALL']]),
      'States.DataLimitExceeded',
    );
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.visited).toStrictEqual(['Work', 'Caught0']);
    expect(calls).toBe(1);
  });

  it('still retries, then catches, any other error with States.ALL', async () => {
    // act
    const { outcome, calls } = await run(definition({}, [['States.ALL']]), 'Journeys.Broken');
    // assert
    expect(outcome.visited).toStrictEqual(['Work', 'Caught0']);
    expect(outcome.output).toMatchObject({ failure: { Error: 'Journeys.Broken' } });
    expect(calls).toBe(3);
  });
});
