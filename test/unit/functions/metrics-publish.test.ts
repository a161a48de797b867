import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { observability } from '#functions/_lib/middleware.ts';
import { logger, metrics } from '#functions/_lib/observability.ts';
import { messageCounter } from '#functions/send-message/count.ts';
import { METRICS } from '#shared/metrics.ts';

const context = { functionName: 'test', awsRequestId: 'r-1' } as Context;

/** Every line the handler writes to stdout during `run`. */
async function output(run: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  await run();
  return lines.join('\n');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the metrics every function publishes', () => {
  it('are one EMF line with the dimensions of the invocation that recorded them', async () => {
    // arrange
    const handler = middy(async () => {
      metrics.addDimension('channel', 'sms');
      metrics.addMetric('MessagesSent', MetricUnit.Count, 1);
    }).use(observability());
    // act
    const printed = await output(() => handler({}, context));
    // assert
    const emf = printed.split('\n').find((l) => l.includes('"_aws"'));
    expect(emf).toBeDefined();
    expect(JSON.parse(emf ?? '{}')).toMatchObject({ MessagesSent: 1, channel: 'sms' });
  });

  it('print nothing for an invocation that recorded none, and leave it no dimension to carry over', async () => {
    // arrange
    const quiet = middy(async () => {
      metrics.addDimension('channel', 'push');
    }).use(observability());
    const next = middy(async () => {
      metrics.addMetric('Enrollments', MetricUnit.Count, 1);
    }).use(observability());
    const warn = vi.spyOn(logger, 'warn');
    // act
    const printed = await output(() => quiet({}, context));
    const warned = warn.mock.calls.flat();
    const after = await output(() => next({}, context));
    // assert
    expect(printed).toBe('');
    expect(warned).toStrictEqual([]);
    expect(JSON.parse(after.split('\n').find((l) => l.includes('"_aws"')) ?? '{}')).not.toHaveProperty(
      'channel',
    );
  });

  it("count a send's outcome by channel, the alarm's at once, with no dimension added twice", async () => {
    // arrange
    const handler = middy(async () => {
      const count = messageCounter(metrics, 'push');
      count('unknown');
      count('sent');
    }).use(observability());
    const warn = vi.spyOn(logger, 'warn');
    // act
    const printed = await output(() => handler({}, context));
    // assert
    expect(warn).not.toHaveBeenCalled();
    const emf = printed
      .split('\n')
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    expect(emf).toEqual([
      expect.objectContaining({ [METRICS.messagesUnknown]: 1, channel: 'push' }),
      expect.objectContaining({ [METRICS.messagesSent]: 1, channel: 'push' }),
    ]);
  });
});
