import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { validateJourney } from '#shared/journey/validate.ts';

const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(await readFile(new URL(`../../fixtures/journeys/broken/${name}`, import.meta.url), 'utf8'));

describe('validation reports every problem at once', () => {
  it('shows the form of an event matcher when an event name is written alone', () => {
    // arrange: the names as the README's prose lists them
    const journey = {
      id: 'names-alone',
      name: 'Names alone',
      trigger: { type: 'event', event: 'Go' },
      goal: 'Order Completed',
      exitOn: ['Unsubscribed'],
      start: 'done',
      steps: { done: { type: 'exit' } },
    };
    // act
    const result = validateJourney(journey);
    // assert
    expect(result.ok ? [] : result.violations.map((v) => `${v.path} | ${v.message}`)).toStrictEqual([
      'goal | must be an object, got the string "Order Completed": write { "event": "Order Completed" }',
      'exitOn[0] | must be an object, got the string "Unsubscribed": write { "event": "Unsubscribed" }',
    ]);
  });

  it('names an operator a condition does not have, with the one meant and the list', () => {
    // arrange: operators as other tools spell them
    const journey = {
      id: 'operators',
      name: 'Operators',
      trigger: { type: 'event', event: 'Go', where: { path: 'event.properties.total', greaterThan: 5 } },
      audience: { all: [{ path: 'profile.traits.plan', equals: 'pro' }] },
      start: 'done',
      steps: { done: { type: 'exit' } },
    };
    // act
    const result = validateJourney(journey);
    // assert
    const operators =
      'eq, ne, gt, gte, lt, lte, in, contains, startsWith, exists, within, olderThan, withinNext';
    expect(result.ok ? [] : result.violations.map((v) => `${v.path} | ${v.message}`)).toStrictEqual([
      `trigger.where | is not a valid condition: "greaterThan" is not an operator (did you mean "gt"?); the operators are ${operators}`,
      `audience.all[0] | is not a valid condition: "equals" is not an operator (did you mean "eq"?); the operators are ${operators}`,
    ]);
  });

  it('says a missing field of a few allowed values is required, and lists them', () => {
    // arrange: a fallback written without its channel
    const journey = {
      id: 'no-channel',
      name: 'No channel',
      trigger: { type: 'event', event: 'Go' },
      start: 'text',
      steps: {
        text: {
          type: 'sms',
          template: 'promo-sms',
          fallback: [{ template: 'promo', when: 'notDelivered', within: 'PT1H' }],
          next: 'done',
        },
        done: { type: 'exit' },
      },
    };
    // act
    const result = validateJourney(journey);
    // assert
    expect(result.ok ? [] : result.violations.map((v) => `${v.path} | ${v.message}`)).toStrictEqual([
      'steps.text.fallback[0].channel | is required: one of "email", "sms", "push"',
    ]);
  });

  it('runs the semantic checks on every part that parses, next to the schema errors', async () => {
    // act
    const result = validateJourney(await fixture('everything-at-once.json'));
    // assert
    if (result.ok) throw new Error('expected violations');
    const found = result.violations.map((v) => `${v.path} | ${v.code} | ${v.message}`);
    expect(found).toStrictEqual(
      expect.arrayContaining([
        'name | schema.invalid | must be a string, got the number 42',
        'goal.exit | schema.invalid | must be a boolean, got the string "yes"',
        'settings.caps[0].max | schema.invalid | must be a number, got the string "three"',
        'settings.quietHours.end | schema.invalid | must be a 24-hour local time HH:mm, such as 08:00 or 21:30',
        'steps.evening.onFailure | schema.invalid | must be one of "continue", "exit", got the string "sometimes"',
      ]),
    );
    const codes = result.violations.map((v) => `${v.path} ${v.code}`);
    expect(codes).toStrictEqual(
      expect.arrayContaining([
        'settings.defaultTimezone timezone.unknown',
        'steps.long-wait wait.too-long',
        'steps.evening.window wait.window',
        'steps.order.timeout duration.zero',
        'goal.within duration.zero',
        'trigger.where.gte condition.order',
        'steps.order.where.lt condition.order',
      ]),
    );
    // "always" is an accepted short form, not a problem
    expect(codes.some((c) => c.startsWith('reentry'))).toBe(false);
  });

  it('says a number written as text should be a number', () => {
    const journey = {
      id: 'text-number',
      name: 'Text number',
      trigger: { type: 'event', event: 'Cart Updated', where: { path: 'event.properties.total', gte: '20' } },
      start: 'done',
      steps: { done: { type: 'exit' } },
    };
    const result = validateJourney(journey);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.violations[0]?.message).toContain('write the number 20 without quotes');
  });

  it('refuses a holdout that leads to a message, even a few steps on', () => {
    // arrange: the control group would get the email after a wait
    const journey = {
      id: 'holdout-mail',
      name: 'Holdout mail',
      trigger: { type: 'event', event: 'A' },
      start: 'ab',
      steps: {
        ab: {
          type: 'split',
          variants: [
            { name: 'mail', weight: 90, next: 'email' },
            { name: 'control', weight: 10, next: 'later', holdout: true },
          ],
        },
        later: { type: 'wait', for: 'P1D', next: 'email' },
        email: { type: 'email', template: 'promo', next: 'done' },
        done: { type: 'exit' },
      },
    };
    // act
    const result = validateJourney(journey);
    // assert
    if (result.ok) throw new Error('expected violations');
    expect(result.violations.map((v) => `${v.path} | ${v.code}`)).toEqual([
      'steps.ab.variants[1].next | split.holdout-messaged',
    ]);
    expect(result.violations[0]?.message).toContain('"email"');
  });

  it('lets a holdout loop back to its own split, which keeps it in the holdout, and no further', () => {
    // arrange: a weekly loop through a split whose holdout goes round without a message,
    // and a copy whose loop comes back before the split, to a step that messages everyone
    const loop = (back: string) => ({
      id: 'weekly',
      name: 'Weekly',
      trigger: { type: 'event', event: 'A' },
      goal: { event: 'B', within: 'P60D' },
      start: 'intro',
      steps: {
        intro: { type: 'email', template: 'intro', next: 'pick' },
        pick: {
          type: 'split',
          variants: [
            { name: 'mail', weight: 90, next: 'tip' },
            { name: 'control', weight: 10, next: 'week', holdout: true },
          ],
        },
        tip: { type: 'email', template: 'tip', next: 'week' },
        week: { type: 'wait', for: 'P7D', next: 'enough' },
        enough: {
          type: 'branch',
          branches: [{ when: { path: 'profile.traits.plan', eq: 'pro' }, next: 'done' }],
          otherwise: back,
        },
        done: { type: 'exit' },
      },
    });
    // act
    const ownSplit = validateJourney(loop('pick'));
    const beforeIt = validateJourney(loop('intro'));
    // assert: the bucket is drawn once per enrollment, so only the loop past the split messages the holdout
    expect(ownSplit.ok ? [] : ownSplit.violations.map((v) => v.code)).toStrictEqual([]);
    expect(beforeIt.ok ? [] : beforeIt.violations.map((v) => `${v.path} | ${v.message}`)).toStrictEqual([
      'steps.pick.variants[1].next | The holdout "control" leads to the email step "intro": a holdout is the control group and must not be messaged; send it to a path without messages (an exit).',
    ]);
  });

  it('says a split weight must be a whole number', () => {
    // arrange: a three-way split written with thirds
    const variants = ['a', 'b', 'c'].map((name) => ({ name, weight: 33.3, next: 'done' }));
    const journey = {
      id: 'thirds',
      name: 'Thirds',
      trigger: { type: 'event', event: 'A' },
      start: 'ab',
      steps: { ab: { type: 'split', variants }, done: { type: 'exit' } },
    };
    // act
    const result = validateJourney(journey);
    // assert
    if (result.ok) throw new Error('expected violations');
    expect(result.violations.map((v) => `${v.path} | ${v.message}`)).toContain(
      'steps.ab.variants[0].weight | must be a whole number, got the number 33.3',
    );
  });

  it.each([
    ['a negative timeout', '-PT1H', 'must not be negative'],
    ['a zero timeout', 'P0D', 'no time at all'],
  ])('flags %s', (_what, timeout, message) => {
    const journey = {
      id: 'timeouts',
      name: 'Timeouts',
      trigger: { type: 'event', event: 'A' },
      start: 'w',
      steps: {
        w: {
          type: 'waitForEvent',
          event: 'B',
          timeout,
          onEvent: 'done',
          onTimeout: 'done',
        },
        done: { type: 'exit' },
      },
    };
    const result = validateJourney(journey);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.violations.map((v) => v.message).join('\n')).toContain(message);
  });

  it('accepts an ISO date in an order comparison', () => {
    const journey = {
      id: 'dates',
      name: 'Dates',
      trigger: { type: 'event', event: 'A', where: { path: 'event.properties.at', gte: '2026-12-01' } },
      start: 'done',
      steps: { done: { type: 'exit' } },
    };
    expect(validateJourney(journey).ok).toBe(true);
  });

  it.each([
    ['always', { mode: 'always' }],
    ['once', { mode: 'once' }],
    [
      { mode: 'after', cooldown: 'P7D' },
      { mode: 'after', cooldown: 'P7D' },
    ],
  ])('reentry %j means %j', (reentry, mode) => {
    const parsed = Journey.parse({
      id: 'r',
      name: 'R',
      trigger: { type: 'event', event: 'A' },
      reentry,
      start: 'done',
      steps: { done: { type: 'exit' } },
    });
    expect(parsed.reentry).toStrictEqual(mode);
  });
});
