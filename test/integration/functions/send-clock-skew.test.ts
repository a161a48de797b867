import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfilesRepository } from '#functions/_lib/profiles.ts';
import { type SendDeps, sendMessage } from '#functions/send-message/send.ts';
import type { SendMessageOutput } from '#shared/tasks/send-message.ts';
import { type Channel, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';

/**
 * Two attempts of one send whose clocks disagree by more than the claim's
 * margin (hosts whose clocks drifted apart): the later attempt, its clock
 * ahead, sees the first one's lease over and takes the send over while the
 * first is still working. The first must then not send, nor overwrite the
 * record of the attempt that took over: the customer gets one message and
 * the record says it was sent.
 */

let world: SendWorld;

beforeAll(async () => {
  world = await startSendWorld('clock-skew');
});
afterAll(async () => world.stop());

/**
 * Send dependencies whose first profile read (right after the claim) calls
 * `reached` and waits until `gate` opens: the attempt stalls holding its claim.
 */
function held(deps: SendDeps, reached: () => void, gate: Promise<void>): SendDeps {
  const profiles = deps.profiles;
  let first = true;
  const slow = Object.create(profiles) as ProfilesRepository;
  slow.get = async (userId: string) => {
    if (first) {
      first = false;
      reached();
      await gate;
    }
    return profiles.get(userId);
  };
  return { ...deps, profiles: slow };
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('an attempt whose claim was taken over by an attempt with a clock ahead', () => {
  it.each<Channel>(['email', 'sms'])('%s: sends nothing and leaves the record alone', async (channel) => {
    // arrange: attempt A claims at 10:00 (lease 30 s) and stalls; B's clock reads 10:01
    const userId = `skew-${channel}`;
    await world.customer(userId);
    const input = world.input(userId, channel);
    const gate = signal();
    const claimed = signal();
    const deps = held(world.deps(virtualClock('2026-11-24T10:00:00Z')), claimed.resolve, gate.promise);
    const a = sendMessage(deps, input).catch((error: unknown) => error);
    await claimed.promise;
    // act: B takes over and sends; then A goes on
    const b = await sendMessage(world.deps(virtualClock('2026-11-24T10:01:00Z')), input);
    gate.resolve();
    const first: SendMessageOutput | unknown = await a;
    // assert
    expect(b.status).toBe('sent');
    expect((await world.delivered(channel)).get(userId)).toBe(1);
    expect((await world.record(input)).status).toBe('sent');
    expect(first).not.toMatchObject({ status: 'sent' });
  });
});
