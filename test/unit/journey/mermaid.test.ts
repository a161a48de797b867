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
        '    s_email["Reminder #34;A#34;<br/>Email: cart<br/>(email)"]',
        '  end',
        '  subgraph stage_purchase["Purchase"]',
        '    s_ab{{"A/B split<br/>(ab)"}}',
        '  end',
        '  s_sms["SMS: cart-sms<br/>(sms)"]',
        '  s_done(("Exit<br/>(done)"))',
        '  trigger --> s_wait_1h',
        '  s_wait_1h --> s_email',
        '  s_email --> s_ab',
        '  s_ab -->|"sms 90#37;"| s_sms',
        '  s_ab -->|"control 10#37; (holdout)"| s_done',
        '  s_sms --> s_done',
        '',
      ].join('\n'),
    );
  });

  it('draws the goal and the exit events off the trigger, and each fallback with when it is sent', () => {
    // arrange
    const ends = Journey.parse({
      id: 'ends',
      name: 'Ends',
      trigger: { type: 'event', event: 'Cart Updated' },
      goal: { event: 'Order Completed', within: 'P3D', exit: false },
      exitOn: [
        { event: 'Unsubscribed' },
        { event: 'Cart Emptied', where: { path: 'event.properties.total', eq: 0 } },
      ],
      start: 'sms',
      steps: {
        sms: {
          type: 'sms',
          template: 'cart-sms',
          fallback: [
            { channel: 'email', template: 'cart-email', when: 'notDelivered', within: 'PT1H' },
            { channel: 'push', template: 'cart-push', when: 'notOpened', within: 'P1D' },
          ],
          next: 'done',
        },
        done: { type: 'exit' },
      },
    });
    // act
    const chart = toMermaid(ends);
    // assert
    expect(chart).toBe(
      [
        'flowchart TD',
        '  trigger(["When Cart Updated"])',
        '  goal[["Goal: Order Completed within 3 days<br/>converts, the journey goes on"]]',
        '  trigger -.->|"any time"| goal',
        '  exit_on[["Ends at once on:<br/>Unsubscribed<br/>Cart Emptied where event.properties.total eq 0"]]',
        '  trigger -.->|"any time"| exit_on',
        '  s_sms["SMS: cart-sms<br/>(sms)"]',
        '  s_sms_fallback1["Fallback email: cart-email"]',
        '  s_sms_fallback2["Fallback push: cart-push"]',
        '  s_done(("Exit<br/>(done)"))',
        '  trigger --> s_sms',
        '  s_sms --> s_done',
        '  s_sms -.->|"not delivered in 1 hour"| s_sms_fallback1',
        '  s_sms_fallback1 --> s_done',
        '  s_sms_fallback1 -.->|"not opened in 1 day"| s_sms_fallback2',
        '  s_sms_fallback2 --> s_done',
        '',
      ].join('\n'),
    );
  });

  it('keeps the goal, exit and fallback nodes apart from steps of the same names', () => {
    const clash = Journey.parse({
      id: 'clash',
      name: 'Clash',
      trigger: { type: 'event', event: 'Go' },
      goal: { event: 'Won' },
      exitOn: [{ event: 'Stop' }],
      start: 'goal',
      steps: {
        goal: {
          type: 'email',
          template: 't',
          fallback: [{ channel: 'sms', template: 's', when: 'notDelivered', within: 'PT1H' }],
          next: 'exit_on',
        },
        exit_on: { type: 'wait', for: 'PT1H', next: 'goal_fallback1' },
        goal_fallback1: { type: 'exit' },
      },
    });
    const chart = toMermaid(clash);
    expect(chart).toContain('  trigger --> s_goal\n');
    expect(chart).toContain('  s_goal_fallback1["Fallback SMS: s"]\n');
    expect(chart).toContain('  s_goal_fallback1_2(("Exit<br/>(goal_fallback1)"))\n');
    expect(chart).toContain('  s_goal_fallback1 --> s_exit_on\n');
    expect(chart).toContain('  s_exit_on --> s_goal_fallback1_2\n');
    expect(chart).toContain('  trigger -.->|"any time"| goal\n');
  });

  it('labels an unnamed branch with what it tests, a named one with its name', () => {
    const branched = Journey.parse({
      ...journey,
      start: 'route',
      steps: {
        route: {
          type: 'branch',
          branches: [
            { when: { path: 'trigger.properties.plan', eq: 'enterprise' }, next: 'done' },
            { name: 'big spender', when: { path: 'profile.traits.spend', gte: 1000 }, next: 'done' },
          ],
          otherwise: 'done',
        },
        done: { type: 'exit' },
      },
    });
    const chart = toMermaid(branched);
    expect(chart).toContain(
      '  s_route -->|"branch 1: trigger.properties.plan eq #34;enterprise#34;"| s_done\n',
    );
    expect(chart).toContain('  s_route -->|"big spender"| s_done\n');
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

describe('toMermaid with hostile names', () => {
  // Quotes, entities, HTML, Markdown, a directive, statement separators, line breaks, a terminal escape, a bidi override
  // (128 bytes: the most a variant name holds).
  const HOSTILE =
    'x"]; click s_a call alert(1)\n%%{init: {"securityLevel": "loose"}}%%\r<img onerror=alert(1)> #quot; `**md**` | } ] ; \u001b[31m \u2028 \u202e';
  const named = (name: string) =>
    Journey.parse({
      id: 'hostile',
      name: 'Hostile',
      trigger: { type: 'event', event: name },
      goal: { event: name, where: { path: 'event.properties.x', eq: name } },
      exitOn: [{ event: name }],
      start: 'a',
      steps: {
        a: { type: 'waitForEvent', event: name, timeout: 'P1D', onEvent: 'b', onTimeout: 'c', label: name },
        b: {
          type: 'branch',
          branches: [{ name, when: { path: 'profile.traits.x', eq: 1 }, next: 'c' }],
          otherwise: 'c',
        },
        c: {
          type: 'split',
          variants: [
            { name, weight: 50, next: 'd' },
            { name: 'b', weight: 50, next: 'd' },
          ],
        },
        d: { type: 'email', template: name, next: 'e', stage: 'purchase' },
        e: { type: 'exit', reason: name },
      },
    });
  /** What Mermaid shows for a label: entity codes decoded. */
  const shown = (chart: string) => chart.replace(/#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)));

  it('keeps each label inside its quotes, one statement a line, only plain characters and entity codes', () => {
    // act
    const chart = toMermaid(named(HOSTILE));
    // assert: the same statements as for a plain name, and nothing in a label Mermaid would read as syntax
    const lines = chart.trimEnd().split('\n');
    expect(lines).toHaveLength(toMermaid(named('plain')).trimEnd().split('\n').length);
    for (const line of lines) {
      const labels = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
      expect(line.split('"').length, line).toBeLessThanOrEqual(3);
      for (const label of labels)
        expect(label.replaceAll('<br/>', ''), line).toMatch(/^(?:[\p{L}\p{N} .,:()/'?!+=@*~$^_-]|#\d+;)*$/u);
    }
  });

  it('shows every hostile name as the text it is', () => {
    // act
    const chart = toMermaid(named(HOSTILE));
    // assert
    const text = shown(chart);
    expect(text).toContain(`["When ${HOSTILE}"]`);
    expect(text).toContain(`Wait up to 1 day for ${HOSTILE}<br/>(a)`);
    expect(text).toContain(`-->|"${HOSTILE} 50%"| s_d`);
    expect(text).toContain(`Email: ${HOSTILE}<br/>(d)`);
    expect(text).toContain(`(("Exit: ${HOSTILE}<br/>(e)"))`);
    expect(text).toContain(`goal[["Goal: ${HOSTILE} where event.properties.x eq`);
    expect(text).toContain(`exit_on[["Ends at once on:<br/>${HOSTILE}"]]`);
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
