import { describe, expect, it } from 'vitest';
import { tryItYourself } from '#infra/local/demo/demo.ts';
import { parseCustomerEvent } from '#shared/events.ts';

/** The commands the demo ends with are copied into a shell as printed. */
describe('the demo’s “Try it yourself” commands', () => {
  const text = tryItYourself(
    { eventbridge: 'http://127.0.0.1:4010', sesViewer: 'http://127.0.0.1:8005/' },
    '/d/.journeys',
    new Date('2026-03-09T07:00:00Z'),
  );
  const aws = text.split('\n').find((line) => line.includes('aws events put-events')) ?? '';

  it('gives the AWS CLI a Region and credentials, which a machine with no AWS configuration lacks', () => {
    // act: the AWS CLI refuses to run with no Region ("You must specify a region") or no credentials
    const words = aws.trim().split(/\s+/);

    // assert
    expect(words.slice(0, 2)).toEqual(['AWS_ACCESS_KEY_ID=local', 'AWS_SECRET_ACCESS_KEY=local']);
    expect(words).toContain('--region');
    expect(words[words.indexOf('--region') + 1]).toBe('us-east-1');
    expect(words).toContain('http://127.0.0.1:4010');
  });

  it('puts an event ingest accepts: with its messageId and a timestamp of journey time', () => {
    // arrange: the entries as the shell hands them to the AWS CLI (inside single quotes)
    const entries = JSON.parse(/--entries '(.*)'$/.exec(aws)?.[1] ?? '[]') as { Detail: string }[];

    // act
    const parsed = parseCustomerEvent(JSON.parse(entries[0]?.Detail ?? '{}'));

    // assert
    expect(parsed.ok ? [] : parsed.problems).toEqual([]);
    expect(parsed.ok && parsed.event.timestamp).toBe('2026-03-09T07:00:00.000Z');
  });
});
