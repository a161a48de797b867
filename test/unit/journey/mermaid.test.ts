import { describe, expect, it } from 'vitest';
import { humanDuration, toMermaid } from '#shared/journey/mermaid.ts';
import { Journey } from '#shared/journey/schema.ts';

const journey = Journey.parse({
  id: 'demo',
  name: 'Demo',
  trigger: { type: 'event', event: 'Cart Updated' },
  start: 'wait-1h',
  steps: {
    'wait-1h': { type: 'wait', for: 'PT1H', next: 'email', stage: 'consideration' },
    email: { type: 'email', template: 'cart', next: 'ab', stage: 'consideration', label: 'Reminder "A"' },
    ab: {
      type: 'split',
      stage: 'purchase',
      variants: [
        { name: 'sms', weight: 90, next: 'sms' },
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ],
    },
    sms: { type: 'sms', template: 'cart-sms', next: 'done' },
    done: { type: 'exit' },
  },
});

describe('toMermaid', () => {
  it('draws every step, stage, wait and weight', () => {
    expect(toMermaid(journey)).toBe(
      [
        'flowchart TD',
        '  trigger(["When Cart Updated"])',
        '  subgraph stage_consideration["Consideration"]',
        '    s_wait_1h[/"Wait 1 hour<br/>(wait-1h)"/]',
        '    s_email["Reminder #quot;A#quot;<br/>Email: cart<br/>(email)"]',
        '  end',
        '  subgraph stage_purchase["Purchase"]',
        '    s_ab{{"A/B split<br/>(ab)"}}',
        '  end',
        '  s_sms["SMS: cart-sms<br/>(sms)"]',
        '  s_done(("Exit<br/>(done)"))',
        '  trigger --> s_wait_1h',
        '  s_wait_1h --> s_email',
        '  s_email --> s_ab',
        '  s_ab -->|"sms 90%"| s_sms',
        '  s_ab -->|"control 10% (holdout)"| s_done',
        '  s_sms --> s_done',
        '',
      ].join('\n'),
    );
  });

  it('keeps node ids unique when step ids sanitise alike', () => {
    const twins = Journey.parse({
      ...journey,
      start: 'a-b',
      steps: { 'a-b': { type: 'wait', for: 'PT1H', next: 'a_b' }, a_b: { type: 'exit' } },
    });
    expect(toMermaid(twins)).toContain('s_a_b --> s_a_b_2');
  });
});

describe('humanDuration', () => {
  it.each([
    ['PT1H', '1 hour'],
    ['P3D', '3 days'],
    ['-P3D', '3 days'],
    ['P1DT12H', '1 day 12 hours'],
  ])('%s → %s', (iso, text) => {
    expect(humanDuration(iso)).toBe(text);
  });
});
