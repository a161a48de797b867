import { describe, expect, it } from 'vitest';
import { tryItYourself } from '#infra/local/demo/demo.ts';

/** The commands the demo ends with are copied into a shell as printed. */
describe('the demo’s “Try it yourself” commands', () => {
  const text = tryItYourself(
    { eventbridge: 'http://127.0.0.1:4010', sesViewer: 'http://127.0.0.1:8005/' },
    '/d/.journeys',
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
});
