import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { dayChart, reportBody, reportHtml } from '#shared/stats/html.ts';
import { buildReport, type Counter, type DayResult } from '#shared/stats/report.ts';

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

const FSI = '\u2068';
const PDI = '\u2069';

function namesJourney(names: { split: string; variants: [string, string]; label: string }) {
  return Journey.parse({
    id: 'names',
    name: 'Names',
    trigger: { type: 'event', event: 'Signed Up' },
    start: 'ab',
    steps: {
      ab: {
        type: 'split',
        label: names.label,
        variants: [
          { name: names.variants[0], weight: 30, next: 'mail' },
          { name: names.variants[1], weight: 70, next: 'done' },
        ],
      },
      mail: { type: 'email', label: names.split, template: 't', next: 'done' },
      done: { type: 'exit' },
    },
  });
}

const assigned = (variant: string, count: number): Counter => ({
  version: '1',
  metric: 'assigned',
  stepId: 'ab',
  variant,
  count,
});

/** The text of each map edge label from the split (its lines joined by a newline), by target step. */
function edgeLabels(page: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of page.matchAll(/<g class="edge" data-from="ab" data-to="([^"]*)"[^>]*>([\s\S]*?)<\/g>/g)) {
    const texts = [...(m[2] as string).matchAll(/<(text|tspan)[^>]*>([^<]*)/g)]
      .map((t) => t[2])
      .filter(Boolean);
    out.set(m[1] as string, texts.join('\n'));
  }
  return out;
}

describe('the journey map', () => {
  it('keeps a right-to-left name apart from the weight and share beside it', () => {
    // arrange: an Arabic variant name (its numbers would otherwise be read right to left with it)
    const journey = namesJourney({ split: 'Mail', variants: ['عرض', 'צפייה \u202e'], label: 'AB' });
    const report = buildReport(journey, [assigned('عرض', 30), assigned('צפייה \u202e', 70)], []);

    // act
    const labels = edgeLabels(reportBody(report));

    // assert: each name is isolated; the numbers are outside the isolate
    expect(labels.get('mail')).toContain(`${FSI}عرض${PDI}`);
    expect(labels.get('mail')).toMatch(/30%.*→ 30%/s);
    expect(labels.get('mail')?.split(PDI)[1]).toContain('30%');
    // an override character inside a name ends with its isolate
    expect(labels.get('done')).toContain(`${FSI}צפייה \u202e${PDI}`);
  });

  it('shortens a long label to its box and keeps the whole of it as the tooltip', () => {
    const long = 'Subject line test for the spring welcome campaign, second round';
    const journey = namesJourney({ split: long, variants: ['a'.repeat(60), 'b'], label: 'AB' });
    const page = reportBody(buildReport(journey, [assigned('a'.repeat(60), 3), assigned('b', 7)], []));

    const stepText = /<g class="step" data-step="mail"[^>]*>[\s\S]*?<text class="step-id"[^>]*>([^<]*)/.exec(
      page,
    )?.[1];
    expect(stepText).toMatch(/…/);
    expect([...(stepText ?? '')].length).toBeLessThanOrEqual(24);
    expect(page).toContain(`<title>${long}</title>`);
    const edge = edgeLabels(page).get('mail') ?? '';
    expect(edge.split('\n').every((line) => [...line].length <= 24)).toBe(true);
    expect(page).toContain(`<title>${'a'.repeat(60)} 30%`);
  });
});

describe('the journey map of a loop', () => {
  it('says a step counts each pass, so 4 customers sent a weekly tip 4 times read as 16', () => {
    // arrange: a weekly tip, four customers, four passes each
    const journey = Journey.parse({
      id: 'weekly',
      name: 'Weekly',
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'tip',
      steps: {
        tip: { type: 'email', template: 't', next: 'week' },
        week: { type: 'wait', for: 'P7D', next: 'enough' },
        enough: {
          type: 'branch',
          branches: [{ when: { path: 'profile.traits.tips', gte: 4 }, next: 'done' }],
          otherwise: 'tip',
        },
        done: { type: 'exit' },
      },
    });
    const counters: Counter[] = [
      { version: '1', metric: 'enrolled', count: 4 },
      { version: '1', metric: 'sent', stepId: 'tip', count: 16 },
    ];
    // act
    const page = reportBody(buildReport(journey, counters, []));
    // assert: the figure is the passes, and the page says so
    expect(page).toContain('data-step="tip" data-reached="16"');
    expect(page).toContain(
      'how many times enrollments reached it (a customer going round a loop counts at each pass)',
    );
  });
});

describe('the journey map of a long journey', () => {
  it('scrolls in its own frame, so forty steps in a row do not widen the whole page', () => {
    // arrange: forty steps one after another, a map far wider than any screen
    const steps: Record<string, unknown> = {};
    for (let i = 0; i < 39; i++) steps[`s${i}`] = { type: 'wait', for: 'P1D', next: `s${i + 1}` };
    steps.s39 = { type: 'exit' };
    const journey = Journey.parse({
      id: 'forty',
      name: 'Forty',
      trigger: { type: 'event', event: 'Go' },
      start: 's0',
      steps,
    });
    // act
    const page = reportHtml(buildReport(journey, [], []));
    // assert
    const width = Number(/<svg class="map"[^>]* width="(\d+)"/.exec(page)?.[1]);
    expect(width).toBeGreaterThan(5000);
    expect(page).toMatch(/<div class="map-frame"><svg class="map"/);
    expect(page).toContain('.map-frame{overflow-x:auto;max-width:100%}');
  });
});
