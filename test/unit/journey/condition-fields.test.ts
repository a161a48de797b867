import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';

/** A cart journey: waits for the order, then branches; `patch` replaces its parts. */
function journey(patch: Record<string, unknown> = {}) {
  return {
    id: 'condition-fields',
    name: 'Condition fields',
    trigger: { type: 'event', event: 'Cart Updated' },
    start: 'wait-order',
    steps: {
      'wait-order': {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'P1D',
        onEvent: 'route',
        onTimeout: 'done',
      },
      route: {
        type: 'branch',
        branches: [{ when: { path: 'event.properties.total', gte: 20 }, next: 'done' }],
        otherwise: 'done',
      },
      done: { type: 'exit' },
    },
    ...patch,
  };
}

const withRoute = (path: string) =>
  journey({
    steps: {
      ...journey().steps,
      route: { type: 'branch', branches: [{ when: { path, eq: 'pro' }, next: 'done' }], otherwise: 'done' },
    },
  });

/** The `condition.field` problems of a journey, as [path, message]. */
function fieldProblems(input: unknown): [string, string][] {
  const result = validateJourney(input);
  return result.ok
    ? []
    : result.violations.filter((v) => v.code === 'condition.field').map((v) => [v.path, v.message]);
}

describe('a condition on a field the event or the profile cannot have', () => {
  it.each([
    [
      'the trigger event read without properties',
      journey({ trigger: { type: 'event', event: 'Cart Updated', where: { path: 'event.total', gte: 20 } } }),
      'trigger.where.path',
      'The trigger event "Cart Updated" has no "total", so "event.total" never has a value: its data is event.properties.*',
    ],
    [
      'an identify call read as a track event, in the audience',
      journey({ trigger: { type: 'identify' }, audience: { path: 'event.properties.plan', eq: 'pro' } }),
      'audience.path',
      'The trigger, an identify call, has no "properties"',
    ],
    [
      'a trait read without traits',
      journey({ audience: { path: 'profile.plan', eq: 'pro' } }),
      'audience.path',
      'A profile has no "plan", so "profile.plan" never has a value: traits are profile.traits.* (profile.traits.plan)',
    ],
    [
      'the goal event read without properties',
      journey({ goal: { event: 'Order Completed', where: { path: 'event.orderId', exists: true } } }),
      'goal.where.path',
      'The goal event has no "orderId"',
    ],
    [
      'an exit event read without properties',
      journey({ exitOn: [{ event: 'Cart Emptied', where: { path: 'event.cartId', exists: true } }] }),
      'exitOn[0].where.path',
      'The exit event has no "cartId"',
    ],
    [
      'a segment, which has no event',
      journey({
        trigger: {
          type: 'segment',
          schedule: 'rate(1 day)',
          segment: { path: 'event.properties.plan', eq: 'pro' },
        },
      }),
      'trigger.segment.path',
      'This journey starts from a scheduled segment, with no event: "event.properties.plan" never has a value here.',
    ],
    [
      'a branch no awaited event reaches',
      journey({
        start: 'route',
        steps: {
          ...journey().steps,
          'wait-order': { ...journey().steps['wait-order'], onEvent: 'done' },
          route: { ...journey().steps.route, otherwise: 'wait-order' },
        },
      }),
      'steps.route.branches[0].when.path',
      "No waitForEvent's onEvent leads to this step",
    ],
  ])('refuses %s, naming the path and what to read', (_, input, path, message) => {
    const found = fieldProblems(input);
    expect(found.map(([at]) => at)).toEqual([path]);
    expect(found[0]?.[1]).toContain(message);
  });

  it.each([
    'event.properties.plan',
    'event.timestamp',
    'event.context.locale',
    'profile.traits.plan',
    'profile.email',
    'profile.consent.email.status',
    'profile.events.App Opened.last',
    'profile.timezone',
    'trigger.properties.plan',
  ])('takes %s in a branch after an awaited event', (path) => {
    expect(fieldProblems(withRoute(path))).toEqual([]);
  });

  it('takes event.traits in an identify trigger and the event of a branch some path reaches with one', () => {
    const input = journey({
      trigger: { type: 'identify', where: { path: 'event.traits.plan', exists: true } },
      start: 'route',
      steps: { ...journey().steps, route: { ...journey().steps.route, otherwise: 'wait-order' } },
    });
    // The branch is first reached without an event, then again after the order arrived.
    expect(fieldProblems(input)).toEqual([]);
  });
});

