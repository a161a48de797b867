import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest as sendManifest } from '#functions/send-message/manifest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { JourneyClock, runnerTime } from '#infra/local/runtime/clock.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { DeferredError } from '#shared/errors.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import { validateAsl } from '../../support/asl-validate.ts';
import { type SendWorld, startSendWorld } from '../../support/send-world.ts';
import type { VirtualClock } from '../../support/task-retry.ts';
import { enrollment, LOCAL_BINDINGS } from '../offline/harness.ts';

/**
 * A message step a journey comes back to (a loop through a wait: "remind
 * every day until ..."): each visit is a message of its own, sent once —
 * while a retry or a deferral within one visit still sends nothing twice.
 * The compiled journey runs in the offline interpreter on journey time, its
 * send-message Task bound to the real send (dynalite, the SES v2 emulator).
 */

const T0 = Date.parse('2026-11-24T10:00:00Z');

/** Three daily reminders: the branch comes back to `remind` twice, then ends. */
function looping(quietHours?: { start: string; end: string }) {
  return Journey.parse({
    id: 'jloop',
    name: 'Daily reminder',
    trigger: { type: 'event', event: 'Signed Up' },
    ...(quietHours === undefined ? {} : { settings: { quietHours, defaultTimezone: 'UTC' } }),
    start: 'remind',
    steps: {
      remind: { type: 'email', template: 'email', next: 'pause' },
      pause: { type: 'wait', for: 'P1D', next: 'again' },
      again: {
        type: 'branch',
        branches: [{ when: { path: 'profile.traits.plan', eq: 'free' }, next: 'remind' }],
        otherwise: 'done',
      },
      done: { type: 'exit' },
    },
  });
}

let world: SendWorld;

beforeAll(async () => {
  world = await startSendWorld('send-loop');
});
afterAll(async () => world.stop());

/** Runs the journey for one customer on journey time: the branch loops back `loops` times. */
async function run(journey: Journey, userId: string, loops: number) {
  const clock = new JourneyClock(T0);
  const sendClock: VirtualClock = { now: () => new Date(clock.nowMs()), advance: () => undefined };
  let evaluated = 0;
  const machine = new LocalStateMachine(compile(journey, LOCAL_BINDINGS), {
    time: runnerTime(clock),
    handlers: {
      [LOCAL_BINDINGS.sendMessageFunctionArn]: async (payload: unknown) => {
        const output = await sendMessage(world.deps(sendClock), sendManifest.task.input.parse(payload));
        if (output.status === 'deferred') throw new DeferredError(output.until);
        return output;
      },
      [LOCAL_BINDINGS.evaluateFunctionArn]: async () => {
        evaluated += 1;
        return { match: evaluated <= loops ? 0 : -1 };
      },
    },
  });
  await world.customer(userId);
  const execution = machine.start(enrollment(journey, userId, {}, {}));
  await clock.advanceTo(T0 + 10 * 86_400_000);
  return execution.done;
}

describe('a message step visited again in a loop', () => {
  it('sends one message per visit', async () => {
    // act
    const outcome = await run(looping(), 'loop-1', 2);
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect((await world.delivered('email')).get('loop-1')).toBe(3);
    expect(new Set((await world.messages('email')).get('loop-1')).size).toBe(3);
  });

  it('sends one message per visit when the loop takes no journey time', async () => {
    // arrange: remind → again → remind → again → done, no wait between the visits
    const instant = Journey.parse({
      ...looping(),
      steps: { ...looping().steps, remind: { type: 'email', template: 'email', next: 'again' } },
    });
    // act
    const outcome = await run(instant, 'loop-instant', 1);
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect((await world.delivered('email')).get('loop-instant')).toBe(2);
    expect(new Set((await world.messages('email')).get('loop-instant')).size).toBe(2);
  });

  it('sends one message per visit when each visit is deferred first (quiet hours)', async () => {
    // arrange: 10:00 UTC is inside quiet hours, every visit waits until 12:00
    const outcome = await run(looping({ start: '09:00', end: '12:00' }), 'loop-2', 1);
    expect(outcome.status).toBe('SUCCEEDED');
    expect((await world.delivered('email')).get('loop-2')).toBe(2);
  });
});

describe('the compiled loop', () => {
  it('is valid ASL, and a step visited at most once compiles as before', () => {
    const asl = compile(looping(), LOCAL_BINDINGS);
    expect(validateAsl(asl).errorsText).toBe('');
    expect(asl.States.remind).toMatchObject({ Type: 'Pass', Next: 'remind.send' });
    const once = compile(
      Journey.parse({
        ...looping(),
        steps: { ...looping().steps, again: { type: 'exit' } },
      }),
      LOCAL_BINDINGS,
    );
    expect(once.States.remind).toMatchObject({ Type: 'Task' });
    expect(JSON.stringify(once)).not.toContain('visit');
  });
});
