import { describe, expect, it } from 'vitest';
import { Executions } from '#infra/simulate/machine/executions.ts';
import { Timers } from '#infra/simulate/machine/timers.ts';
import type { Json } from '#shared/journey/compile/asl.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import { enrollment, LOCAL_BINDINGS } from '../../integration/offline/harness.ts';

const T0 = Date.parse('2026-11-24T10:00:00Z');

/** An email and a profile update the branch comes back to, with no journey time passing between visits. */
const AGAIN = Journey.parse({
  id: 'again',
  name: 'Remind again at once',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'remind',
  steps: {
    remind: { type: 'email', template: 'email', next: 'count' },
    count: { type: 'updateProfile', increment: { reminders: 1 }, next: 'again' },
    again: {
      type: 'branch',
      branches: [{ when: { path: 'profile.traits.plan', eq: 'free' }, next: 'remind' }],
      otherwise: 'done',
    },
    done: { type: 'exit' },
  },
});

type Call = { resource: string; op?: string; visit?: string };

/**
 * Runs AGAIN for one customer in the simulation's interpreter, its tasks
 * answered here: the branch comes back `loops` times; `fail` may throw for
 * a call (by its number) to have it retried.
 */
async function run(loops: number, fail: (call: Call, n: number) => Error | undefined = () => undefined) {
  const timers = new Timers(T0);
  const calls: Call[] = [];
  let branches = 0;
  let status = '';
  const asl = compile(AGAIN, LOCAL_BINDINGS);
  const executions = new Executions(
    timers,
    () => asl,
    async (resource, input) => {
      const fields = input as { op?: string; visit?: string };
      const call = { resource: resource.replace(/.*function:/, ''), op: fields.op, visit: fields.visit };
      calls.push(call);
      const error = fail(call, calls.length);
      if (error !== undefined) throw error;
      if (call.op === 'branch') return { match: branches++ < loops ? 0 : -1 };
      if (call.resource === 'send-message') return { status: 'sent', messageId: `m${calls.length}` } as Json;
      return {};
    },
    async (ended) => {
      status = ended.status;
    },
  );
  executions.start(
    'arn:aws:states:us-east-1:000000000000:stateMachine:again',
    'e1',
    JSON.stringify(enrollment(AGAIN, 'u1', {}, {})),
  );
  await timers.run();
  return { status, calls: calls.filter((c) => c.op !== 'branch') };
}

describe('the simulation on a step looped at one instant', () => {
  it('makes each visit a visit of its own: two sends, two profile updates', async () => {
    // act
    const { status, calls } = await run(1);
    // assert: four calls, four different visit keys
    expect(status).toBe('SUCCEEDED');
    expect(calls.map((c) => c.resource)).toStrictEqual([
      'send-message',
      'evaluate',
      'send-message',
      'evaluate',
    ]);
    expect(new Set(calls.map((c) => `${c.resource} ${c.visit}`)).size).toBe(4);
  });

  it('gives a retried profile update the visit of its entry', async () => {
    // arrange: the first update fails with a transient error and is retried seconds later
    const transient = (call: Call, n: number) =>
      call.op === 'updateProfile' && n === 2
        ? Object.assign(new Error('busy'), { name: 'Journeys.Transient' })
        : undefined;
    // act
    const { status, calls } = await run(0, transient);
    // assert: the retry names the same visit, so the update applies once
    expect(status).toBe('SUCCEEDED');
    const updates = calls.filter((c) => c.op === 'updateProfile');
    expect(updates).toHaveLength(2);
    expect(updates[1]?.visit).toBe(updates[0]?.visit);
  });
});
