import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manifest as sendManifest } from '#functions/send-message/manifest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { LocalStateMachine } from '#infra/local/services/stepfunctions/runner/runner.ts';
import { DeferredError } from '#shared/errors.ts';
import { compile } from '#shared/journey/compile/compile.ts';
import { Journey } from '#shared/journey/schema.ts';
import type { Fault, FaultPlan, FaultRequest } from '../../support/fault-proxy.ts';
import { type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';
import { enrollment, LOCAL_BINDINGS } from '../offline/harness.ts';

/**
 * The compiled journey in the offline Step Functions interpreter, its
 * send-message Task bound to the real send (dynalite behind a fault proxy,
 * the SES v2 emulator). Retries run at once (as early as FULL jitter allows);
 * a Wait moves the send's clock to its timestamp. Where the execution goes
 * must agree with what the customer got.
 */

const journey = Journey.parse({
  id: 'jfaults',
  name: 'Journey faults',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'hello',
  steps: {
    hello: { type: 'email', template: 'email', onFailure: 'exit', next: 'done' },
    done: { type: 'exit' },
  },
});

let world: SendWorld;
let machine: LocalStateMachine;
let clock = virtualClock('2026-11-24T10:00:00Z');

beforeAll(async () => {
  world = await startSendWorld('journey-faults');
  machine = new LocalStateMachine(compile(journey, LOCAL_BINDINGS), {
    timeScale: 0,
    handlers: {
      // As the send-message handler: a deferral is the Journeys.Deferred error the compiled Wait reads.
      [LOCAL_BINDINGS.sendMessageFunctionArn]: async (payload: unknown) => {
        const output = await sendMessage(world.deps(clock), sendManifest.task.input.parse(payload));
        if (output.status !== 'deferred') return output;
        clock.advance(Math.max(0, Date.parse(output.until) - clock.now().getTime()));
        throw new DeferredError(output.until);
      },
    },
  });
});
afterAll(async () => world.stop());
beforeEach(() => {
  clock = virtualClock('2026-11-24T10:00:00Z');
  world.dbProxy.plan(() => 'pass');
});

/** Faults the first `times` writes to the deliveries table whose request contains `marker`. */
function faultAt(marker: string, fault: Fault, times: number): FaultPlan {
  let left = times;
  return (_index, request: FaultRequest) => {
    if (
      left === 0 ||
      !request.body.includes(`"${world.db.tables.deliveries}"`) ||
      !request.body.includes(marker)
    )
      return 'pass';
    left -= 1;
    return fault;
  };
}

describe('an email step whose delivery record fails', () => {
  it.each([
    // Before the provider call: retried, sent once.
    {
      write: 'claim',
      marker: 'leaseUntil = :lease',
      fault: 'error-after' as const,
      times: 1,
      status: 'sent',
    },
    // After it, twice (the attempt tries its record twice): the retry waits out the claim's lease, then
    // settles the record; never resent.
    {
      write: 'outcome',
      marker: '#output = :output',
      fault: 'error-before' as const,
      times: 2,
      status: 'unknown',
    },
  ])('$write ($fault): the execution goes on with "$status", the customer has one email', async (cell) => {
    const userId = `jf-${cell.write}`;
    await world.customer(userId);
    world.dbProxy.plan(faultAt(cell.marker, cell.fault, cell.times));
    const outcome = await machine.start(enrollment(journey, userId, {}, {})).done;
    expect(outcome.status).toBe('SUCCEEDED');
    // The enrollment left through the step's next, not through its failure exit.
    expect(outcome.visited.at(-1)).toBe('done');
    expect(outcome.output).toMatchObject({ send: { status: cell.status } });
    expect((await world.delivered('email')).get(userId)).toBe(1);
    const record = await world.record(
      world.input(userId, 'email', { enrollmentId: `jfaults-${userId}`, stepId: 'hello' }),
    );
    expect(record.status).toBe(cell.status);
  });
});
