import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { observability } from '#functions/_lib/middleware.ts';
import { logger } from '#functions/_lib/observability.ts';
import {
  DeliveryFailedError,
  OptedOutError,
  ProfileValueError,
  RecipientRefusedError,
  TemplateFailedError,
  ThrottledError,
} from '#shared/errors.ts';

const context = { functionName: 'test', awsRequestId: 'r-1' } as Context;

/** The JSON log lines a failing handler writes, at the given level. */
async function logged(error: Error, level: 'INFO' | 'WARN'): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const method of ['log', 'info', 'warn', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
  const before = logger.getLevelName();
  const handler = middy(async () => {
    // Set in the invocation: the logger's middleware starts each at the configured level.
    logger.setLogLevel(level);
    throw error;
  }).use(observability());
  await expect(handler({}, context)).rejects.toThrow(error.message);
  logger.setLogLevel(before);
  // Log lines only: metrics other tests of this worker recorded may be published as EMF lines.
  return lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => 'level' in l);
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * A step that fails on the customer's data (a missing date, a trait that is
 * not a number) is routed by the journey's failure policy and counted in the
 * report: `journeys test` and `npm start` (handlers at WARN) print no error
 * with a stack for it, between the lines of their report.
 */
describe('a task failure in the logs', () => {
  it('on the customer data is information, not an error', async () => {
    const error = new ProfileValueError('profile.traits.renewsAt is missing');
    expect(await logged(error, 'WARN')).toStrictEqual([]);
    const info = await logged(error, 'INFO');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ level: 'INFO', errorName: 'Journeys.ProfileValue' });
    expect(JSON.stringify(info[0])).not.toContain('stack');
  });

  it('rendering a message with a variable the customer lacks is information, not an error', async () => {
    const error = new TemplateFailedError(
      'template trial-ending@5fbe: subject: {{ profile.traits.trialEndsAt }} has no value and no default',
    );
    expect(await logged(error, 'WARN')).toStrictEqual([]);
    const info = await logged(error, 'INFO');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ level: 'INFO', errorName: 'Journeys.TemplateFailed' });
    expect(JSON.stringify(info[0])).not.toContain('stack');
  });

  it('that Step Functions retries is a warning, without its stack', async () => {
    const [line] = await logged(new ThrottledError('Rate exceeded'), 'WARN');
    expect(line).toMatchObject({ level: 'WARN', errorName: 'Journeys.Throttled', reason: 'Rate exceeded' });
    expect(JSON.stringify(line)).not.toContain('stack');
  });

  it('a message the provider refused for its recipient is information, not an error', async () => {
    // A dead push token, a number that replied STOP, an address no mail server takes: counted as failed.
    for (const error of [
      new RecipientRefusedError('Pinpoint PERMANENT_FAILURE: Unregistered'),
      new OptedOutError('Pinpoint OPT_OUT: the number replied STOP'),
    ]) {
      expect(await logged(error, 'WARN')).toStrictEqual([]);
      const [line] = await logged(error, 'INFO');
      expect(line).toMatchObject({ level: 'INFO', errorName: 'Journeys.DeliveryFailed' });
      expect(JSON.stringify(line)).not.toContain('stack');
    }
  });

  it('a send the provider refused for the account (suspended, sender not verified) is an error', async () => {
    const [line] = await logged(new DeliveryFailedError('SES: AccountSuspendedException'), 'WARN');
    expect(line).toMatchObject({ level: 'ERROR', errorName: 'Journeys.DeliveryFailed' });
  });

  it('of any other kind is an error with its stack', async () => {
    const [line] = await logged(new TypeError('x is not a function'), 'WARN');
    expect(line).toMatchObject({ level: 'ERROR', errorName: 'TypeError' });
    expect(JSON.stringify(line)).toContain('stack');
  });
});
