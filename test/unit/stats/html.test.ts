import { describe, expect, it } from 'vitest';
import { dayChart } from '#shared/stats/html.ts';
import type { DayResult } from '#shared/stats/report.ts';

const day = (d: string, email: number): DayResult => ({
  day: d,
  sent: { email, sms: 0, push: 0 },
  converted: 0,
});

/** The x position of each day's bar, by day. */
function barX(svg: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of svg.matchAll(
    /<g class="day" data-day="([^"]+)"[^>]*><(?:rect class="slot"|text) x="([\d.]+)"/g,
  )) {
    out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

describe('dayChart', () => {
  it('keeps the calendar on its axis: a week without messages is a gap, not the next bar', () => {
    // arrange: a weekly digest sends on Mondays only
    const days = [day('2026-03-02', 50), day('2026-03-09', 50), day('2026-03-16', 50)];

    // act
    const x = barX(dayChart(days));

    // assert: each day between has its (empty) place, so the Mondays are 7 places apart
    expect([...x.keys()]).toHaveLength(15);
    const step = (x.get('2026-03-03') as number) - (x.get('2026-03-02') as number);
    expect((x.get('2026-03-09') as number) - (x.get('2026-03-02') as number)).toBeCloseTo(7 * step);
    expect((x.get('2026-03-16') as number) - (x.get('2026-03-09') as number)).toBeCloseTo(7 * step);
    expect(dayChart(days)).toMatch(/data-day="2026-03-05" data-sent="0"/);
  });

  it('fills the days across a month and a year end', () => {
    const x = barX(dayChart([day('2026-12-30', 1), day('2027-01-02', 1)]));
    expect([...x.keys()]).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });

  it('keeps a long run of days within a page width', () => {
    // a journey counted over two years
    const svg = dayChart([day('2025-01-01', 3), day('2026-12-31', 4)]);
    const width = Number(/<svg class="chart"[^>]* width="([\d.]+)"/.exec(svg)?.[1]);
    expect(barX(svg).size).toBe(730);
    expect(width).toBeLessThanOrEqual(1400);
  });
});
