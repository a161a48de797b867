import { describe, expect, it } from 'vitest';
import { parseAliasEvent, parseCustomerEvent } from '#shared/events.ts';

/**
 * An id sent as a JSON number past 2^53 has already lost its last digits
 * when ingest reads it (9007199254740993 arrives as …992): two customers, or
 * two events, would share one id. The problem says so and how to send it.
 */

const PAST_SAFE = 2 ** 53 + 2;
const track = {
  type: 'track',
  event: 'Order Placed',
  userId: 'ana',
  messageId: 'm-1',
  timestamp: '2026-03-02T09:00:00Z',
};

const problemsOf = (result: { ok: true } | { ok: false; problems: { field: string; message: string }[] }) =>
  result.ok ? [] : result.problems;

describe('parseCustomerEvent: integer ids past 2^53', () => {
  it.each(['userId', 'anonymousId', 'messageId'])('names %s, why and how to send it', (field) => {
    // act
    const problems = problemsOf(parseCustomerEvent({ ...track, [field]: PAST_SAFE }));
    // assert
    expect(problems).toEqual([
      {
        field,
        message: expect.stringMatching(/integer past 9007199254740991.*digits are lost.*send it as a string/),
      },
    ]);
  });

  it('names the previousId of an alias the same way', () => {
    // act
    const problems = problemsOf(
      parseAliasEvent({
        type: 'alias',
        userId: 'ana',
        previousId: -PAST_SAFE,
        messageId: 'a-1',
        timestamp: track.timestamp,
      }),
    );
    // assert
    expect(problems).toEqual([
      { field: 'previousId', message: expect.stringMatching(/integer past .*send it as a string/) },
    ]);
  });

  it('still reads an integer id within 2^53 as its string', () => {
    // act
    const result = parseCustomerEvent({ ...track, userId: 2 ** 53 - 1, messageId: 7 });
    // assert
    expect(result.ok && [result.event.userId, result.event.messageId]).toEqual(['9007199254740991', '7']);
  });
});
