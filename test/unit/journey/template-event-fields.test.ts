import { describe, expect, it } from 'vitest';
import { validateJourney } from '#shared/journey/validate.ts';
import type { Template } from '#shared/templates.ts';

// arrange: a cart journey that emails `mail` once the order arrived
const journey = {
  id: 'cart',
  name: 'Cart',
  trigger: { type: 'event', event: 'Cart Updated' },
  start: 'wait-order',
  steps: {
    'wait-order': {
      type: 'waitForEvent',
      event: 'Order Completed',
      timeout: 'P1D',
      onEvent: 'mail',
      onTimeout: 'done',
    },
    mail: { type: 'email', template: 'mail', next: 'done' },
    done: { type: 'exit' },
  },
};

function problems(text: string) {
  const mail: Template = { channel: 'email', subject: 'Your order', html: '<p>order</p>', text };
  const result = validateJourney(journey, {
    templates: new Map([['mail', 'email']]),
    templateBodies: new Map([['mail', mail]]),
  });
  return result.ok ? [] : result.violations.map((v) => `${v.path}: ${v.message}`);
}

describe('a template reading a field the awaited event cannot have', () => {
  it('refuses it, since strict rendering would fail every send, and names the field meant', () => {
    const found = problems('Order {{ event.orderId }} of {{ event.properties.total }}');
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      'steps.mail.template: Template "mail" reads {{ event.orderId }} (text, line 1',
    );
    expect(found[0]).toContain('the awaited event has no "orderId" (its data is event.properties.*)');
    expect(found[0]).toContain('Did you mean event.properties.orderId?');
  });

  it.each([
    '{{ event.properties.orderId }}',
    '{{ event.event }} at {{ event.timestamp }}',
    '{{ event.context.locale | default: "en" }}',
  ])('takes %s', (text) => {
    expect(problems(text)).toEqual([]);
  });
});