describe('a comparison with text that reads as a path', () => {
  it('warns that the text is compared as written, and points a waitForEvent to match', () => {
    const input = journey({
      steps: {
        ...journey().steps,
        'wait-order': {
          ...journey().steps['wait-order'],
          where: { path: 'event.properties.cartId', eq: 'trigger.properties.cartId' },
        },
      },
    });
    const result = validateJourney(input);
    expect(result.ok).toBe(true);
    const found = result.warnings.filter((w) => w.code === 'condition.literal');
    expect(found.map((w) => w.path)).toEqual(['steps.wait-order.where.eq']);
    expect(found[0]?.message).toContain(
      '"match": { "event.properties.cartId": "trigger.properties.cartId" }',
    );
  });

  it('warns for each such value of a list, and not for plain values or durations', () => {
    const input = journey({
      audience: {
        all: [
          { path: 'profile.traits.plan', in: ['pro', 'profile.traits.oldPlan'] },
          { path: 'profile.traits.lastSeen', olderThan: 'P7D' },
          { path: 'profile.traits.site', startsWith: 'www.example.com' },
        ],
      },
    });
    const found = validateJourney(input).warnings.filter((w) => w.code === 'condition.literal');
    expect(found.map((w) => w.path)).toEqual(['audience.all[0].in']);
    expect(found[0]?.message).toContain('never with another path');
  });
});

describe('a value read from a field the event, the trigger or the profile cannot have', () => {
  /** The cart journey with `steps` after the order arrived (`route` is replaced). */
  const answered = (steps: Record<string, unknown>, patch: Record<string, unknown> = {}) =>
    journey({ steps: { ...journey().steps, ...steps }, ...patch });
  const problems = (input: unknown, code: string): string[] => {
    const result = validateJourney(input, {
      connections: new Map([['crm', 'https://crm.example.com']]),
    });
    return result.ok ? [] : result.violations.filter((v) => v.code === code).map((v) => v.path);
  };

  it.each([
    [
      'a correlation key',
      journey({ trigger: { type: 'event', event: 'Cart Updated', correlationKey: 'event.cartId' } }),
      'trigger.correlationKey',
    ],
    ['a goal value', journey({ goal: { event: 'Order Completed', value: 'event.total' } }), 'goal.value'],
    [
      "a match's awaited side",
      answered({
        'wait-order': {
          ...journey().steps['wait-order'],
          match: { 'event.cartId': 'trigger.properties.cartId' },
        },
      }),
      'steps.wait-order.match["event.cartId"]',
    ],
    [
      'an emit copy (the awaited event would never answer the wait)',
      answered({
        route: {
          type: 'emit',
          event: 'Ordered',
          properties: { order: { from: 'event.orderId' } },
          next: 'done',
        },
      }),
      'steps.route.properties.order.from',
    ],
    [
      'a profile update copy',
      answered({
        route: { type: 'updateProfile', set: { lastOrder: { from: 'event.orderId' } }, next: 'done' },
      }),
      'steps.route.set.lastOrder.from',
    ],
    [
      'a context copy',
      answered(
        { route: { type: 'updateContext', set: { order: { from: 'event.orderId' } }, next: 'done' } },
        { context: { order: { type: 'string' } } },
      ),
      'steps.route.set.order.from',
    ],
    [
      'a webhook body copy',
      answered({
        route: {
          type: 'webhook',
          connection: 'crm',
          url: 'https://crm.example.com/orders',
          body: { order: { from: 'event.orderId' } },
          next: 'done',
        },
      }),
      'steps.route.body.order.from',
    ],
    [
      "an untilDate on the profile's top level",
      answered({ route: { type: 'wait', untilDate: { path: 'profile.renewalDate' }, next: 'done' } }),
      'steps.route.untilDate.path',
    ],
  ])('refuses %s', (_, input, path) => {
    expect(problems(input, 'condition.field')).toEqual([path]);
  });

  it.each([
    [
      'a webhook body copy, which no trigger would have: no one would enter',
      answered({
        route: {
          type: 'webhook',
          connection: 'crm',
          url: 'https://crm.example.com/orders',
          body: { order: { from: 'trigger.orderId' } },
          next: 'done',
        },
      }),
      'steps.route.body.order.from',
    ],
    [
      'an untilDate',
      answered({ route: { type: 'wait', untilDate: { path: 'trigger.renewalDate' }, next: 'done' } }),
      'steps.route.untilDate.path',
    ],
  ])('refuses a trigger field the trigger lacks in %s', (_, input, path) => {
    expect(problems(input, 'trigger.field')).toEqual([path]);
  });

  it('takes the same reads written with properties and traits', () => {
    const input = answered(
      {
        'wait-order': {
          ...journey().steps['wait-order'],
          match: { 'event.properties.cartId': 'trigger.properties.cartId' },
        },
        route: {
          type: 'emit',
          event: 'Ordered',
          properties: { order: { from: 'event.properties.orderId' } },
          next: 'renew',
        },
        renew: { type: 'wait', untilDate: { path: 'profile.traits.renewalDate' }, next: 'done' },
      },
      {
        trigger: { type: 'event', event: 'Cart Updated', correlationKey: 'event.properties.cartId' },
        goal: { event: 'Order Completed', value: 'event.properties.total' },
      },
    );
    expect(validateJourney(input)).toMatchObject({ ok: true });
  });
});

