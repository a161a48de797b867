import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';

const journey = (name: string, variant: string) => ({
  id: 'blank',
  name,
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: variant, weight: 50, next: 'done' },
        { name: 'b', weight: 50, next: 'done' },
      ],
    },
    done: { type: 'exit' },
  },
});

function problems(input: unknown): string[] {
  const parsed = Journey.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('names marketers read', () => {
  it.each(['', '   ', '\t\n'])('refuses a blank journey name or variant name (%j)', (blank) => {
    expect(problems(journey(blank, 'a'))).toEqual(['name: must not be blank']);
    expect(problems(journey('Welcome', blank))).toEqual(['steps.ab.variants.0.name: must not be blank']);
  });

  it('takes a name with spaces around words', () => {
    expect(problems(journey(' Welcome ', ' a '))).toEqual([]);
  });

  it.each([
    ['', 'must not be blank'],
    [' ', 'must not be blank'],
    ['n'.repeat(256), 'must be at most 255 bytes in UTF-8'],
    ['界'.repeat(86), 'must be at most 255 bytes in UTF-8'],
    // 200 code points (what a length check counts), 400 UTF-16 units, 800 bytes
    ['😀'.repeat(200), 'must be at most 255 bytes in UTF-8'],
  ])('refuses a topic customers could not opt out of (%j)', (topic, message) => {
    expect(problems({ ...journey('Welcome', 'a'), settings: { topic } })).toEqual([
      `settings.topic: ${message}`,
    ]);
    expect(problems({ ...journey('Welcome', 'a'), settings: { topic: 'n'.repeat(255) } })).toEqual([]);
  });
});

describe('event names a journey reads', () => {
  it('are refused past the 200 bytes in UTF-8 that customer events may have', () => {
    const named = (event: string) => ({
      ...journey('Welcome', 'a'),
      trigger: { type: 'event', event },
      goal: { event },
      steps: {
        ab: { type: 'waitForEvent', event, timeout: 'P1D', onEvent: 'done', onTimeout: 'done' },
        done: { type: 'exit' },
      },
    });
    expect(problems(named(`${'界'.repeat(66)}ab`))).toEqual([]);
    const message = "must be at most 200 bytes in UTF-8, the longest event name customers' events may have";
    expect(problems(named('界'.repeat(67)))).toEqual([
      `trigger.event: ${message}`,
      `goal.event: ${message}`,
      `steps.ab.event: ${message}`,
    ]);
  });
});
