import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
import { expectGoldenAsl } from '../../support/golden-asl.ts';

/** The webhook step: golden ASL, asl-validator, and validation with paths. */

const FIXTURE = new URL('../../fixtures/asl/steps/webhook.json', import.meta.url);

const JOURNEY = {
  id: 'loyalty',
  name: 'Loyalty coupon',
  trigger: { type: 'event', event: 'Order Completed' },
  context: {
    orderId: { type: 'string', from: 'trigger.properties.orderId' },
    coupon: { type: 'string', maxLength: 32 },
    points: { type: 'number' },
  },
  start: 'crm',
  steps: {
    crm: {
      type: 'webhook',
      connection: 'crm',
      url: 'https://crm.example.com/v1/loyalty',
      headers: { 'x-source': 'journeys' },
      query: { order: { from: 'context.orderId' } },
      body: {
        order: { from: 'context.orderId' },
        total: { from: 'trigger.properties.total' },
        kind: 'order',
      },
      response: { coupon: 'body.coupon.code', points: 'body.points' },
      onError: 'done',
      next: 'thanks',
    },
    thanks: { type: 'email', template: 'thanks', next: 'done' },
    done: { type: 'exit' },
  },
};

const CONNECTIONS = new Map([['crm', 'https://crm.example.com/v1']]);

function withStep(changes: Record<string, unknown>) {
  return { ...JOURNEY, steps: { ...JOURNEY.steps, crm: { ...JOURNEY.steps.crm, ...changes } } };
}

describe('webhook step', () => {
  it('compiles to its golden ASL, which asl-validator accepts', () => {
    // act, assert
    expectGoldenAsl(JOURNEY, FIXTURE, { connections: CONNECTIONS });
  });

  it.each([
    {
      name: 'an unknown connection',
      journey: withStep({ connection: 'billing' }),
      path: 'steps.crm.connection',
      code: 'webhook.connection',
    },
    {
      name: 'a URL outside the base',
      journey: withStep({ url: 'https://crm.example.com/v10/loyalty' }),
      path: 'steps.crm.url',
      code: 'webhook.url',
    },
    {
      name: 'a URL on another host',
      journey: withStep({ url: 'https://crm.example.com.evil.test/v1/loyalty' }),
      path: 'steps.crm.url',
      code: 'webhook.url',
    },
    {
      name: 'a response mapped to an undeclared variable',
      journey: withStep({ response: { tier: 'body.tier' } }),
      path: 'steps.crm.response.tier',
      code: 'context.undeclared',
    },
    {
      name: 'a body value from the profile',
      journey: withStep({ body: { email: { from: 'profile.traits.email' } } }),
      path: 'steps.crm.body.email.from',
      code: 'value.source',
    },
    {
      name: 'a query value from an undeclared variable',
      journey: withStep({ query: { q: { from: 'context.nope' } } }),
      path: 'steps.crm.query.q.from',
      code: 'context.undeclared',
    },
    {
      name: 'a header value that would end its line',
      journey: withStep({ headers: { 'x-source': 'journeys\r\nx-admin: 1' } }),
      path: 'steps.crm.headers.x-source',
      code: undefined,
    },
    {
      name: 'a header value with a NUL',
      journey: withStep({ headers: { 'x-source': 'jour\u0000neys' } }),
      path: 'steps.crm.headers.x-source',
      code: undefined,
    },
    {
      name: 'an unknown onError step',
      journey: withStep({ onError: 'nowhere' }),
      path: 'steps.crm.onError',
      code: undefined,
    },
  ])('reports $name with its path', ({ journey, path, code }) => {
    // act
    const result = validateJourney(journey, { connections: CONNECTIONS });
    // assert
    expect(result.ok).toBe(false);
    const found = result.ok ? [] : result.violations.filter((v) => v.path === path);
    expect(found.length).toBeGreaterThan(0);
    if (code !== undefined) expect(found.map((v) => v.code)).toContain(code);
  });

  it('skips connection checks when the connections are not known', () => {
    // act
    const result = validateJourney(withStep({ connection: 'billing' }));
    // assert
    expect(result.ok).toBe(true);
  });

  it('refuses a timeout over the HTTP Task limit', () => {
    // act
    const result = validateJourney(withStep({ timeoutSeconds: 61 }));
    // assert
    expect(result.ok ? [] : result.violations.map((v) => v.path)).toContain('steps.crm.timeoutSeconds');
  });
});
