import { describe, expect, it } from 'vitest';
import { type Ended, Executions } from '#infra/simulate/machine/executions.ts';
import { Timers } from '#infra/simulate/machine/timers.ts';
import type { Asl, State } from '#shared/journey/compile/asl.ts';

/**
 * The simulation ends executions as Step Functions does: `States.Runtime`
 * (a path not found in the input) fails the execution past any Retry and
 * Catch, and `States.DataLimitExceeded` is taken only by a rule naming it.
 */

const T0 = Date.parse('2026-01-05T09:00:00Z');

function machine(parameters: Record<string, string>, catchers: string[][]): Asl {
  return {
    Comment: 'One task',
    StartAt: 'work',
    States: {
      work: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:work',
        Parameters: parameters,
        ResultPath: '$.work',
        Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: catchers.map((errors, i) => ({
          ErrorEquals: errors,
          ResultPath: '$.failure',
          Next: `caught${i}`,
        })),
        End: true,
      },
      ...Object.fromEntries(
        catchers.map((_errors, i): [string, State] => [`caught${i}`, { Type: 'Succeed' }]),
      ),
    },
  };
}

async function run(asl: Asl, fails?: string) {
  const timers = new Timers(T0);
  const ended: Ended[] = [];
  let calls = 0;
  const executions = new Executions(
    timers,
    () => asl,
    async () => {
      calls += 1;
      if (fails === undefined) return { ok: true };
      const error = new Error(`${fails} from the task`);
      error.name = fails;
      throw error;
    },
    async (end) => {
      ended.push(end);
    },
  );
  timers.at(T0, () => {
    executions.start('arn:aws:states:eu-west-1:1:stateMachine:j', 'e1', '{"n":1}');
  });
  await timers.run();
  return { ended, calls };
}

describe('errors States.ALL does not take, in the simulation', () => {
  it('fails on a path not found in the input, past a States.ALL retrier and catcher', async () => {
    // act
    const { ended, calls } = await run(machine({ 'n.$': '$.missing' }, [['States.ALL']]));
    // assert
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(calls).toBe(0);
  });

  it('fails on States.DataLimitExceeded when only States.ALL would take it, without retrying', async () => {
    // act
    const { ended, calls } = await run(machine({}, [['States.ALL']]), 'States.DataLimitExceeded');
    // assert
    expect(ended[0]).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(calls).toBe(1);
  });

  it('takes States.DataLimitExceeded with the catcher naming it', async () => {
    // act
    const { ended, calls } = await run(
      machine({}, [['States.DataLimitExceeded'], ['States.ALL']]),
      'States.DataLimitExceeded',
    );
    // assert
    expect(ended[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(JSON.parse(ended[0]?.output ?? '{}')).toMatchObject({
      failure: { Error: 'States.DataLimitExceeded' },
    });
    expect(calls).toBe(1);
  });

  it('still retries, then catches, any other error with States.ALL', async () => {
    // act
    const { ended, calls } = await run(machine({}, [['States.ALL']]), 'Journeys.Broken');
    // assert
    expect(ended[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(calls).toBe(3);
  });
});
