import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
import type { Template } from '#shared/templates.ts';

// arrange: one email step sending `mail`, whose text is the template under test
function journey(overrides: Record<string, unknown> = {}, steps?: Record<string, unknown>) {
  return {
    id: 'cart',
    name: 'Cart',
    trigger: {
      type: 'event',
      event: 'Cart Updated',
      where: {
        all: [
          { path: 'event.properties.total', gte: 20 },
          { path: 'event.properties.cartId', exists: true },
          { path: 'event.properties.coupon', ne: 'none' },
        ],
      },
    },
    start: 'mail',
    steps: steps ?? { mail: { type: 'email', template: 'mail', next: 'done' }, done: { type: 'exit' } },
    ...overrides,
  };
}

function check(text: string, input: Record<string, unknown> = journey()) {
  const mail: Template = { channel: 'email', subject: 'Your cart', html: '<p>cart</p>', text };
  const bodies = new Map<string, Template>([['mail', mail]]);
  const result = validateJourney(input, { templates: new Map([['mail', 'email']]), templateBodies: bodies });
  return { errors: result.ok ? [] : result.violations, warnings: result.warnings };
}

describe('template variables against the journey that sends them', () => {
  it.each([
    ['a property the filter requires', '{{ trigger.properties.total }} {{ trigger.properties.cartId }}'],
    ['a property behind default', '{{ trigger.properties.cartTotal | default: 0 }}'],
    [
      'a property inside an if on it',
      '{% if trigger.properties.note %}{{ trigger.properties.note }}{% endif %}',
    ],
    ['the profile (traits are the customer’s own)', '{{ profile.traits.firstName }} {{ profile.email }}'],
    ['journey.id and the unsubscribe link', '{{ journey.id }} {{ unsubscribeUrl }}'],
    ['the trigger’s own fields', '{{ trigger.event }} {{ trigger.timestamp }}'],
  ])('accepts %s', (_name, text) => {
    expect(check(text)).toEqual({ errors: [], warnings: [] });
  });

  it('warns about a trigger property the filter does not require, naming the template, variable and place', () => {
    const { errors, warnings } = check(
      'Total: {{ trigger.properties.cartTotal }}\n{{ trigger.properties.cartTotal }}',
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      {
        path: 'steps.mail.template',
        code: 'template.variable',
        message: expect.stringMatching(
          /^Template "mail" reads \{\{ trigger\.properties\.cartTotal \}\} \(text, line 1, column 11 and 1 more place\), but a "Cart Updated" event that enters this journey may lack it .* Did you mean trigger\.properties\.total\?$/,
        ),
      },
    ]);
  });

  it('names a list a loop reads as the loop tag, and suggests an if around the loop, which default cannot be', () => {
    // act
    const { warnings } = check('{% for item in trigger.properties.items %}{{ item.name }}{% endfor %}');
    // assert
    expect(warnings.map((w) => w.message)).toEqual([
      'Template "mail" reads {% for … in trigger.properties.items %} (text, line 1, column 16), but a "Cart Updated" event that enters this journey may lack it (neither trigger.where nor the audience requires it): when it is missing the message is not sent and counts as failed; require it in trigger.where ("exists": true) or write {% if trigger.properties.items %} around the loop.',
    ]);
  });

  it('does not count a "ne" comparison as requiring the property', () => {
    expect(check('{{ trigger.properties.coupon }}').warnings).toHaveLength(1);
  });

  it('counts a property the audience requires of the trigger event', () => {
    const input = journey({ audience: { path: 'event.properties.plan', in: ['pro', 'team'] } });
    expect(check('{{ trigger.properties.plan }}', input)).toEqual({ errors: [], warnings: [] });
  });

  it('counts a property the journey copies by JSONPath as required (ingest skips triggers without it)', () => {
    const input = journey({ context: { note: { type: 'string', from: 'trigger.properties.note' } } });
    expect(check('{{ trigger.properties.note }}', input)).toEqual({ errors: [], warnings: [] });
  });

  it.each([
    [
      'a trigger field the event lacks',
      '{{ trigger.traits.plan }}',
      /the trigger is a "Cart Updated" event, which has no "traits"/,
    ],
    ['a name no message has', '{{ cart.total }}', /no message has a variable "cart"/],
    ['journey.name', '{{ journey.name }}', /a message knows journey\.id only/],
    ['an undeclared context variable', '{{ context.orderId }}', /declares no context variables/],
    [
      'the awaited event before any wait',
      '{{ event.properties.total }}',
      /can be reached without an awaited event/,
    ],
  ])('refuses %s: every send would fail', (_name, text, message) => {
    const { errors } = check(text);
    expect(errors).toEqual([
      { path: 'steps.mail.template', code: 'template.variable', message: expect.stringMatching(message) },
    ]);
  });

  it('suggests the declared context variable a template misspells', () => {
    const input = journey({ context: { orderId: { type: 'string' } } });
    expect(check('{{ context.orderID }}', input).errors[0]?.message).toMatch(
      /Did you mean context\.orderId\?$/,
    );
  });

  it('accepts event.* where every path comes through a waitForEvent, and refuses it in a fallback', () => {
    const steps = {
      wait: {
        type: 'waitForEvent',
        event: 'Order Completed',
        timeout: 'P1D',
        onEvent: 'mail',
        onTimeout: 'done',
      },
      mail: {
        type: 'email',
        template: 'mail',
        fallback: [{ channel: 'email', template: 'mail', when: 'notDelivered', within: 'PT1H' }],
        next: 'done',
      },
      done: { type: 'exit' },
    };
    const { errors } = check('{{ event.properties.total }}', journey({ start: 'wait' }, steps));
    expect(errors.map((e) => e.path)).toEqual(['steps.mail.fallback[0].template']);
  });

  it('reads only trigger.type and trigger.timestamp in a journey that a segment starts', () => {
    const input = journey({
      trigger: {
        type: 'segment',
        segment: { path: 'profile.traits.plan', eq: 'pro' },
        schedule: 'rate(1 day)',
      },
    });
    const { errors } = check('{{ trigger.timestamp }} {{ trigger.properties.total }}', input);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/scheduled segment entry, which has no event/),
    ]);
  });

  it('checks nothing without the templates’ content', () => {
    const result = validateJourney(journey(), { templates: new Map([['mail', 'email']]) });
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });
});
