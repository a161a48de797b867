import { describe, expect, it } from 'vitest';
import { parseCustomerEvent } from '#shared/events.ts';
import { MAX_NAME_BYTES, splitTraits, traitProblem } from '#shared/ingest/limits.ts';
import { storedValueSize } from '#shared/ingest/stored-size.ts';
import { Journey } from '#shared/journey/schema.ts';
import { consentChanges } from '#shared/profile/consent-traits.ts';

/**
 * Names that become part of the profile item's attribute names are limited
 * in UTF-8 bytes, as DynamoDB counts the item: ASCII names keep the limits
 * they had in characters, names in other scripts take fewer characters.
 */

const track = (event: string) => ({
  type: 'track',
  userId: 'u-1',
  event,
  properties: {},
  timestamp: '2026-11-24T10:00:00Z',
  messageId: 'm-1',
});

describe('names in UTF-8 bytes', () => {
  it('take 255 ASCII characters, 85 Chinese or 63 emoji as a trait name, and no more', () => {
    for (const name of ['a'.repeat(255), '界'.repeat(85), `${'😀'.repeat(63)}abc`])
      expect(traitProblem(name, 1)).toBeUndefined();
    for (const name of ['a'.repeat(256), '界'.repeat(86), '😀'.repeat(64)])
      expect(traitProblem(name, 1)).toBe(`a trait name is limited to ${MAX_NAME_BYTES} bytes in UTF-8`);
  });

  it('leave out a trait over the limit with its reason, the rest kept', () => {
    const { kept, dropped } = splitTraits({ plan: 'pro', ['界'.repeat(86)]: 1 });
    expect(kept).toEqual([['plan', 'pro']]);
    expect(dropped[0]?.reason).toMatch(/255 bytes in UTF-8/);
  });

  it('take an event name of 200 bytes and reject the event past them', () => {
    expect(parseCustomerEvent(track('a'.repeat(200))).ok).toBe(true);
    expect(parseCustomerEvent(track(`${'界'.repeat(66)}ab`)).ok).toBe(true);
    expect(parseCustomerEvent(track('界'.repeat(67)))).toEqual({
      ok: false,
      problems: [{ field: 'event', message: 'must be at most 200 bytes in UTF-8' }],
    });
  });

  it('leave out a topic name over 255 bytes and report it, the other topics applied', () => {
    const changes = consentChanges({
      consent: { topics: { news: false, ['界'.repeat(86)]: false, ['t'.repeat(255)]: false } },
    });
    expect(changes.topics.map((t) => t.topic)).toEqual(['news', 't'.repeat(255)]);
    expect(changes.problems[0]?.reason).toMatch(/a topic name is limited to 255 bytes in UTF-8/);
  });
});

describe('names past their limit in UTF-16 units but not in code points', () => {
  // A length check counts code points: 100 emoji are 100 code points, 200 UTF-16 units and 400 bytes.
  it('refuse a split variant name of 100 emoji (400 bytes) past the 128 a stats key holds', () => {
    const journey = (name: string) => ({
      id: 'j',
      name: 'J',
      trigger: { type: 'event', event: 'E' },
      start: 'ab',
      steps: {
        ab: {
          type: 'split',
          variants: [
            { name, weight: 50, next: 'done' },
            { name: 'b', weight: 50, next: 'done' },
          ],
        },
        done: { type: 'exit' },
      },
    });
    expect(Journey.safeParse(journey('😀'.repeat(32))).success).toBe(true);
    const refused = Journey.safeParse(journey('😀'.repeat(100)));
    expect(refused.error?.issues.map((i) => i.message)).toEqual(['must be at most 128 bytes in UTF-8']);
  });
});

describe('trait values as DynamoDB stores them', () => {
  it('refuse a value of 1 KB as JSON that takes more stored', () => {
    const zeros = Array.from({ length: 500 }, () => 0);
    expect(JSON.stringify(zeros).length).toBeLessThanOrEqual(1024);
    expect(storedValueSize(zeros)).toBe(1503);
    expect(traitProblem('scores', zeros)).toMatch(/1503 bytes as DynamoDB stores it/);
    expect(traitProblem('scores', zeros.slice(0, 300))).toBeUndefined();
  });
});
