import { describe, expect, it } from 'vitest';
import { forecastPage } from '#infra/simulate/cli/html.ts';
import { forecastText } from '#infra/simulate/cli/text.ts';
import { forecastOf } from '#infra/simulate/run/forecast.ts';
import { Journey } from '#shared/journey/schema.ts';
import { totals } from '../../support/simulate-totals.ts';

/**
 * The provider outcomes that split a channel's messages between them (delivered or bounced,
 * delivered or undelivered) are printed, on the page as in the text, as shares adding up to
 * 100%: 1 in 80 and 79 in 80 rounded each alone read 1.3% + 98.8% = 100.1%.
 */

const journey = Journey.parse({
  id: 'welcome',
  name: 'Welcome',
  trigger: { type: 'event', event: 'Signed Up' },
  start: 'done',
  steps: { done: { type: 'exit' } },
});

const run = totals({
  sent: [
    ['email', 80],
    ['sms', 80],
  ],
  feedback: [
    ['email delivered', 79],
    ['email bounced', 1],
    ['email opened', 50],
    ['email clicked', 30],
    ['sms delivered', 1],
    ['sms undelivered', 79],
  ],
});

/** The share printed for each outcome in the page's table. */
function pageShares(page: string): Map<string, string> {
  const rows = [
    ...page.matchAll(
      /<tr><td>((?:email|sms) [a-z]+)<\/td><td class="n">[\d,]+<\/td><td class="n">([^<]*)<\/td><\/tr>/g,
    ),
  ];
  return new Map(rows.map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** The share printed for each outcome in the text's table. */
function textShares(text: string): Map<string, string> {
  const rows = [...text.matchAll(/^\s*((?:email|sms) [a-z]+)\s+[\d,]+\s+(\S+%)\s*$/gm)];
  return new Map(rows.map((m) => [m[1] ?? '', m[2] ?? '']));
}

const sum = (shares: Map<string, string>, labels: string[]) =>
  Math.round(labels.reduce((total, l) => total + Number.parseFloat(shares.get(l) ?? 'NaN'), 0) * 10) / 10;

describe('simulate feedback shares', () => {
  const forecast = forecastOf(run, journey);
  const surfaces = { page: pageShares(forecastPage(forecast)), text: textShares(forecastText(forecast)) };

  it.each(Object.entries(surfaces))(
    'the %s prints the outcomes that split a channel adding up to 100%%',
    (_, shares) => {
      // assert: both wholes add up, and each printed share is within rounding of the exact one
      expect(sum(shares, ['email delivered', 'email bounced'])).toBe(100);
      expect(sum(shares, ['sms delivered', 'sms undelivered'])).toBe(100);
      for (const [label, count] of [
        ['email delivered', 79],
        ['email bounced', 1],
        ['sms delivered', 1],
        ['sms undelivered', 79],
      ] as const)
        expect(
          Math.abs(Number.parseFloat(shares.get(label) ?? 'NaN') - (count / 80) * 100),
        ).toBeLessThanOrEqual(0.1);
    },
  );

  it.each(Object.entries(surfaces))('the %s prints opened and clicked each as its own share', (_, shares) => {
    // assert: 50 and 30 of 80 emails, counted among the delivered, not parts of that whole
    expect(shares.get('email opened')).toBe('62.5%');
    expect(shares.get('email clicked')).toBe('37.5%');
  });
});
