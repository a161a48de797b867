import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { outcomeMetric } from '#shared/stats/keys.ts';
import { chromiumMissing, launchChromium } from '../../support/chromium.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { runCli } from './run-cli.ts';

/**
 * `journeys report` against counters in dynalite, for the cart-abandonment
 * example: 600 customers, a 3-way split with a holdout, where SMS converts
 * far better than the holdout. Numbers are checked against values computed
 * here by hand from the seeded counts.
 */

const JOURNEY = 'cart-abandonment';
const SPLIT = 'channel-test';
const VARIANTS = [
  { name: 'sms', assigned: 272, converted: 91, revenue: 4550 },
  { name: 'push', assigned: 270, converted: 36, revenue: 1800 },
  { name: 'control', assigned: 58, converted: 6, revenue: 240 },
];

let db: LocalDynamo;
let dir: string;

async function seed(stats: StatsRepository) {
  const base = { journeyId: JOURNEY, version: '2' };
  await stats.increment({ ...base, metric: 'enrolled' }, 600);
  for (const v of VARIANTS) {
    await stats.increment({ ...base, stepId: SPLIT, variant: v.name, metric: 'assigned' }, v.assigned);
    await stats.increment(
      { ...base, stepId: SPLIT, variant: v.name, metric: 'converted' },
      v.converted,
      v.revenue,
    );
  }
  const converted = VARIANTS.reduce((n, v) => n + v.converted, 0);
  const revenue = VARIANTS.reduce((n, v) => n + v.revenue, 0);
  await stats.increment({ ...base, metric: 'converted' }, converted, revenue);
  await stats.increment({ ...base, stepId: 'reminder-email', metric: 'sent' }, 570);
  await stats.increment({ ...base, stepId: 'reminder-email', metric: 'suppressed', reason: 'consent' }, 30);
  await stats.increment({ ...base, stepId: 'wait-order', metric: 'eventReceived' }, 0);
  await stats.increment({ ...base, stepId: 'cart-sms', metric: 'sent' }, 272);
  await stats.increment({ ...base, metric: outcomeMetric('completed') }, 467);
  await stats.increment({ ...base, metric: outcomeMetric('goal') }, 133);
  const at = new Date('2026-11-24T10:00:00Z');
  for (let i = 0; i < 3; i++) {
    await stats.incrementDay(JOURNEY, { day: '2026-11-24', metric: 'sent', channel: 'email' }, at);
  }
  await stats.incrementDay(JOURNEY, { day: '2026-11-25', metric: 'sent', channel: 'sms' }, at);
}

beforeAll(async () => {
  db = await startDynalite('journeys');
  dir = await mkdtemp(join(tmpdir(), 'report-'));
  await seed(new StatsRepository(db.doc, db.tables.stats));
});
afterAll(async () => {
  await db.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Pooled two-proportion z by hand, for the figures below. */
function zOf(a: number, n1: number, b: number, n2: number) {
  const p = (a + b) / (n1 + n2);
  return (a / n1 - b / n2) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
}

describe('journeys report', () => {
  it('--json: per-variant rates, lift against the holdout, p-values, revenue', async () => {
    // act
    const { code, stdout, stderr } = await runCli(['report', JOURNEY, '--endpoint', db.endpoint, '--json']);
    // assert
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ enrolled: 600, converted: 133, money: { revenue: 6590 } });
    const [sms, push, control] = report.splits[0].variants;
    expect(sms).toMatchObject({
      name: 'sms',
      assigned: 272,
      converted: 91,
      money: { revenue: 4550, aov: 50 },
    });
    expect(sms.rate.value).toBeCloseTo(91 / 272, 12);
    expect(sms.vsHoldout.lift).toBeCloseTo(91 / 272 / (6 / 58) - 1, 12);
    expect(sms.vsHoldout.z).toBeCloseTo(zOf(91, 272, 6, 58), 9);
    expect(sms.vsHoldout.verdict).toBe('better');
    expect(push.vsHoldout.verdict).toBe('no clear difference');
    expect(control.vsHoldout).toBeUndefined();
    expect(report.outcomes).toMatchObject({ completed: 467, goal: 133 });
  });

  it('a --data-dir nothing has run on is named, not read as a runtime with no data', async () => {
    // arrange
    const folder = join(dir, 'never-ran');
    // act
    const { code, stdout, stderr } = await runCli(['report', JOURNEY, '--data-dir', folder]);
    // assert
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`no local runtime data in ${folder}`);
    expect(existsSync(folder)).toBe(false);
  });

  it('prints a text report with the variant table', async () => {
    const { code, stdout } = await runCli(['report', JOURNEY, '--endpoint', db.endpoint]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/sms\s+272\s+91\s+33\.5%\s+28\.1%–39\.3%\s+\+223\.4%/);
    expect(stdout).toContain('control (holdout)');
  });

  const missing = chromiumMissing();
  describe.skipIf(missing !== undefined)('--html, in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => browser?.close());

    it('shows the map with counts and shares, the variant table and the per-day chart', async () => {
      // arrange
      const out = join(dir, 'report.html');
      const { code } = await runCli(['report', JOURNEY, '--endpoint', db.endpoint, '--html', out]);
      expect(code).toBe(0);
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      // act
      await page.setContent(await readFile(out, 'utf8'));
      // assert: numbers as a reader sees them
      const cell = (variant: string, field: string) =>
        page.locator(`tr[data-variant="${variant}"] [data-field="${field}"]`).textContent();
      expect(await cell('sms', 'converted')).toBe('91');
      expect(await cell('sms', 'rate')).toBe('33.5%');
      expect(await cell('sms', 'ci')).toBe('28.1%–39.3%');
      expect(await cell('sms', 'lift')).toBe('+223.4%');
      expect(await cell('sms', 'verdict')).toBe('better');
      expect(await cell('control', 'lift')).toBe('baseline');
      expect(await page.locator('[data-kpi="enrolled"] b').textContent()).toBe('600');
      expect(await page.locator('g.step[data-step="reminder-email"] .reached').textContent()).toBe('600');
      // Assigned on entry, after a wait for the order: who reached the split the counters cannot tell.
      expect(await page.locator('g.step[data-step="channel-test"] .reached').textContent()).toBe('');
      expect(await page.locator('g.step[data-step="channel-test"] .detail').textContent()).toBe(
        'split · assigned 600',
      );
      // The variant's name on a line of its own, set apart for right-to-left names; its weight and share below.
      const edge = page.locator(`g.edge[data-from="${SPLIT}"][data-to="cart-sms"] tspan`);
      expect(await edge.allTextContents()).toEqual(['\u2068sms\u2069', '45% → 45%']);
      expect(
        await page.locator('g.lane').evaluateAll((lanes) => lanes.map((l) => l.getAttribute('data-stage'))),
      ).toEqual(['consideration', 'purchase']);
      expect(await page.locator('g.day[data-day="2026-11-24"]').getAttribute('data-sent')).toBe('3');
      // Self-contained: nothing fetched beyond the page itself.
      expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
      await page.close();
    });
  });
});