describe("a condition on a part of the profile's history or consent that is not kept", () => {
  it.each([
    ['profile.events.App Opened.lastSeen', 'The history of an event keeps count, first, last and days'],
    ['profile.consent.whatsapp.status', 'Consent is kept per channel (email, sms and push), not "whatsapp"'],
    ['profile.consent.email.subscribed', "A channel's consent keeps status, topics, reason and updatedAt"],
  ])('refuses %s', (path, message) => {
    const found = fieldProblems(journey({ audience: { path, exists: true } }));
    expect(found.map(([at]) => at)).toEqual(['audience.path']);
    expect(found[0]?.[1]).toContain(message);
  });

  it.each([
    'profile.events.App Opened.last',
    'profile.events.App Opened.count',
    'profile.events.App Opened',
    'profile.consent.sms.status',
    'profile.consent.email.topics.newsletter',
    'profile.consent.push',
  ])('takes %s', (path) => {
    expect(fieldProblems(journey({ audience: { path, exists: true } }))).toEqual([]);
  });
});

describe('a value sent or set that reads as a path', () => {
  it('warns that it goes as that text, and shows the copy meant', () => {
    const input = journey({
      steps: {
        ...journey().steps,
        route: {
          type: 'emit',
          event: 'Ordered',
          properties: {
            order: 'trigger.properties.orderId',
            channel: 'web',
            total: { from: 'event.properties.total' },
          },
          next: 'save',
        },
        save: {
          type: 'updateProfile',
          set: { lastOrder: 'event.properties.orderId', tier: 'gold' },
          next: 'done',
        },
      },
    });
    const result = validateJourney(input);
    expect(result.ok).toBe(true);
    const found = result.warnings.filter((w) => w.code === 'condition.literal');
    expect(found.map((w) => w.path)).toEqual(['steps.route.properties.order', 'steps.save.set.lastOrder']);
    expect(found[0]?.message).toContain('write { "from": "trigger.properties.orderId" }');
  });
});
