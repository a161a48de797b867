import { describe, expect, it } from 'vitest';
import { Journey } from '#shared/journey/schema.ts';
import { reportBody, reportHtml } from '#shared/stats/html.ts';
import { outcomeMetric } from '#shared/stats/keys.ts';
import { buildReport, type Counter } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';

const journey = Journey.parse({
  id: 'promo',
  name: 'Promo',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: { mode: 'once' },
  start: 'hello',
  steps: {
    hello: { type: 'email', stage: 'awareness', template: 't', next: 'ab' },
    ab: {
      type: 'split',
      stage: 'consideration',
      variants: [
        { name: 'a', weight: 50, next: 'offer' },
        { name: 'b', weight: 50, next: 'done' },
      ],
    },
    offer: { type: 'sms', template: 's', next: 'done' },
    done: { type: 'exit' },
  },
});

const c = (metric: string, count: number, more: Partial<Counter> = {}): Counter => ({
  version: '1',
  metric,
  count,
  ...more,
});

describe('buildReport', () => {
  it("says which retired versions' results expired, rather than showing their counts as none; a retired version still counted is not said to be", async () => {
    // arrange: versions 1 and 2 retired, the TTL has removed version 1's counters; version 3 is live
    const counters = [c('enrolled', 5, { version: '2' }), c('enrolled', 7, { version: '3' })];
    const retired = [
      { version: '2', expiresAt: Date.parse('2029-01-10T00:00:00Z') / 1000 },
      { version: '1', expiresAt: Date.parse('2028-12-02T00:00:00Z') / 1000 },
    ];
    // act
    const report = buildReport(journey, counters, [], undefined, retired);
    // assert
    expect(report.expired).toEqual([{ version: '1', expiredAt: '2028-12-02T00:00:00.000Z' }]);
    expect(report.enrolled).toBe(12);
    expect(reportText(report)).toContain(
      'Results of version 1 expired (kept two years and two days after a version stopped taking entries; the last on 2028-12-02): not counted below.',
    );
    expect(reportHtml(report)).toContain('Results of version 1 expired');
    expect(buildReport(journey, counters, []).expired).toEqual([]);
    expect(reportText(buildReport(journey, counters, []))).not.toContain('expired');
  });

  it('sums versions, follows assignment, and shows shares only where the counters can tell', () => {
    // arrange: two versions, 100 customers
    const counters = [
      c('enrolled', 60),
      c('enrolled', 40, { version: '2' }),
      c('sent', 90, { stepId: 'hello' }),
      c('suppressed', 10, { stepId: 'hello', reason: 'consent' }),
      c('deferred', 7, { stepId: 'hello', reason: 'quietHours' }),
      c('assigned', 52, { stepId: 'ab', variant: 'a' }),
      c('assigned', 48, { stepId: 'ab', variant: 'b' }),
      c('sent', 26, { stepId: 'offer' }),
      c('converted', 9, { stepId: 'ab', variant: 'a', sum: 90, valued: 9 }),
      c('converted', 9, { sum: 90, valued: 9 }),
      c(outcomeMetric('completed'), 91),
      c(outcomeMetric('goal'), 9, { version: '2' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert
    expect(report.versions).toEqual(['1', '2']);
    expect(report.enrolled).toBe(100);
    expect(report.stages).toEqual(['awareness', 'consideration']);
    const step = (id: string) => report.steps.find((s) => s.stepId === id);
    expect(step('hello')).toMatchObject({ reached: 100, stage: 'awareness', depth: 0 });
    expect(step('offer')).toMatchObject({ reached: 26, stage: 'consideration', depth: 2 });
    expect(step('done')?.reached).toBeUndefined();
    expect(step('hello')?.reasons).toEqual(
      expect.arrayContaining([{ metric: 'deferred', reason: 'quietHours', count: 7 }]),
    );
    const share = (from: string, to: string) =>
      report.edges.find((e) => e.from === from && e.to === to)?.share;
    // Variants are assigned on entry: how many reached the split itself the counters cannot tell.
    expect(share('hello', 'ab')).toBeUndefined();
    expect(share('ab', 'offer')).toBe(0.52);
    expect(share('offer', 'done')).toBeUndefined();
    expect(report.outcomes).toMatchObject({ completed: 91, goal: 9, failed: 0 });
    const [a, b] = report.splits[0]?.variants ?? [];
    expect(a).toMatchObject({ assigned: 52, converted: 9, money: { revenue: 90, aov: 10 } });
    expect(b).toMatchObject({ assigned: 48, converted: 0 });
    // No holdout in this split: nothing to compare against.
    expect(a?.vsHoldout).toBeUndefined();
  });

  it('counts a customer whose message failed as having reached the step, once', () => {
    // arrange: 100 entrants; the email went to 80, the provider refused 15, 5 were suppressed
    const counters = [
      c('enrolled', 100),
      c('sent', 80, { stepId: 'hello' }),
      c('failed', 15, { stepId: 'hello' }),
      c('suppressed', 5, { stepId: 'hello', reason: 'consent' }),
      c('deferred', 12, { stepId: 'hello', reason: 'quietHours' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert
    const hello = report.steps.find((s) => s.stepId === 'hello');
    expect(hello?.reached).toBe(100);
    expect(hello?.counts).toMatchObject({ sent: 80, failed: 15, suppressed: 5, deferred: 12 });
  });

  it('shows what providers reported of the messages sent, beside the customers who reached the step', () => {
    // arrange: 10 SMS sent; the carrier could not deliver 2, one customer replied STOP
    const counters = [
      c('sent', 10, { stepId: 'offer' }),
      c('delivered', 8, { stepId: 'offer' }),
      c('undelivered', 2, { stepId: 'offer' }),
      c('unsubscribed', 1, { stepId: 'offer' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert: ten customers reached it, each once; every report of the providers is shown
    expect(report.steps.find((s) => s.stepId === 'offer')).toMatchObject({
      reached: 10,
      counts: { sent: 10, delivered: 8, undelivered: 2, unsubscribed: 1 },
    });
    expect(reportText(report)).toMatch(
      /offer +sms +reached 10; sent 10, delivered 8, undelivered 2, unsubscribed 1\n/,
    );
  });

  it('shows every counter a step keeps, also those of failures on data and of push tokens', () => {
    // arrange: the split failed on data for 3 customers; the SMS step had a push-style token outcome
    const counters = [
      c('failed.ProfileValue', 3, { stepId: 'ab' }),
      c('failed.EventBus', 1, { stepId: 'ab', version: '2' }),
      c('sent', 4, { stepId: 'offer' }),
      c('pushTokenReplaced', 2, { stepId: 'offer' }),
      c('pushTokenRemoved', 1, { stepId: 'offer', reason: 'unregistered' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert: nothing the functions counted is missing from the report
    const step = (id: string) => report.steps.find((s) => s.stepId === id);
    expect(step('ab')?.counts).toEqual({ 'failed.ProfileValue': 3, 'failed.EventBus': 1 });
    expect(step('offer')?.counts).toMatchObject({ sent: 4, pushTokenReplaced: 2, pushTokenRemoved: 1 });
    expect(reportText(report)).toContain('failed: the event bus refused the event 1');
    expect(reportText(report)).toContain('failed: a profile value could not serve the step');
    expect(reportBody(report)).toContain('split · failed 4');
  });

  it('does not claim that every customer assigned a variant reached a split that comes after a branch', () => {
    // arrange: 1,000 entrants, each assigned a variant on entry; only the 80 VIPs go on to the split
    const vips = Journey.parse({
      id: 'vips',
      name: 'VIPs',
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'vip',
      steps: {
        vip: {
          type: 'branch',
          branches: [{ name: 'vip', when: { path: 'profile.traits.vip', eq: true }, next: 'ab' }],
          otherwise: 'done',
        },
        ab: {
          type: 'split',
          variants: [
            { name: 'a', weight: 50, next: 'offer' },
            { name: 'b', weight: 50, next: 'done' },
          ],
        },
        offer: { type: 'sms', template: 's', next: 'done' },
        done: { type: 'exit' },
      },
    });
    const counters = [
      c('enrolled', 1000),
      c('assigned', 500, { stepId: 'ab', variant: 'a' }),
      c('assigned', 500, { stepId: 'ab', variant: 'b' }),
      c('sent', 40, { stepId: 'offer' }),
    ];
    // act
    const report = buildReport(vips, counters, []);
    // assert: the split tells its assignments, not a reach it cannot know; its edges still show the draw
    const ab = report.steps.find((s) => s.stepId === 'ab');
    expect(ab?.reached).toBeUndefined();
    expect(ab?.counts).toEqual({ assigned: 1000 });
    const share = (from: string, to: string) =>
      report.edges.find((e) => e.from === from && e.to === to)?.share;
    expect(share('ab', 'offer')).toBe(0.5);
    expect(share('vip', 'ab')).toBeUndefined();
    expect(reportText(report)).toMatch(/ab +split +assigned 1,000\n/);
  });

  it('shows the entries kept out, by reason, in the text report and on the page alike', () => {
    // arrange: 7 triggers refused by the entry limit, 2 too old, 1 missing a value the journey reads
    const counters = [
      c('enrolled', 20),
      c('entrySkipped', 7, { reason: 'limit' }),
      c('entrySkipped', 2, { reason: 'tooOld', version: '2' }),
      c('entrySkipped', 1, { reason: 'missing' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert
    expect(report.skipped).toEqual({ limit: 7, tooOld: 2, context: 0, missing: 1, tooLarge: 0 });
    expect(reportText(report)).toContain('Entry skipped  limit 7   too old 2');
    const page = reportBody(report);
    expect(page).toMatch(/data-kpi="skipped"><b>10<\/b>/);
    expect(page).toContain('limit 7 · too old 2 · missing trigger value 1');
  });

  it('compares the variants with all the holdouts of a split together, never a holdout with another', () => {
    // arrange: a split with two holdouts (validate accepts it) of 100 customers each, and one variant of 200
    const twoHoldouts = Journey.parse({
      id: 'two-holdouts',
      name: 'Two holdouts',
      trigger: { type: 'event', event: 'Go' },
      goal: { event: 'Buy', within: 'P7D' },
      start: 'ab',
      steps: {
        ab: {
          type: 'split',
          variants: [
            { name: 'a', weight: 50, next: 'mail' },
            { name: 'h1', weight: 25, next: 'done', holdout: true },
            { name: 'h2', weight: 25, next: 'done', holdout: true },
          ],
        },
        mail: { type: 'email', template: 't', next: 'done' },
        done: { type: 'exit' },
      },
    });
    const counters = [
      c('assigned', 200, { stepId: 'ab', variant: 'a' }),
      c('converted', 40, { stepId: 'ab', variant: 'a' }),
      c('assigned', 100, { stepId: 'ab', variant: 'h1' }),
      c('converted', 5, { stepId: 'ab', variant: 'h1' }),
      c('assigned', 100, { stepId: 'ab', variant: 'h2' }),
      c('converted', 15, { stepId: 'ab', variant: 'h2' }),
    ];
    // act
    const [a, h1, h2] = buildReport(twoHoldouts, counters, []).splits[0]?.variants ?? [];
    // assert: one test, a (20%) against the holdouts' 20 of 200 (10%); no verdict on a holdout
    expect(a?.vsHoldout).toMatchObject({ difference: 0.1, lift: 1, verdict: 'better' });
    expect(a?.vsHoldout?.family).toBeUndefined();
    expect(h1?.vsHoldout).toBeUndefined();
    expect(h2?.vsHoldout).toBeUndefined();
  });

  it("says an experiment's state was not read, rather than that it is running, without the registry", () => {
    // arrange: a split with an experiment, reported from the stats table alone (--aws without --journeys-table)
    const tested = Journey.parse({
      id: 'tested',
      name: 'Tested',
      trigger: { type: 'event', event: 'Go' },
      goal: { event: 'Buy', within: 'P7D' },
      start: 'ab',
      steps: {
        ab: {
          type: 'split',
          variants: [
            { name: 'a', weight: 50, next: 'done' },
            { name: 'b', weight: 50, next: 'done' },
          ],
          experiment: { metric: 'goal', minSample: 100, until: 'P14D' },
        },
        done: { type: 'exit' },
      },
    });
    // act
    const unread = buildReport(tested, [], [], undefined);
    const read = buildReport(tested, [], [], []);
    // assert: it may have ended with a winner the report cannot see
    expect(unread.experiments[0]?.status).toBe('unknown');
    expect(reportText(unread)).toMatch(
      /Experiment on "ab" .*: not read — the journeys table holds how it stands\n/,
    );
    expect(read.experiments[0]?.status).toBe('running');
  });

  it('does not list messages deferred and sent later as not sent on the page', () => {
    // arrange: 12 sends held for quiet hours, then sent; 5 suppressed for consent
    const counters = [
      c('sent', 80, { stepId: 'hello' }),
      c('deferred', 12, { stepId: 'hello', reason: 'quietHours' }),
      c('suppressed', 5, { stepId: 'hello', reason: 'consent' }),
    ];
    // act
    const page = reportBody(buildReport(journey, counters, []));
    // assert
    expect(page).not.toContain('Not sent, and why');
    expect(page).toContain('<h2>Not sent, deferred or failed, and why</h2>');
    expect(page).toContain('hello: deferred (tried again later) — quiet hours: 12');
    expect(page).toContain('hello: not sent — no consent (opted out, unsubscribed, suppressed): 5');
  });

  it('gives no verdict for a difference that comes only from a change of weights between versions', () => {
    // arrange: a split with a holdout; no effect at all. Version 1 split 50/50 in a season when 40%
    // converted; version 2 moved to 90/10 when 10% converted. Pooled, the variant looks far worse.
    const holdout = Journey.parse({
      id: 'reweighted',
      name: 'Reweighted',
      trigger: { type: 'event', event: 'Go' },
      goal: { event: 'Buy', within: 'P7D' },
      start: 'ab',
      steps: {
        ab: {
          type: 'split',
          variants: [
            { name: 'a', weight: 90, next: 'mail' },
            { name: 'control', weight: 10, next: 'done', holdout: true },
          ],
        },
        mail: { type: 'email', template: 't', next: 'done' },
        done: { type: 'exit' },
      },
    });
    const arm = (variant: string, version: string, assigned: number, converted: number) => [
      c('assigned', assigned, { version, stepId: 'ab', variant }),
      c('converted', converted, { version, stepId: 'ab', variant }),
    ];
    const counters = [
      ...arm('a', '1', 100, 40),
      ...arm('control', '1', 100, 40),
      ...arm('a', '2', 900, 90),
      ...arm('control', '2', 100, 10),
    ];
    // act
    const [a, control] = buildReport(holdout, counters, []).splits[0]?.variants ?? [];
    // assert: the rates shown are the pooled ones (13% against 25%), the comparison is within each version
    expect(a).toMatchObject({ assigned: 1000, converted: 130 });
    expect(control).toMatchObject({ assigned: 200, converted: 50 });
    expect(a?.vsHoldout?.verdict).toBe('no clear difference');
    expect(a?.vsHoldout?.difference).toBeCloseTo(0, 10);
    expect(a?.vsHoldout?.lift).toBeCloseTo(0, 10);
    expect(a?.vsHoldout?.p).toBeCloseTo(1, 6);
    expect(a?.vsHoldout?.strata).toBe(2);
    expect(reportText(buildReport(holdout, counters, []))).toContain(
      'lift: Cochran–Mantel–Haenszel test vs holdout within each of 2 versions)',
    );
  });

  it('is empty but whole for a journey with no counters yet', () => {
    const report = buildReport(journey, [], []);
    expect(report).toMatchObject({ enrolled: 0, converted: 0, money: {}, days: [] });
    expect(report.rate).toBeUndefined();
    expect(report.splits[0]?.variants.map((v) => v.rate)).toEqual([undefined, undefined]);
  });

  it('gives no revenue or order value for a goal that measures none, rather than 0.00 per order', () => {
    // arrange: a goal without `value`, reached twice
    const noValue = Journey.parse({ ...journey, goal: { event: 'App Opened', within: 'P7D', exit: true } });
    const counters = [
      c('enrolled', 10),
      c('assigned', 5, { stepId: 'ab', variant: 'a' }),
      c('assigned', 5, { stepId: 'ab', variant: 'b' }),
      c('converted', 2),
      c('converted', 2, { stepId: 'ab', variant: 'a' }),
    ];
    // act
    const report = buildReport(noValue, counters, []);
    // assert
    expect(report.money).toStrictEqual({});
    expect(report.splits[0]?.variants[0]?.money).toStrictEqual({});
    expect(reportText(report)).toContain('revenue —   AOV —');
    expect(reportBody(report)).toContain(
      '<td class="n" data-field="revenue">—</td><td class="n">—</td><td class="n">—</td>',
    );
    // with a value to measure, no revenue is 0.00; conversions that carried none have no order value
    const withValue = Journey.parse({
      ...noValue,
      goal: { ...noValue.goal, value: 'event.properties.total' },
    });
    expect(buildReport(withValue, counters, []).money).toStrictEqual({ revenue: 0, perRecipient: 0 });
  });

  it('averages order value over the conversions that carried an amount, and says "—" when it cannot tell', () => {
    // arrange: a: 2 conversions without an amount; b: one of 100 and one without
    const valued = Journey.parse({
      ...journey,
      goal: { event: 'Bought', within: 'P7D', exit: true, value: 'event.properties.total' },
    });
    const counters = [
      c('enrolled', 10),
      c('assigned', 5, { stepId: 'ab', variant: 'a' }),
      c('assigned', 5, { stepId: 'ab', variant: 'b' }),
      c('converted', 4, { sum: 100, valued: 1 }),
      c('converted', 2, { stepId: 'ab', variant: 'a' }),
      c('converted', 2, { stepId: 'ab', variant: 'b', sum: 100, valued: 1 }),
    ];
    // act
    const report = buildReport(valued, counters, []);
    // assert: a has no order value (not 0.00); b's is 100 (not 50); the journey's 100 (not 25)
    const [a, b] = report.splits[0]?.variants ?? [];
    expect(a?.money).toStrictEqual({ revenue: 0, perRecipient: 0 });
    expect(b?.money).toStrictEqual({ revenue: 100, aov: 100, perRecipient: 20 });
    expect(report.money).toStrictEqual({ revenue: 100, aov: 100, perRecipient: 10 });
    expect(reportText(report)).toContain('revenue 100.00   AOV 100.00');
    expect(reportText(report)).toMatch(/\n {2}a {18}.* 0\.00 {8}— {5}0\.00 /);
    expect(reportBody(report)).toContain(
      '<td class="n" data-field="revenue">0.00</td><td class="n">—</td><td class="n">0.00</td>',
    );
    // a sum counted before the number of amounts was kept (one version's counters) cannot be averaged
    const before = [...counters, c('converted', 3, { stepId: 'ab', variant: 'b', version: '0', sum: 90 })];
    const old = buildReport(valued, before, []).splits[0]?.variants[1];
    expect(old?.money).toStrictEqual({ revenue: 190, perRecipient: 38 });
  });

  it('keeps every day in its place in the text per-day table and the JSON, as the chart does', () => {
    // arrange: sends on the 2nd and the 5th only, a conversion on the 7th with no send
    const days = [
      { day: '2026-03-02', metric: 'sent', channel: 'email', count: 10 },
      { day: '2026-03-05', metric: 'sent', channel: 'email', count: 4 },
      { day: '2026-03-07', metric: 'converted', count: 1 },
    ];
    // act
    const report = buildReport(journey, [c('enrolled', 10)], days);
    const text = reportText(report);
    // assert
    expect(text).toMatch(
      /\n {2}2026-03-02 +10 +0 +0 +0\n {2}2026-03-03 +0 +0 +0 +0\n {2}2026-03-04 +0 +0 +0 +0\n {2}2026-03-05 +4 +0 +0 +0\n {2}2026-03-06 +0 +0 +0 +0\n {2}2026-03-07 +0 +0 +0 +1\n/,
    );
    const json = JSON.parse(JSON.stringify(report)) as { days: { day: string }[] };
    expect(json.days.map((d) => d.day)).toStrictEqual([
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
    ]);
    expect(json.days[1]).toStrictEqual({
      day: '2026-03-03',
      sent: { email: 0, sms: 0, push: 0 },
      converted: 0,
    });
    expect(reportHtml(report)).toContain('data-day="2026-03-06"');
  });

  it('gives money to the cent in JSON, as the text prints it', () => {
    // arrange: orders of 10.10, 20.20 and 23.58, whose float sum is 53.879999999999995
    const valued = Journey.parse({
      ...journey,
      goal: { event: 'Bought', within: 'P7D', exit: true, value: 'event.properties.total' },
    });
    const revenue = 10.1 + 20.2 + 23.58;
    expect(revenue).not.toBe(53.88);
    const counters = [
      c('enrolled', 7),
      c('assigned', 7, { stepId: 'ab', variant: 'a' }),
      c('converted', 3, { sum: revenue, valued: 3 }),
      c('converted', 3, { stepId: 'ab', variant: 'a', sum: revenue, valued: 3 }),
    ];
    // act
    const report = buildReport(valued, counters, []);
    const json = JSON.stringify(report);
    // assert: 53.88 in JSON, as in the text
    expect(report.money).toStrictEqual({ revenue: 53.88, aov: 17.96, perRecipient: 7.7 });
    expect(report.splits[0]?.variants[0]?.money).toStrictEqual({
      revenue: 53.88,
      aov: 17.96,
      perRecipient: 7.7,
    });
    expect(json).toContain('"money":{"revenue":53.88,"aov":17.96,"perRecipient":7.7}');
    expect(reportText(report)).toContain('revenue 53.88   AOV 17.96');
  });

  it('gives no conversion rate to a journey without a goal, whose conversions are not measured', () => {
    // arrange: `journey` has no goal; its split has customers in both variants
    const counters = [
      c('enrolled', 40),
      c('assigned', 20, { stepId: 'ab', variant: 'a' }),
      c('assigned', 20, { stepId: 'ab', variant: 'b' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert: not "0 converted (0.0%, 95% CI 0.0%–8.8%)"
    expect(report.goal).toBe(false);
    expect(report.rate).toBeUndefined();
    expect(report.splits[0]?.variants.map((v) => v.rate)).toEqual([undefined, undefined]);
    expect(reportText(report)).toContain('Enrolled 40   no goal: conversions are not measured');
    expect(reportBody(report)).toContain('<b>—</b>converted (this journey has no goal)');
    // a goal with nobody converted yet is measured: 0.0%
    const withGoal = Journey.parse({ ...journey, goal: { event: 'Bought', within: 'P7D', exit: true } });
    expect(buildReport(withGoal, counters, []).rate?.value).toBe(0);
  });

  it('shows the messages of unknown outcome and failures where a marketer reads results', () => {
    const counters = [
      c('sent', 8, { stepId: 'hello' }),
      c('unknown', 2, { stepId: 'hello' }),
      c('failed', 1, { stepId: 'hello' }),
    ];
    const report = buildReport(journey, counters, []);
    // Eleven customers reached the step: each ended in one of the three.
    expect(report.steps.find((s) => s.stepId === 'hello')).toMatchObject({
      reached: 11,
      counts: { sent: 8, unknown: 2, failed: 1 },
    });
    expect(reportText(report)).toMatch(/hello +email +reached 11; sent 8, failed 1, unknown 2\n/);
    expect(reportBody(report)).toContain('sent 8 · suppr. 0 · unknown 2 · failed 1');
  });
  it('keeps the counts of a step, variant or split an earlier version had', () => {
    // arrange: version 1 had an email "promo-mail" (renamed "hello" since), a variant "c" and a split "old-ab"
    const counters = [
      c('enrolled', 30),
      c('sent', 12, { stepId: 'promo-mail' }),
      c('suppressed', 3, { stepId: 'promo-mail', reason: 'consent' }),
      c('converted', 4, { stepId: 'promo-mail' }),
      c('sent', 10, { stepId: 'hello', version: '2' }),
      c('assigned', 8, { stepId: 'ab', variant: 'a' }),
      c('assigned', 7, { stepId: 'ab', variant: 'c' }),
      c('converted', 2, { stepId: 'ab', variant: 'c', sum: 20, valued: 2 }),
      c('assigned', 5, { stepId: 'old-ab', variant: 'x' }),
    ];
    // act
    const report = buildReport(journey, counters, []);
    // assert: every message counted shows, and the variant table adds up to its assignments
    expect(report.steps.find((s) => s.stepId === 'promo-mail')).toMatchObject({
      type: 'removed',
      reached: 15,
      counts: { sent: 12, suppressed: 3, converted: 4 },
      reasons: [{ metric: 'suppressed', reason: 'consent', count: 3 }],
    });
    const ab = report.splits.find((s) => s.stepId === 'ab');
    expect(ab?.variants.map((v) => [v.name, v.assigned, v.converted, v.removed ?? false])).toEqual([
      ['a', 8, 0, false],
      ['b', 0, 0, false],
      ['c', 7, 2, true],
    ]);
    expect(ab?.variants.find((v) => v.name === 'c')?.vsHoldout).toBeUndefined();
    expect(report.splits.find((s) => s.stepId === 'old-ab')?.variants).toMatchObject([
      { name: 'x', assigned: 5, removed: true },
    ]);
    const text = reportText(report);
    expect(text).toContain('c (removed)');
    expect(text).toMatch(/promo-mail\s+removed\s+reached 15; sent 12/);
    expect(reportBody(report)).toContain('c <span class="tag">removed</span>');
  });

  it('shows the messages a fallback sent beside the step they stand in for', () => {
    // arrange
    const withFallback = Journey.parse({
      id: 'fb',
      name: 'Fallback',
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'text',
      steps: {
        text: {
          type: 'sms',
          template: 's',
          fallback: [{ channel: 'email', template: 't', when: 'notDelivered', within: 'PT1H' }],
          next: 'done',
        },
        done: { type: 'exit' },
      },
    });
    const counters = [
      c('enrolled', 10),
      c('sent', 10, { stepId: 'text' }),
      c('sent', 3, { stepId: 'text.fallback1' }),
      c('suppressed', 1, { stepId: 'text.fallback1', reason: 'consent' }),
    ];
    // act
    const report = buildReport(withFallback, counters, []);
    // assert
    expect(report.steps.find((s) => s.stepId === 'text.fallback1')).toMatchObject({
      type: 'email',
      label: 'text: fallback 1',
      depth: 0,
      reached: 4,
      counts: { sent: 3, suppressed: 1 },
    });
  });
});
