import { describe, expect, it } from 'vitest';
import {
  LocalStateMachine,
  type StateMachineDefinition,
} from '#infra/local/services/stepfunctions/runner/runner.ts';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const AWAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

const definition: StateMachineDefinition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: FN,
      Parameters: { 'n.$': '$.n' },
      ResultPath: '$.work',
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 5, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['Broken'], ResultPath: '$.failure', Next: 'Failed' }],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', TimestampPath: '$.work.until', Next: 'Await' },
    Await: {
      Type: 'Task',
      Resource: AWAIT,
      Parameters: {
        FunctionName: 'await-fn',
        Payload: { 'token.$': '$$.Task.Token', 'at.$': '$$.State.EnteredTime' },
      },
      TimeoutSeconds: 3600,
      ResultPath: '$.event',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    TimedOut: { Type: 'Succeed' },
    Failed: { Type: 'Succeed' },
  },
};

type Script = { work: (n: number) => unknown; onToken: (token: string, m: LocalStateMachine) => void };

function machine(script: Script): LocalStateMachine {
  const m: LocalStateMachine = new LocalStateMachine(definition, {
    timeScale: 0,
    handlers: {
      [FN]: (input) =>
        script.work(typeof input === 'object' && input !== null && 'n' in input ? Number(input.n) : 0),
      'await-fn': (_input, call) => script.onToken(call.token ?? '', m),
    },
  });
  return m;
}

const later = new Date(Date.now() + 86_400_000).toISOString(); // wall-clock ok: only has to lie in the future

describe('LocalStateMachine', () => {
  it.each([
    {
      name: 'event arrives',
      script: {
        work: () => ({ until: later }),
        onToken: (t: string, m: LocalStateMachine) => m.tokens.sendTaskSuccess(t, { e: 1 }),
      },
      visited: ['Work', 'Pause', 'Await', 'Done'],
      transitions: 4,
    },
    {
      name: 'token times out',
      script: { work: () => ({ until: later }), onToken: () => undefined },
      visited: ['Work', 'Pause', 'Await', 'TimedOut'],
      transitions: 4,
    },
    {
      name: 'permanent error is caught',
      script: {
        work: () => {
          throw Object.assign(new Error('no'), { name: 'Broken' });
        },
        onToken: () => undefined,
      },
      visited: ['Work', 'Failed'],
      transitions: 2,
    },
  ])('$name', async ({ script, visited, transitions }) => {
    // arrange
    const m = machine(script);
    // act
    const outcome = await m.start({ n: 1 }).done;
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.visited).toStrictEqual(visited);
    expect(outcome.transitions).toBe(transitions);
  });

  it('retries a retryable error and counts the retry as a transition', async () => {
    let calls = 0;
    const m = machine({
      work: () => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('again'), { name: 'Flaky' });
        return { until: later };
      },
      onToken: (t, mm) => mm.tokens.sendTaskFailure(t, 'States.Timeout', 'expired'),
    });
    const outcome = await m.start({ n: 1 }).done;
    expect(outcome.visited).toStrictEqual(['Work', 'Pause', 'Await', 'TimedOut']);
    expect(outcome.transitions).toBe(5);
  });

  it('resumes from outside with sendTaskSuccess, passes the token and EnteredTime, and reports the output', async () => {
    const seen: unknown[] = [];
    const m: LocalStateMachine = new LocalStateMachine(definition, {
      timeScale: 1,
      handlers: {
        [FN]: () => ({ until: new Date(Date.now() - 1000).toISOString() }), // wall-clock ok: a deadline already past
        'await-fn': (input) => {
          seen.push(input);
        },
      },
    });
    const execution = m.start({ n: 2 }, { name: 'exec-1' });
    const pending = await waitFor(() => m.tokens.pending()[0]);
    expect(pending.executionName).toBe('exec-1');
    expect(pending.stateName).toBe('Await');
    m.tokens.sendTaskSuccess(pending.token, { ok: true });
    const outcome = await execution.done;
    expect(outcome.output).toStrictEqual({ n: 2, work: { until: expect.any(String) }, event: { ok: true } });
    expect(seen).toStrictEqual([{ token: pending.token, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    expect(m.tokens.pending()).toStrictEqual([]);
  });

  it('aborts a waiting execution', async () => {
    const m = new LocalStateMachine(definition, {
      handlers: { [FN]: () => ({ until: later }), 'await-fn': () => undefined },
    });
    const execution = m.start({ n: 3 });
    await waitFor(() => (execution.visited().includes('Pause') ? true : undefined));
    execution.abort();
    const outcome = await execution.done;
    expect(outcome.status).toBe('ABORTED');
    expect(outcome.visited).toStrictEqual(['Work', 'Pause']);
  });

  it('reports a failed execution with its error', async () => {
    const m = machine({
      work: () => {
        throw Object.assign(new Error('kaput'), { name: 'Other' });
      },
      onToken: () => undefined,
    });
    const outcome = await m.start({ n: 1 }).done;
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'Other', visited: ['Work'] });
  });

  it('refuses a Task with no local handler', () => {
    expect(() => new LocalStateMachine(definition, { handlers: {} })).toThrow(/no local handler/);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'finds no handler named %s that nobody bound: a FunctionName is data',
    async (name) => {
      // arrange: a Task invoking a function named in its input
      const byInput: StateMachineDefinition = {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { 'FunctionName.$': '$.fn', Payload: {} },
            End: true,
          },
        },
      };
      const bound = { 'arn:aws:states:::lambda:invoke': () => ({ called: 'invoke' }) };
      // act
      const outcome = await new LocalStateMachine(byInput, { timeScale: 0, handlers: bound }).start({
        fn: name,
      }).done;
      // assert
      expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { called: 'invoke' } });
    },
  );
});

async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
