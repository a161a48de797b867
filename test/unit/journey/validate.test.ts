import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
import type { ViolationCode } from '#shared/journey/violations.ts';
import type { TemplateCatalog } from '#shared/templates.ts';

const fixture = async (name: string): Promise<unknown> =>
  JSON.parse(
    await readFile(fileURLToPath(new URL(`../../fixtures/journeys/broken/${name}`, import.meta.url)), 'utf8'),
  );

const templates: TemplateCatalog = new Map([
  ['promo', 'email'],
  ['promo-sms', 'sms'],
]);

const planted: [file: string, expected: [path: string, code: ViolationCode][]][] = [
  [
    'graph-problems.json',
    [
      ['steps.orphan.next', 'next.dangling'],
      ['steps.orphan', 'step.unreachable'],
      ['steps.limbo', 'path.never-ends'],
      ['steps.limbo-2', 'path.never-ends'],
      ['steps.again', 'cycle.no-wait'],
      ['steps.limbo-2.template', 'template.missing'],
      ['steps.nudge.template', 'template.channel'],
      ['steps.orphan.template', 'template.channel'],
    ],
  ],
  ['start-missing.json', [['start', 'start.dangling']]],
  [
    'split-problems.json',
    [
      ['steps.ab.variants', 'split.weights'],
      ['steps.ab.variants[1].name', 'split.duplicate-variant'],
    ],
  ],
  [
    'time-problems.json',
    [
      ['settings.defaultTimezone', 'timezone.unknown'],
      ['settings.quietHours', 'quiet-hours.malformed'],
      ['settings.endAt', 'settings.dates'],
      ['steps.longer', 'wait.too-long'],
      ['steps.morning.window', 'wait.window'],
      ['trigger.where.within', 'history.window'],
    ],
  ],
  [
    'trigger-problems.json',
    [
      ['steps.wait-order.match["event.properties.cartId"]', 'trigger.field'],
      ['steps.tag.set.plan.from', 'value.source'],
      ['steps.tag.increment', 'update.overlap'],
    ],
  ],
  [
    // One broken item of a list (a branch, a cap) leaves the other items to every semantic check.
    'list-items.json',
    [
      ['settings.caps[0].max', 'schema.invalid'],
      ['settings.caps[1].within', 'duration.zero'],
      ['steps.route.branches[0].when', 'schema.invalid'],
      ['steps.route.branches[1].when.gte', 'condition.order'],
      ['steps.bad.for', 'schema.invalid'],
      ['steps.long', 'wait.too-long'],
    ],
  ],
  [
    'schema-problems.json',
    [
      ['id', 'schema.invalid'],
      ['name', 'schema.invalid'],
      ['trigger.event', 'schema.invalid'],
      ['reentry.mode', 'schema.invalid'],
      ['(journey)', 'schema.invalid'],
      ['steps.first.for', 'schema.invalid'],
      ['steps.second.type', 'schema.invalid'],
    ],
  ],
];

describe('validateJourney on journeys with planted problems', () => {
  it.each(planted)('%s: reports every planted problem with its path', async (file, expected) => {
    // arrange
    const input = await fixture(file);
    // act
    const result = validateJourney(input, { templates });
    // assert
    expect(result.ok).toBe(false);
    const found = result.ok ? [] : result.violations.map((v) => [v.path, v.code]);
    for (const pair of expected) expect(found).toContainEqual(pair);
    expect(found).toHaveLength(expected.length);
  });

  it('explains each problem in a sentence', async () => {
    const result = validateJourney(await fixture('split-problems.json'));
    expect(result.ok ? [] : result.violations.map((v) => v.message)).toEqual([
      'The variant weights add up to 90%; they must add up to 100%.',
      'Two variants are named "a": each variant needs its own name for the reports.',
    ]);
  });
});

