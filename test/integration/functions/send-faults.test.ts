import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendMessage } from '#functions/send-message/send.ts';
import { ErrorName } from '#shared/errors.ts';
import { caseId } from '../../support/case-ids.ts';
import { type Fault, faultsAt } from '../../support/fault-proxy.ts';
import { type Channel, type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { compiledSendRetry, runWithRetry, virtualClock } from '../../support/task-retry.ts';

/**
 * Each message ends sent, failed with a reason or "outcome unknown" — never
 * twice, never silently — under provider faults injected by a proxy in front
 * of the SES v2 emulator and the local Pinpoint endpoint. The send task runs
 * with the Retry list the compiler gives a message step.
 */

let world: SendWorld;

beforeAll(async () => {
  world = await startSendWorld('faults');
});
afterAll(async () => world.stop());
beforeEach(() => {
  world.sesProxy.plan(() => 'pass');
  world.pinpointProxy.plan(() => 'pass');
});

async function send(channel: Channel, fault: Fault, onUnknown?: 'retry') {
  const userId = caseId('u');
  await world.customer(userId);
  const proxy = channel === 'email' ? world.sesProxy : world.pinpointProxy;
  proxy.plan(faultsAt(fault, [0]));
  const clock = virtualClock('2026-11-24T10:00:00Z');
  const input = world.input(userId, channel, onUnknown === undefined ? {} : { onUnknown });
  const result = await runWithRetry(
    () => sendMessage(world.deps(clock), input),
    compiledSendRetry(channel, onUnknown),
    clock,
  );
  await proxy.idle();
  const delivered = (await world.delivered(channel)).get(userId) ?? 0;
  return { result, delivered, record: await world.record(input), forwarded: proxy.stats().forwarded };
}

describe.each<Channel>(['email', 'sms', 'push'])('%s under provider faults', (channel) => {
  it('retries a throttled send and delivers it once', async () => {
    const { result, delivered, record } = await send(channel, 'throttle');
    expect(result).toMatchObject({ ok: true, value: { status: 'sent' }, attempts: 2 });
    expect(delivered).toBe(1);
    expect(record.status).toBe('sent');
  });

  it('records a 500 before acceptance as outcome unknown, with a reason, and does not resend', async () => {
    const { result, delivered, record, forwarded } = await send(channel, 'error-before');
    expect(result).toMatchObject({ ok: true, value: { status: 'unknown' }, attempts: 1 });
    expect(forwarded).toBe(0);
    expect(delivered).toBe(0);
    expect(record).toMatchObject({ status: 'unknown', output: { status: 'unknown' } });
    expect(String(record.detail)).toMatch(/Internal failure/);
  });

  it('never sends twice when a 500 arrives after the provider accepted the message', async () => {
    const { result, delivered, record, forwarded } = await send(channel, 'error-after');
    expect(result).toMatchObject({ ok: true, value: { status: 'unknown' } });
    expect(forwarded).toBe(1);
    expect(delivered).toBe(1);
    expect(record.status).toBe('unknown');
  });

  it.each(['timeout-before', 'timeout-after'] as const)(
    'records a %s as outcome unknown, never resent',
    async (fault) => {
      const { result, delivered, record, forwarded } = await send(channel, fault);
      expect(result).toMatchObject({ ok: true, value: { status: 'unknown' }, attempts: 1 });
      // Whether the provider got it depends on the fault, never on a second attempt.
      expect(forwarded).toBe(fault === 'timeout-after' ? 1 : 0);
      expect(delivered).toBe(forwarded);
      expect(String(record.detail)).toMatch(/requestTimeout/);
    },
  );

  it('with onUnknown "retry", sends again after an ambiguous failure (at least once)', async () => {
    const { result, delivered, record } = await send(channel, 'error-before', 'retry');
    expect(result).toMatchObject({ ok: true, value: { status: 'sent' }, attempts: 2 });
    expect(delivered).toBe(1);
    expect(record.status).toBe('sent');
  });
});

describe('timed-out calls', () => {
  it('keep sending after more timed-out calls than the client has connections', async () => {
    // A timed-out call gives its connection up, as the SDK's request timeout does (the fault proxy's answer
    // too): otherwise the 51st call of a client (50 sockets per host) waits for a connection forever.
    const { ses } = world.deps(virtualClock('2026-11-24T10:00:00Z'));
    const email = new SendEmailCommand({
      FromEmailAddress: 'news@shop.example',
      Destination: { ToAddresses: ['pool@example.com'] },
      Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } } },
    });
    world.sesProxy.plan((index) => (index % 2 === 0 ? 'timeout-before' : 'timeout-after'));
    for (let call = 0; call < 52; call++) await expect(ses.send(email)).rejects.toThrow(/requestTimeout/);
    world.sesProxy.plan(() => 'pass');
    expect((await ses.send(email)).MessageId).toBeTruthy();
  });
});

