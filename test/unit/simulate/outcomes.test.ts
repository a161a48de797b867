import { describe, expect, it } from 'vitest';
import { MessageOutcomes } from '#infra/simulate/scenario/outcomes.ts';
import { Scenario } from '#infra/simulate/scenario/spec.ts';

const DAY = 86_400_000;
const SENT = Date.parse('2026-03-02T09:00:00Z');
const base = { customers: { timezones: { UTC: 1 } }, entry: { event: 'Signed Up' } };

function messagesOf(messages: unknown) {
  return Scenario.parse({ ...base, messages }).messages;
}

/** Emails to n recipients at the same moment, each outcome counted. */
function tally(outcomes: MessageOutcomes, n: number) {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++)
    for (const { outcome } of outcomes.email(`c-${i}@example.com`, SENT, SENT + 5_000))
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return counts;
}

describe('what becomes of the messages a forecast sends', () => {
  it('delivers every email and SMS, and nobody opens, when the scenario says nothing', () => {
    // arrange
    const outcomes = new MessageOutcomes(1, messagesOf(undefined));
    // act
    const emails = Array.from({ length: 500 }, (_, i) =>
      outcomes.email(`c-${i}@example.com`, SENT, SENT + 5_000),
    );
    const texts = Array.from({ length: 500 }, (_, i) => outcomes.sms(`+3933300000${i}`, SENT));
    // assert
    expect(new Set(emails.map((e) => JSON.stringify(e)))).toEqual(
      new Set([JSON.stringify([{ outcome: 'delivered', at: SENT + 5_000 }])]),
    );
    expect(new Set(texts)).toEqual(new Set(['delivered']));
  });

  it('draws each outcome in about its share, a click always after an open, each within its window', () => {
    // arrange
    const spec = messagesOf({
      email: {
        bounced: 0.1,
        opened: { share: 0.4, within: 'P1D' },
        clicked: { share: 0.1, within: 'PT6H' },
        complained: { share: 0.05, within: 'P2D' },
      },
      sms: { undelivered: 0.2 },
    });
    const outcomes = new MessageOutcomes(7, spec);
    const n = 20_000;
    // act
    const counts = tally(outcomes, n);
    const undelivered = Array.from({ length: n }, (_, i) => outcomes.sms(`+39333${i}`, SENT)).filter(
      (o) => o === 'undelivered',
    ).length;
    const one = Array.from({ length: n }, (_, i) => outcomes.email(`d-${i}@example.com`, SENT, SENT + 5_000));
    // assert: shares of all emails (bounces) and of delivered ones (the rest)
    const bounced = counts.get('bounced') ?? 0;
    const delivered = counts.get('delivered') ?? 0;
    expect(bounced + delivered).toBe(n);
    expect(bounced / n).toBeCloseTo(0.1, 1);
    expect((counts.get('opened') ?? 0) / delivered).toBeCloseTo(0.4, 1);
    expect((counts.get('clicked') ?? 0) / delivered).toBeCloseTo(0.1, 1);
    expect((counts.get('complained') ?? 0) / delivered).toBeCloseTo(0.05, 1);
    expect(undelivered / n).toBeCloseTo(0.2, 1);
    for (const events of one) {
      const at = new Map(events.map((e) => [e.outcome, e.at]));
      const clicked = at.get('clicked');
      const opened = at.get('opened');
      if (clicked !== undefined) {
        expect(opened).toBeDefined();
        expect(opened ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(clicked);
        expect(clicked).toBeLessThanOrEqual(SENT + 5_000 + DAY / 4);
      }
      if (opened !== undefined) expect(opened).toBeLessThanOrEqual(SENT + 5_000 + DAY);
      expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
      if (at.has('bounced')) expect(events).toHaveLength(1);
    }
  });

  it('gives a message the same outcome in any run, and a second message at the same moment its own', () => {
    // arrange
    const spec = messagesOf({ email: { opened: { share: 0.5, within: 'P1D' } } });
    const first = new MessageOutcomes(3, spec);
    const again = new MessageOutcomes(3, spec);
    // act: 200 recipients, each sent two emails at once, in both runs
    const draw = (o: MessageOutcomes) =>
      Array.from({ length: 200 }, (_, i) => [
        o.email(`c-${i}@example.com`, SENT, SENT + 5_000),
        o.email(`c-${i}@example.com`, SENT, SENT + 5_000),
      ]);
    const a = draw(first);
    const b = draw(again);
    // assert: repeatable, and the second email is not a copy of the first
    expect(b).toEqual(a);
    expect(a.filter(([x, y]) => JSON.stringify(x) !== JSON.stringify(y)).length).toBeGreaterThan(50);
  });

  it('refuses clicks without opens, or more clicks than opens, naming the field', () => {
    // act
    const none = Scenario.safeParse({
      ...base,
      messages: { email: { clicked: { share: 0.1, within: 'P1D' } } },
    });
    const more = Scenario.safeParse({
      ...base,
      messages: { email: { opened: { share: 0.1, within: 'P1D' }, clicked: { share: 0.2, within: 'P1D' } } },
    });
    // assert
    for (const result of [none, more]) {
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['messages.email.clicked.share']);
    }
  });
});
