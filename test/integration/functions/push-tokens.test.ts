import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { sendMessage } from '#functions/send-message/send.ts';
import { ErrorName } from '#shared/errors.ts';
import { type SendWorld, startSendWorld } from '../../support/send-world.ts';
import { virtualClock } from '../../support/task-retry.ts';
import { identify, ingestDeps } from './harness.ts';

let world: SendWorld;
beforeAll(async () => {
  world = await startSendWorld('push-tokens');
});
afterAll(async () => world.stop());

/** A customer with one device token per entry, registered as SDKs do (identify with context.device). */
async function customerWith(userId: string, tokens: readonly string[]) {
  for (const token of tokens) {
    const event = {
      ...identify(userId, { firstName: 'Ada' }),
      context: { device: { token, type: 'android' } },
    };
    await ingestEvent(ingestDeps(world.db).deps, event);
  }
}

async function tokensOf(userId: string) {
  const clock = virtualClock('2026-11-24T10:00:00Z');
  const { profile } = await world.deps(clock).profiles.get(userId);
  return (profile.pushTokens ?? []).map((t) => t.token).sort();
}

async function pushCounters(stepId: string) {
  const rows = await new StatsRepository(world.db.doc, world.db.tables.stats).funnel('faults');
  return rows
    .filter((r) => r.stepId === stepId && r.metric.startsWith('pushToken'))
    .map((r) => ({ metric: r.metric, reason: r.reason, count: r.count }));
}

function push(userId: string, stepId: string) {
  const clock = virtualClock('2026-11-24T10:00:00Z');
  return sendMessage(world.deps(clock), world.input(userId, 'push', { stepId }));
}

describe('push results per token, against the local End User Messaging endpoint', () => {
  it('delivers to the live token, removes the dead one and counts it once', async () => {
    // arrange
    await customerWith('p-1', ['live-token-p1', 'dead-token-p1']);
    // act
    const first = await push('p-1', 'push-a');
    const second = await push('p-1', 'push-b');
    // assert
    expect(first.status).toBe('sent');
    expect(second.status).toBe('sent');
    expect(await tokensOf('p-1')).toEqual(['live-token-p1']);
    expect(await pushCounters('push-a')).toEqual([
      { metric: 'pushTokenRemoved', reason: 'unregistered', count: 1 },
    ]);
    expect(await pushCounters('push-b')).toEqual([]);
    const record = await world.record(world.input('p-1', 'push', { stepId: 'push-a' }));
    expect(record).toMatchObject({
      tokenOutcomes: expect.arrayContaining([
        { token: '…token-p1', status: 'SUCCESSFUL', statusCode: 200, action: 'keep' },
        {
          token: '…token-p1',
          status: 'PERMANENT_FAILURE',
          statusCode: 410,
          action: 'remove',
          reason: 'unregistered',
        },
      ]),
    });
  });

  it('fails a push whose every token is dead, and the next one is suppressed for want of an address', async () => {
    // arrange
    await customerWith('p-2', ['dead-a-p2', 'dead-b-p2']);
    // act
    const failed = await push('p-2', 'push-c').catch((error: unknown) => error);
    const next = await push('p-2', 'push-d');
    // assert
    expect(failed).toMatchObject({ name: ErrorName.DeliveryFailed });
    expect(await tokensOf('p-2')).toEqual([]);
    expect(await pushCounters('push-c')).toEqual([
      { metric: 'pushTokenRemoved', reason: 'unregistered', count: 2 },
    ]);
    expect(next).toMatchObject({ status: 'suppressed', reason: 'no push address on the profile' });
  });
});