describe('stale sending records', () => {
  it('settles an attempt that died after calling the provider as unknown, once', async () => {
    await world.customer('stale-1');
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const input = world.input('stale-1', 'email');
    const deps = world.deps(clock);
    const dying = { ...deps, deliveries: Object.create(deps.deliveries) };
    dying.deliveries.settle = async () => Promise.reject(new Error('Lambda timed out'));
    await expect(sendMessage(dying, input)).rejects.toThrow();
    // The same attempt may still be live: a concurrent retry waits until its lease ends.
    expect(await sendMessage(deps, input)).toMatchObject({
      status: 'deferred',
      until: new Date(clock.now().getTime() + 30_000).toISOString(),
    });
    clock.advance(60_000);
    const revisit = await sendMessage(deps, input);
    expect(revisit).toMatchObject({ status: 'unknown' });
    expect(await world.record(input)).toMatchObject({ status: 'unknown' });
    expect((await world.delivered('email')).get('stale-1')).toBe(1);
  });

  it('sends an attempt that died before calling the provider', async () => {
    await world.customer('stale-2');
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const input = world.input('stale-2', 'sms');
    const deps = world.deps(clock);
    const dying = { ...deps, deliveries: Object.create(deps.deliveries) };
    dying.deliveries.markCalled = async () => Promise.reject(new Error('Lambda timed out'));
    // The claim is taken, then the process dies: the record stays "sending" with no provider call.
    await expect(sendMessage({ ...dying, profiles: crashingProfiles(deps) }, input)).rejects.toThrow();
    clock.advance(60_000);
    expect(await sendMessage(deps, input)).toMatchObject({ status: 'sent' });
    expect((await world.delivered('sms')).get('stale-2')).toBe(1);
  });
});

describe('an attempt that died holding a frequency-cap slot', () => {
  it('has its slot given back by the next attempt, which sends now instead of deferring itself', async () => {
    // arrange: a cap of one SMS a day; the first attempt takes the slot, then its process dies before
    // calling the provider (every later write of it fails: it can neither give the slot back nor settle)
    await world.customer('slot-1');
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const input = world.input('slot-1', 'sms', { caps: [{ channel: 'sms', max: 1, within: 'P1D' }] });
    const deps = world.deps(clock);
    let dead = false;
    const profiles = Object.create(deps.profiles);
    profiles.get = async (userId: string) => {
      if (dead) throw new Error('process killed');
      return deps.profiles.get(userId);
    };
    profiles.reserveSends = async (...args: Parameters<typeof deps.profiles.reserveSends>) => {
      if (dead) throw new Error('process killed');
      const reserved = await deps.profiles.reserveSends(...args);
      dead = reserved;
      return reserved;
    };
    const deliveries = Object.create(deps.deliveries);
    deliveries.markCalled = async () => Promise.reject(new Error('process killed'));
    deliveries.settle = async () => Promise.reject(new Error('process killed'));
    await expect(sendMessage({ ...deps, profiles, deliveries }, input)).rejects.toThrow();
    // act: Step Functions retries after the claim's lease
    clock.advance(60_000);
    const retry = await sendMessage(deps, input);
    // assert: sent once, and the customer's recent sends count this one message only
    expect(retry).toMatchObject({ status: 'sent' });
    expect((await world.delivered('sms')).get('slot-1')).toBe(1);
    expect((await deps.profiles.get('slot-1')).sends.sms).toEqual(['2026-11-24T10:01:00.000Z']);
  });
});

function crashingProfiles(deps: ReturnType<SendWorld['deps']>) {
  const profiles = Object.create(deps.profiles);
  profiles.get = async () => {
    throw new Error('process killed');
  };
  return profiles;
}

describe.each<Channel>(['email', 'sms', 'push'])('%s frequency cap under provider faults', (channel) => {
  const caps = [{ channel, max: 1, within: 'P1D' }];

  /** Step `a` under `fault`, as the compiled Task runs it; then step `b` a minute later, no fault. */
  async function twoSends(fault: Fault) {
    const userId = caseId('cap');
    await world.customer(userId);
    const proxy = channel === 'email' ? world.sesProxy : world.pinpointProxy;
    proxy.plan(faultsAt(fault, [0]));
    const clock = virtualClock('2026-11-24T10:00:00Z');
    const a = world.input(userId, channel, { stepId: 'a', caps });
    const first = await runWithRetry(
      () => sendMessage(world.deps(clock), a),
      compiledSendRetry(channel),
      clock,
      'shortest',
    );
    proxy.plan(() => 'pass');
    clock.advance(60_000);
    const second = await sendMessage(world.deps(clock), world.input(userId, channel, { stepId: 'b', caps }));
    return { first, second, delivered: (await world.delivered(channel)).get(userId) ?? 0 };
  }

  it.each([
    // A throttled attempt took nothing: its retry is not held back by its own slot.
    { fault: 'throttle' as const, first: 'sent', second: 'deferred', delivered: 1 },
    // A refused message used no slot: the next message goes out.
    { fault: 'reject' as const, first: ErrorName.DeliveryFailed, second: 'sent', delivered: 1 },
    // It may have been delivered: the slot stays taken.
    { fault: 'error-after' as const, first: 'unknown', second: 'deferred', delivered: 1 },
  ])('$fault: the first send ends $first, the next is $second', async ({ fault, ...expected }) => {
    const { first, second, delivered } = await twoSends(fault);
    const outcome = first.ok ? first.value.status : (first.error as { name?: string }).name;
    expect({ first: outcome, second: second.status, delivered }).toEqual(expected);
  });
});
