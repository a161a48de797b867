// First: the handlers the simulation imports build their logger and metrics as they load, quiet as in the runtime.
import '#infra/local/runtime/quiet-handlers.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { loadInputs } from '#infra/simulate/cli/inputs.ts';
import type { Forecast } from '#infra/simulate/run/forecast.ts';
import { simulate } from '#infra/simulate/run/simulate.ts';
import { customerOf } from '#infra/simulate/scenario/customers.ts';
import type { JourneyReport } from '#shared/stats/report.ts';
import { boot, E2E_TIMEOUT, type Sandbox, sandbox } from './support/local-runtime.ts';
import { localReport } from './support/report.ts';
import { feedCustomers } from './support/simulated-customers.ts';

/**
 * The forecast's messages per variant are what `journeys report` shows once
 * the same customers have gone through the local runtime: each variant's
 * sends per channel and deferrals by reason over the steps after its split,
 * and per variant at the step where the variants' branches rejoin. There
 * the frequency cap holds back every offer of `x` (its tip was the day's
 * email) and quiet hours the offers of `y` that its wait brings to night.
 */

const ID = 'variant-rejoin';
const journey = {
  id: ID,
  name: 'Variants rejoin at a capped send',
  trigger: { type: 'event', event: 'Signed Up' },
  reentry: 'once',
  settings: {
    defaultTimezone: 'UTC',
    quietHours: { start: '21:00', end: '08:00' },
    caps: [{ channel: 'email', max: 1, within: 'P1D' }],
  },
  start: 'ab',
  steps: {
    ab: {
      type: 'split',
      variants: [
        { name: 'x', weight: 45, next: 'x-tip' },
        { name: 'y', weight: 45, next: 'y-text' },
        { name: 'control', weight: 10, next: 'done', holdout: true },
      ],
    },
    'x-tip': { type: 'email', template: 'welcome-tips', next: 'offer' },
    'y-text': { type: 'sms', template: 'note-sms', next: 'y-wait' },
    'y-wait': { type: 'wait', for: 'PT10H', next: 'offer' },
    offer: { type: 'email', template: 'welcome', next: 'done' },
    done: { type: 'exit' },
  },
};

const CUSTOMERS = 14;
const scenario = {
  start: '2026-03-02T00:00:00Z',
  seed: 1,
  customers: {
    timezones: { UTC: 1, 'Asia/Tokyo': 1, 'America/New_York': 1 },
    channels: { email: 1, sms: 1, push: 0 },
  },
  entry: { event: 'Signed Up', over: 'P1D' },
  // The local stand-ins deliver every email and SMS: so does the forecast here.
  messages: { email: { bounced: 0 }, sms: { undelivered: 0 } },
};

let box: Sandbox;
let runtime: LocalRuntime | undefined;
let forecast: Forecast;
let report: JourneyReport;

beforeAll(async () => {
  // arrange: one journey and scenario, two worlds
  box = await sandbox([], { templates: ['welcome-tips', 'note-sms', 'welcome'] });
  const journeyFile = join(box.journeysDir, `${ID}.json`);
  const scenarioFile = join(box.journeysDir, 'simulations', `${ID}.json`);
  await writeFile(journeyFile, JSON.stringify(journey));
  await mkdir(join(box.journeysDir, 'simulations'), { recursive: true });
  await writeFile(scenarioFile, JSON.stringify(scenario));
  const loaded = await loadInputs(journeyFile, scenarioFile);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const { inputs } = loaded;
  // act
  forecast = await simulate({ ...inputs, customers: CUSTOMERS });
  const started = await boot(box, { startAt: inputs.scenario.start, inMemory: true });
  runtime = started;
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => customerOf(inputs.scenario, i, CUSTOMERS));
  await feedCustomers(started, customers, Date.parse(inputs.scenario.start) + 4 * 86_400_000);
  report = await localReport(started, box, journey);
  await started.stop();
  runtime = undefined;
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

/** The report's messages per variant, in the forecast's terms: per split, its variants, then its shared steps. */
function reportedPerVariant(r: JourneyReport) {
  return r.splits
    .filter((split) => split.variants.some((v) => v.messages !== undefined))
    .map((split) => ({
      split: split.stepId,
      variants: split.variants.map((v) => ({
        variant: v.name,
        ...(v.holdout ? { holdout: true } : {}),
        messages: v.messages ?? { sent: 0, channels: { email: 0, sms: 0, push: 0 }, failed: 0, deferred: {} },
      })),
      steps: r.steps.flatMap((s) =>
        s.variants?.split === split.stepId ? [{ step: s.stepId, ...s.variants }] : [],
      ),
    }));
}

/** As JSON gives it, so a map without a prototype and a plain object read alike. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('the forecast of messages per variant agrees with the local runtime', () => {
  it('gives each variant the sends per channel and deferrals by reason the report shows', () => {
    // assert
    expect(plain(forecast.variantMessages)).toEqual(plain(reportedPerVariant(report)));
  });

  it('covers a step the variants share, held by the cap and by quiet hours, and sends on two channels', () => {
    // assert: the comparison above is about the figures that matter, not zeros
    const [split] = forecast.variantMessages;
    const offer = split?.steps.find((s) => s.step === 'offer');
    const at = (variant: string) => offer?.messages.find((m) => m.variant === variant);
    expect(at('x')?.deferred.frequencyCap).toBeGreaterThan(0);
    expect(at('y')?.deferred.quietHours).toBeGreaterThan(0);
    const of = (variant: string) => split?.variants.find((v) => v.variant === variant)?.messages;
    expect(of('x')?.channels.email).toBeGreaterThan(0);
    expect(of('y')?.channels.sms).toBeGreaterThan(0);
    expect(split?.variants.map((v) => v.variant)).toEqual(['x', 'y', 'control']);
  });
});