describe('validateJourney on valid journeys', () => {
  const minimal = {
    id: 'minimal',
    name: 'Minimal',
    trigger: { type: 'event', event: 'Signed Up' },
    start: 'hello',
    steps: {
      hello: { type: 'email', template: 'promo', next: 'later' },
      later: { type: 'wait', for: 'P364D', next: 'bye' },
      bye: { type: 'exit' },
    },
  };

  it('accepts a sound journey and applies defaults', () => {
    const result = validateJourney(minimal, { templates });
    expect(result).toMatchObject({ ok: true, journey: { status: 'active', reentry: { mode: 'once' } } });
  });

  it('accepts a loop that waits', () => {
    const looping = {
      ...minimal,
      steps: {
        hello: { type: 'email', template: 'promo', next: 'later' },
        later: {
          type: 'waitForEvent',
          event: 'App Opened',
          timeout: 'P7D',
          onEvent: 'bye',
          onTimeout: 'hello',
        },
        bye: { type: 'exit' },
      },
    };
    expect(validateJourney(looping, { templates }).ok).toBe(true);
  });

  it('names a loop with no wait in the order a customer goes round it', () => {
    // arrange: hello → check → remind → hello, whose ids sort otherwise
    const looping = {
      ...minimal,
      steps: {
        hello: { type: 'email', template: 'promo', next: 'check' },
        remind: { type: 'emit', event: 'Nudged', properties: {}, next: 'hello' },
        check: {
          type: 'branch',
          branches: [{ when: { path: 'profile.traits.done', eq: true }, next: 'bye' }],
          otherwise: 'remind',
        },
        bye: { type: 'exit' },
      },
    };
    // act
    const result = validateJourney(looping, { templates });
    // assert
    const found = result.ok ? [] : result.violations.filter((v) => v.code === 'cycle.no-wait');
    expect(found.map((v) => [v.path, v.message.split(' form')[0]])).toStrictEqual([
      ['steps.check', 'Steps "check" → "remind" → "hello" → "check"'],
    ]);
  });

  it.each([
    ['a fixed instant', { until: '2026-01-01T00:00:00Z' }],
    ['a profile date', { untilDate: { path: 'profile.traits.renewal' } }],
    ['a local window alone', { window: { start: '09:00', end: '17:00' } }],
    ['a zero duration', { for: 'PT0S' }],
    ['a zero duration in a window', { for: 'PT0S', window: { start: '09:00', end: '17:00' } }],
  ])('refuses a loop whose only wait can end at once: %s', (_, wait) => {
    // arrange: a wait that is over on the second pass (the date has passed, the window is open) spins
    const looping = {
      ...minimal,
      steps: {
        hello: { type: 'email', template: 'promo', next: 'later' },
        later: { type: 'wait', ...wait, next: 'check' },
        check: {
          type: 'branch',
          branches: [{ when: { path: 'profile.traits.done', eq: true }, next: 'bye' }],
          otherwise: 'hello',
        },
        bye: { type: 'exit' },
      },
    };
    // act
    const result = validateJourney(looping, { templates });
    // assert
    expect(result.ok ? [] : result.violations.map((v) => [v.path, v.code])).toEqual([
      ['steps.check', 'cycle.no-wait'],
    ]);
  });

  it('accepts a loop whose wait always takes time', () => {
    const looping = {
      ...minimal,
      steps: {
        hello: { type: 'email', template: 'promo', next: 'later' },
        later: { type: 'wait', for: 'P1D', window: { start: '09:00', end: '17:00' }, next: 'check' },
        check: {
          type: 'branch',
          branches: [{ when: { path: 'profile.traits.done', eq: true }, next: 'bye' }],
          otherwise: 'hello',
        },
        bye: { type: 'exit' },
      },
    };
    expect(validateJourney(looping, { templates }).ok).toBe(true);
  });

  it('reads a sender and reply-to as SES will take them, and names the ones it cannot', () => {
    const withSender = (from: string, replyTo: string) => ({
      ...minimal,
      steps: { ...minimal.steps, hello: { ...minimal.steps.hello, from, replyTo } },
    });
    expect(validateJourney(withSender('Caffè Roma <news@caffè.example>', 'help@shop.example')).ok).toBe(true);
    const result = validateJourney(withSender('Shop', 'Help <ünï@shop.example>'));
    expect(result.ok ? [] : result.violations.map((v) => v.path)).toEqual([
      'steps.hello.from',
      'steps.hello.replyTo',
    ]);
  });

  it('skips template checks without a catalog', () => {
    expect(validateJourney(minimal).ok).toBe(true);
  });

  it('counts waits past one year', () => {
    const tooLong = {
      ...minimal,
      steps: { ...minimal.steps, later: { type: 'wait', for: 'P366D', next: 'bye' } },
    };
    const result = validateJourney(tooLong);
    expect(result.ok ? [] : result.violations.map((v) => v.code)).toEqual(['wait.too-long']);
  });
});