describe('push results per token, provider answers from the AWS docs (mocked)', () => {
  // Installed only for this block: the block above talks to the real local endpoint.
  const mockPinpoint = () => mockClient(PinpointClient);
  let pinpoint: ReturnType<typeof mockPinpoint>;
  beforeAll(() => {
    pinpoint = mockPinpoint();
  });
  afterEach(() => pinpoint.reset());
  afterAll(() => pinpoint.restore());

  it('replaces an updated token, removes an invalid one and keeps one refused for its payload', async () => {
    // arrange
    await customerWith('p-3', ['gcm-old', 'gcm-invalid', 'gcm-big']);
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: {
          'gcm-old': {
            DeliveryStatus: 'SUCCESSFUL',
            StatusCode: 200,
            MessageId: 'm-1',
            UpdatedToken: 'gcm-new',
          },
          'gcm-invalid': {
            DeliveryStatus: 'PERMANENT_FAILURE',
            StatusCode: 400,
            StatusMessage: 'InvalidRegistration',
          },
          'gcm-big': { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 400, StatusMessage: 'MessageTooBig' },
        },
      },
    });
    // act
    const result = await push('p-3', 'push-e');
    // assert
    expect(result).toEqual({ status: 'sent', messageId: 'm-1' });
    expect(await tokensOf('p-3')).toEqual(['gcm-big', 'gcm-new']);
    expect(await pushCounters('push-e')).toEqual(
      expect.arrayContaining([
        { metric: 'pushTokenRemoved', reason: 'invalidToken', count: 1 },
        { metric: 'pushTokenReplaced', reason: undefined, count: 1 },
      ]),
    );
    expect(await pushCounters('push-e')).toHaveLength(2);
  });

  it('keeps a token the response says nothing about', async () => {
    // arrange
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: {
          'dead-x': { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 410, StatusMessage: 'Unregistered' },
        },
      },
    });
    await customerWith('p-4', ['dead-x', 'live-x']);
    // act
    const result = await push('p-4', 'push-f').catch((error: unknown) => error);
    // assert: no token was delivered to, so the push failed; only the one reported dead is gone
    expect(result).toMatchObject({ name: ErrorName.DeliveryFailed });
    expect(await tokensOf('p-4')).toEqual(['live-x']);
  });

  it('keeps the message outcome when the token clean-up cannot be written', async () => {
    // arrange
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-1',
        Result: {
          'live-y': { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'm-y' },
          'dead-y': { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 410, StatusMessage: 'Unregistered' },
        },
      },
    });
    await customerWith('p-5', ['live-y', 'dead-y']);
    const deps = world.deps(virtualClock('2026-11-24T10:00:00Z'));
    deps.profiles.replacePushTokens = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    // act
    const result = await sendMessage(deps, world.input('p-5', 'push', { stepId: 'push-g' }));
    // assert: sent once and recorded as sent; the dead token is reported again by the next push
    expect(result).toEqual({ status: 'sent', messageId: 'm-y' });
    expect(await world.record(world.input('p-5', 'push', { stepId: 'push-g' }))).toMatchObject({
      status: 'sent',
    });
    expect(await tokensOf('p-5')).toEqual(['dead-y', 'live-y']);
    expect(pinpoint.commandCalls(SendMessagesCommand)).toHaveLength(1);
  });
});

describe('a device token named like an object prototype key', () => {
  it('is never handed to the SDK, whose maps cannot carry it: the push goes to the other tokens', async () => {
    // arrange
    await customerWith('p-proto', ['__proto__', 'live-token-pproto']);
    // act
    const sent = await push('p-proto', 'push-proto-a');
    // assert
    expect(sent.status).toBe('sent');
  });

  it('alone, suppresses the push with a reason rather than letting it vanish', async () => {
    // arrange
    await customerWith('p-proto-only', ['__proto__']);
    // act
    const outcome = await push('p-proto-only', 'push-proto-b').catch((error: unknown) => error);
    // assert
    expect(outcome).toMatchObject({ status: 'suppressed', reason: expect.stringContaining('__proto__') });
    expect((await world.record(world.input('p-proto-only', 'push', { stepId: 'push-proto-b' }))).status).toBe(
      'suppressed',
    );
  });
});
