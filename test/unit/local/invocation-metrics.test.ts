import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, expect, it, vi } from 'vitest';
import { observability } from '#functions/_lib/middleware.ts';
import { logger, metrics } from '#functions/_lib/observability.ts';
import {
  inInvocation,
  runInvocationsConcurrently,
  stopRunningInvocationsConcurrently,
} from '#infra/local/runtime/invocations.ts';

/**
 * The local runtime runs handlers concurrently in one process, where Lambda
 * runs one invocation per environment: each local invocation keeps its own
 * metrics, as Lambda keeps them when it runs invocations concurrently.
 */

const context = (id: string) => ({ functionName: 'journeys-send-message', awsRequestId: id }) as Context;

afterEach(() => {
  vi.restoreAllMocks();
  stopRunningInvocationsConcurrently();
});

/** A promise and the function that resolves it (Node 20 has no Promise.withResolvers). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A send that records its channel, then waits for the other send to record its own before counting. */
function sendOn(turns: { recorded: () => void; other: Promise<void> }) {
  return middy(async (input: { channel: string }) => {
    metrics.addDimension('channel', input.channel);
    turns.recorded();
    await turns.other;
    metrics.addMetric('MessagesSent', MetricUnit.Count, 1);
  }).use(observability());
}

it('two concurrent sends on different channels each publish one EMF line with their own channel', async () => {
  // arrange: two sends that interleave, each adding its dimension before the other counts
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  const warn = vi.spyOn(logger, 'warn');
  runInvocationsConcurrently();
  const sms = signal();
  const email = signal();
  const smsSend = sendOn({ recorded: sms.resolve, other: email.promise });
  const emailSend = sendOn({ recorded: email.resolve, other: sms.promise });
  // act
  await Promise.all([
    inInvocation('r-sms', () => smsSend({ channel: 'sms' }, context('r-sms'))),
    inInvocation('r-email', () => emailSend({ channel: 'email' }, context('r-email'))),
  ]);
  // assert
  const emf = lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));
  expect(
    emf.map((m) => ({
      channel: m.channel,
      sent: m.MessagesSent,
      dimensions: m._aws.CloudWatchMetrics[0].Dimensions,
    })),
  ).toStrictEqual([
    { channel: 'sms', sent: 1, dimensions: [['service', 'channel']] },
    { channel: 'email', sent: 1, dimensions: [['service', 'channel']] },
  ]);
  expect(warn.mock.calls.flat()).toStrictEqual([]);
});