describe('requiredTriggerPaths', () => {
  it('lists the trigger fields a run cannot do without', async () => {
    const { requiredTriggerPaths } = await import('#shared/journey/requirements.ts');
    const { Journey } = await import('#shared/journey/schema.ts');
    const journey = Journey.parse({
      id: 'needs',
      name: 'Needs',
      trigger: { type: 'event', event: 'Order Completed' },
      start: 'wait',
      steps: {
        wait: {
          type: 'waitForEvent',
          event: 'Survey Answered',
          match: { 'event.properties.orderId': 'trigger.properties.orderId' },
          timeout: 'P7D',
          onEvent: 'tag',
          onTimeout: 'bye',
        },
        tag: {
          type: 'updateProfile',
          set: {
            lastOrder: { from: 'trigger.properties.orderId' },
            tier: { from: 'trigger.properties.tier' },
          },
          next: 'tell',
        },
        tell: {
          type: 'emit',
          event: 'Surveyed',
          properties: { score: { from: 'event.properties.score' } },
          next: 'bye',
        },
        bye: { type: 'exit' },
      },
    });
    expect(requiredTriggerPaths(journey)).toEqual(['trigger.properties.orderId', 'trigger.properties.tier']);
  });
});

describe('validateJourney on arbitrary input', () => {
  it('never throws, only reports', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = validateJourney(input);
        return result.ok || result.violations.length > 0;
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on journeys with arbitrary steps', () => {
    const step = fc.record(
      {
        type: fc.constantFrom('email', 'sms', 'wait', 'waitForEvent', 'branch', 'split', 'exit', 'nope'),
        next: fc.constantFrom('a', 'b', 'c', 'zz'),
        template: fc.string(),
        for: fc.constantFrom('PT1H', 'P400D', 'soon'),
        variants: fc.array(
          fc.record({
            name: fc.constantFrom('x', 'y'),
            weight: fc.integer({ min: -5, max: 120 }),
            next: fc.constantFrom('a', 'b'),
          }),
        ),
        branches: fc.array(fc.record({ when: fc.jsonValue(), next: fc.constantFrom('a', 'c') })),
        otherwise: fc.constantFrom('a', 'b', 'c'),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), step),
        fc.constantFrom('a', 'b', 'q'),
        (steps, start) => {
          const result = validateJourney({ id: 'x', name: 'x', trigger: { type: 'identify' }, start, steps });
          return result.ok || result.violations.every((v) => v.path.length > 0 && v.message.length > 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('a wait window', () => {
  const journey = (window: unknown) => ({
    id: 'late',
    name: 'Late',
    trigger: { type: 'identify' },
    start: 'late-night',
    steps: { 'late-night': { type: 'wait', window, next: 'bye' }, bye: { type: 'exit' } },
  });

  it('may wrap midnight, as quiet hours may', () => {
    expect(validateJourney(journey({ start: '22:00', end: '02:00', weekdays: ['fri'] })).ok).toBe(true);
  });

  it('must end at another time than it starts', () => {
    const result = validateJourney(journey({ start: '09:00', end: '09:00' }));
    expect(result.ok ? [] : result.violations.map((v) => v.code)).toEqual(['wait.window']);
  });
});
