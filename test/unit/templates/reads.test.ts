import { describe, expect, it } from 'vitest';
import { templateReads } from '#shared/template-reads.ts';

const sms = (body: string) => ({ channel: 'sms' as const, body });
const readsOf = (body: string) => templateReads(sms(body)).map((r) => r.text);

describe('templateReads: the variables a render needs', () => {
  it.each([
    ['an output', '{{ trigger.properties.total }}', ['trigger.properties.total']],
    ['behind default', '{{ trigger.properties.total | default: 0 }}', []],
    ['default after another filter (liquid reads it strictly)', '{{ a.b | upcase | default: 1 }}', ['a.b']],
    ['a filter argument', '{{ "x" | append: trigger.properties.name }}', ['trigger.properties.name']],
    ['an if condition', '{% if trigger.properties.vip %}VIP{% endif %}', []],
    [
      'inside the if that tests it',
      '{% if trigger.properties.vip %}{{ trigger.properties.vip }}{% endif %}',
      [],
    ],
    ['inside an if that tests its parent', '{% if event.properties %}{{ event.properties }}{% endif %}', []],
    ['inside an if that tests something else', '{% if a %}{{ b.c }}{% endif %}', ['b.c']],
    [
      'a loop collection',
      '{% for i in trigger.properties.items %}{{ i.name }}{% endfor %}',
      ['trigger.properties.items'],
    ],
    ['a loop variable after the loop', '{% for i in (1..2) %}{{ forloop.index }}{% endfor %}{{ i }}', ['i']],
    ['an assigned name', '{% assign n = x.y %}{{ n }}', []],
    ['a captured name', '{% capture c %}hi{% endcapture %}{{ c }}', []],
    ['a computed key', '{{ a[b.c].d }}', ['b.c', 'a[b.c].d']],
    ['a case target', '{% case k %}{% when "1" %}{{ k }}{% endcase %}', []],
  ])('%s', (_name, body, expected) => {
    expect(readsOf(body)).toEqual(expected);
  });

  it('says where each read is written, by field, line and column', () => {
    const template = {
      channel: 'push' as const,
      title: 'Hi',
      body: 'Total:\n  {{ trigger.properties.cartTotal }}',
    };
    expect(templateReads(template)).toEqual([
      {
        field: 'body',
        text: 'trigger.properties.cartTotal',
        segments: ['trigger', 'properties', 'cartTotal'],
        line: 2,
        column: 6,
      },
    ]);
  });

  it('reads nothing from a field that does not parse', () => {
    expect(readsOf('{% if %}')).toEqual([]);
  });
});
