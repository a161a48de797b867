import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#infra/local/index.ts';
import { stepFailureOf } from '#shared/journey/ending.ts';
import type { JourneyReport } from '#shared/stats/report.ts';
import { reportText } from '#shared/stats/text.ts';
import {
  boot,
  E2E_TIMEOUT,
  eventsClient,
  executionsByCustomer,
  identify,
  putEvents,
  quiesce,
  type Sandbox,
  sandbox,
  sentEmails,
  track,
  zoneWhereHourIs,
} from './support/local-runtime.ts';
import { localReport } from './support/report.ts';

/**
 * A journey's results read as a marketer reads them, against what happened
 * to each enrollment (its execution's path and end, the events its customer
 * sent, the emails received): an uneven A/B/n split with a holdout and a
 * variant never drawn, names that are JavaScript's own (`__proto__`,
 * `constructor`), accented and long; a new version mid-flight that removes
 * a variant and its step; customers who quit, who buy while in the journey
 * and after it ended, whose step fails, who enter again the same day (capped),
 * and whose sends wait for the morning. Entered must equal every ending plus
 * those still in flight, for the journey and for each variant.
 */

const ID = 'audit';
const LONG = `long-${'ü'.repeat(60)}`;

function audit(version: 1 | 2) {
  const variants =
    version === 1
      ? [
          { name: '__proto__', weight: 50, next: 'mail-a' },
          { name: 'Ünïcode', weight: 25, next: 'mail-b' },
          { name: 'constructor', weight: 15, next: 'bump' },
          { name: LONG, weight: 0, next: 'hold' },
          { name: 'control', weight: 10, next: 'hold', holdout: true },
        ]
      : [
          { name: '__proto__', weight: 20, next: 'mail-a' },
          { name: 'Ünïcode', weight: 50, next: 'mail-b' },
          { name: LONG, weight: 0, next: 'hold' },
          { name: 'control', weight: 30, next: 'hold', holdout: true },
        ];
  return {
    id: ID,
    name: 'Audit',
    trigger: { type: 'event', event: 'Joined' },
    reentry: 'always',
    goal: { event: 'Bought', within: 'P7D', exit: true },
    exitOn: [{ event: 'Quit' }],
    settings: {
      defaultTimezone: 'UTC',
      quietHours: { start: '21:00', end: '08:00' },
      caps: [{ channel: 'email', max: 1, within: 'P1D' }],
      onFailure: 'exit',
    },
    start: 'ab',
    steps: {
      ab: { type: 'split', variants },
      'mail-a': { type: 'email', template: 'welcome', next: 'wait' },
      'mail-b': { type: 'email', template: 'welcome-tips', next: 'wait' },
      ...(version === 1 ? { bump: { type: 'updateProfile', increment: { points: 1 }, next: 'wait' } } : {}),
      hold: { type: 'wait', for: 'PT1H', next: 'wait' },
      wait: { type: 'wait', for: 'PT2H', next: 'done' },
      done: { type: 'exit' },
    },
  };
}

/**
 * A second journey whose variants share a send step: `x` gets a tip first and then the offer, `y`
 * the offer at once, so the offer's figures are the two variants' together; the cap of one email a
 * day holds back every `x` offer, and quiet hours a night owl's first email.
 */
const SHARED_ID = 'audit-shared';
const shared = {
  id: SHARED_ID,
  name: 'Audit, shared send',
  trigger: { type: 'event', event: 'Signed' },
  reentry: 'always',
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
        { name: 'x', weight: 50, next: 'x-tip' },
        { name: 'y', weight: 50, next: 'offer' },
      ],
    },
    'x-tip': { type: 'email', template: 'welcome-tips', next: 'offer' },
    offer: { type: 'email', template: 'welcome', next: 'done' },
    done: { type: 'exit' },
  },
};
/** Customers of the shared-send journey; the `cn-` ones live where it is 23:00 when they sign up. */
const SHARED_DAY = Array.from({ length: 8 }, (_, i) => `c-${i}`);
const SHARED_NIGHT = ['cn-0', 'cn-1', 'cn-2', 'cn-3'];

const START = new Date('2026-03-02T09:00:00Z');
/**
 * Entered under version 1: every 4th has points the increment cannot add to; by i % 5, 1 quits, 2 buys
 * at once, 3 buys after the end. As few as give every variant and every ending (checked below).
 */
const FIRST = Array.from({ length: 20 }, (_, i) => `a-${i}`);
/** Entered under version 2; every 3rd enters again later that day. */
const SECOND = Array.from({ length: 15 }, (_, i) => `b-${i}`);
/** In a zone where the journey starts at 23:00: they enter twice at once. */
const NIGHT = ['n-0', 'n-1', 'n-2'];

/** Runs journey time on by `ms`, through every wait and deferral due in it. */
async function runFor(runtime: LocalRuntime, ms: number): Promise<void> {
  const { clock } = runtime.services;
  const until = clock.nowMs() + ms;
  await quiesce(runtime);
  for (let next = clock.nextDueMs(); next !== undefined && next <= until; next = clock.nextDueMs()) {
    await runtime.advanceTo(next);
    await quiesce(runtime);
  }
  await runtime.advanceTo(until);
  await quiesce(runtime);
}

let box: Sandbox;
let runtime: LocalRuntime;

beforeAll(async () => {
  box = await sandbox([], { templates: ['welcome', 'welcome-tips'] });
  await writeFile(join(box.journeysDir, `${ID}.json`), JSON.stringify(audit(1)));
  await writeFile(join(box.journeysDir, `${SHARED_ID}.json`), JSON.stringify(shared));
  runtime = await boot(box, { inMemory: true });
  const client = eventsClient(runtime);
  const send = async (events: Parameters<typeof putEvents>[1]) => {
    await putEvents(runtime, events, client);
    await runtime.settled();
  };
  try {
    await send([
      ...FIRST.map((id, i) => {
        const event = identify(id, 'UTC');
        return { ...event, traits: { ...Object(event.traits), points: i % 4 === 0 ? 'text' : 1 } };
      }),
      ...SECOND.map((id) => identify(id, 'UTC')),
      ...NIGHT.map((id) => identify(id, zoneWhereHourIs(23, START))),
      ...SHARED_DAY.map((id) => identify(id, 'UTC')),
      ...SHARED_NIGHT.map((id) => identify(id, zoneWhereHourIs(23, START))),
    ]);
    await send(FIRST.map((id) => track(id, 'Joined', {})));
    await send([...SHARED_DAY, ...SHARED_NIGHT].map((id) => track(id, 'Signed', {})));
    // Night owls enter twice: both first emails wait for the morning, then the cap lets one go.
    await send([...NIGHT, ...NIGHT].map((id) => track(id, 'Joined', {})));
    // Some quit while waiting; some buy while waiting.
    await send(FIRST.filter((_, i) => i % 5 === 1).map((id) => track(id, 'Quit', {})));
    await send(FIRST.filter((_, i) => i % 5 === 2).map((id) => track(id, 'Bought', {})));
    // A new version mid-flight: other weights, constructor removed.
    await writeFile(join(box.journeysDir, `${ID}.json`), JSON.stringify(audit(2)));
    await runtime.deployAll();
    await send(SECOND.map((id) => track(id, 'Joined', {})));
    await runFor(runtime, 4 * 3600_000);
    // Goals after leaving, and re-entry.
    await send(FIRST.filter((_, i) => i % 5 === 3).map((id) => track(id, 'Bought', {})));
    await send(SECOND.filter((_, i) => i % 3 === 0).map((id) => track(id, 'Joined', {})));
    await runFor(runtime, 86_400_000);
  } finally {
    client.destroy();
  }
}, E2E_TIMEOUT);

afterAll(async () => {
  await runtime?.stop();
  await box?.remove();
});

// Nothing happens after the setup: each test reads the one report and the one account of what happened.
let reported: Promise<JourneyReport> | undefined;
function report(): Promise<JourneyReport> {
  reported ??= localReport(runtime, box, audit(2));
  return reported;
}

type Ending = 'completed' | 'goal' | 'exited' | 'stepFailed' | 'inFlight';
/** One enrollment: `night`: its customer's quiet hours held its first send; `again`: a later entry of a customer in the same day. */
type Truth = {
  variant: string;
  ending: Ending;
  converted: boolean;
  reached?: string;
  night: boolean;
  again: boolean;
};

/** Where each variant of each version leads: the path an execution took names its variant. */
function variantAt(version: number | undefined, visited: readonly string[]): { variant: string; to: string } {
  const split = audit(version === 1 ? 1 : 2).steps.ab;
  const to = visited[visited.indexOf('ab') + 1] ?? '';
  const leading = split.variants.filter((v) => v.next === to && v.weight > 0);
  return { variant: leading.length === 1 ? (leading[0]?.name ?? '?') : `? ${to}`, to };
}

let happened: Promise<Truth[]> | undefined;
function truth(): Promise<Truth[]> {
  happened ??= readTruth();
  return happened;
}

/** What happened to each enrollment, from its execution and the events each customer sent. */
async function readTruth(): Promise<Truth[]> {
  const out: Truth[] = [];
  const executions = await executionsByCustomer(runtime, ID);
  for (const id of [...FIRST, ...SECOND, ...NIGHT]) {
    const i = Number(id.slice(2));
    const a = id.startsWith('a-');
    const quit = a && i % 5 === 1;
    const buyer = a && (i % 5 === 2 || i % 5 === 3);
    const runs = [...(executions.get(id) ?? [])].sort((x, y) => x.startDate - y.startDate);
    for (const [n, run] of runs.entries()) {
      const { variant, to } = variantAt(run.version, run.visited);
      const ending: Ending =
        run.status === 'RUNNING'
          ? 'inFlight'
          : run.status === 'ABORTED'
            ? quit
              ? 'exited'
              : 'goal'
            : stepFailureOf(run.output) === undefined
              ? 'completed'
              : 'stepFailed';
      const reached = to.startsWith('mail-') ? to : undefined;
      out.push({
        variant,
        ending,
        converted: buyer,
        ...(reached === undefined ? {} : { reached }),
        night: NIGHT.includes(id),
        again: n > 0,
      });
    }
  }
  return out;
}

const ENDINGS: readonly Ending[] = ['completed', 'goal', 'exited', 'stepFailed', 'inFlight'];

function tally(rows: readonly Truth[]) {
  const n = (f: (t: Truth) => boolean) => rows.filter(f).length;
  return {
    entered: rows.length,
    converted: n((t) => t.converted),
    ...Object.fromEntries(ENDINGS.map((e) => [e, n((t) => t.ending === e)])),
  };
}

describe('results of a journey with every kind of ending, read as a marketer would', () => {
  it('the journey totals agree with what happened to each enrollment, and add up', async () => {
    // arrange
    const rows = await truth();
    // act
    const r = await report();
    // assert
    const told = {
      entered: r.enrolled,
      converted: r.converted,
      ...Object.fromEntries(ENDINGS.map((e) => [e, e === 'inFlight' ? r.inFlight : r.outcomes[e]])),
    };
    expect(told).toStrictEqual(tally(rows));
    // every ending happened, so a miscounted one shows
    expect(ENDINGS.filter((e) => !rows.some((t) => t.ending === e))).toStrictEqual([]);
    const ended = Object.values(r.outcomes).reduce((a, b) => a + b, 0);
    expect(ended + r.inFlight).toBe(r.enrolled);
  });

  it('each variant, removed or not, counts the enrollments, endings and conversions it had', async () => {
    // arrange
    const rows = await truth();
    const names = [...new Set(rows.map((t) => t.variant))].sort();
    // act
    const variants = (await report()).splits.find((s) => s.stepId === 'ab')?.variants ?? [];
    // assert
    const told = names.map((name) => {
      const v = variants.find((x) => x.name === name);
      return {
        name,
        entered: v?.assigned,
        converted: v?.converted,
        ...Object.fromEntries(ENDINGS.map((e) => [e, e === 'inFlight' ? v?.inFlight : v?.outcomes[e]])),
      };
    });
    expect(told).toStrictEqual(
      names.map((name) => ({ name, ...tally(rows.filter((t) => t.variant === name)) })),
    );
    expect(variants.find((v) => v.name === 'constructor')?.removed).toBe(true);
    expect(variants.find((v) => v.name === LONG)?.assigned).toBe(0);
  });

  it("each variant's rate is its conversions over its entries, inside its interval, and too few conversions say so", async () => {
    // act
    const variants = (await report()).splits.find((s) => s.stepId === 'ab')?.variants ?? [];
    // assert
    for (const v of variants.filter((x) => x.assigned > 0)) {
      const rate = v.rate;
      expect({ name: v.name, rate: rate?.value }).toStrictEqual({
        name: v.name,
        rate: v.converted / v.assigned,
      });
      expect(rate !== undefined && rate.low <= rate.value && rate.value <= rate.high).toBe(true);
      // The holdout converted fewer than 5 times: no variant can be called better or worse against it.
      if (!v.holdout && !v.removed) expect(v.vsHoldout?.verdict).toBe('too small to tell');
    }
    expect(variants.find((v) => v.holdout)?.converted).toBeLessThan(5);
  });

  it('each message step counts the emails sent and the deferrals by reason', async () => {
    // arrange: a night owl's sends wait for the morning; an entry after the first in a day is capped
    const rows = await truth();
    // this journey's customers' emails only: the shared-send journey sends the same templates
    const audited = [...FIRST, ...SECOND, ...NIGHT].map((id) => `${id}@example.com`);
    const emails = (await sentEmails(runtime)).filter((e) =>
      audited.some((to) => e.destination.to.includes(to)),
    );
    const expected = (step: string, subject: string) => ({
      step,
      sent: emails.filter((e) => e.subject.includes(subject)).length,
      quietHours: rows.filter((t) => t.reached === step && t.night).length,
      frequencyCap: rows.filter((t) => t.reached === step && t.again).length,
    });
    // act
    const r = await report();
    // assert
    const told = (step: string) => {
      const s = r.steps.find((x) => x.stepId === step);
      const deferred = (reason: string) =>
        s?.reasons.find((w) => w.metric === 'deferred' && w.reason === reason)?.count ?? 0;
      return {
        step,
        sent: s?.counts.sent,
        quietHours: deferred('quietHours'),
        frequencyCap: deferred('frequencyCap'),
      };
    };
    const wanted = [expected('mail-a', 'Welcome to'), expected('mail-b', '3 tips')];
    expect([told('mail-a'), told('mail-b')]).toStrictEqual(wanted);
    // both reasons held sends back at both steps, so a miscounted deferral shows
    expect(wanted.filter((w) => w.quietHours === 0 || w.frequencyCap === 0)).toStrictEqual([]);
  });

  it('journeys report prints the totals, in flight included, and the console answers the same', async () => {
    // act
    const r = await report();
    const text = reportText(r);
    const json = (await (
      await fetch(`${runtime.endpoints.console}/api/journeys/${ID}`)
    ).json()) as JourneyReport;
    // assert
    expect(text).toContain(`in flight ${r.inFlight}`);
    expect({ enrolled: json.enrolled, outcomes: json.outcomes, inFlight: json.inFlight }).toStrictEqual({
      enrolled: r.enrolled,
      outcomes: r.outcomes,
      inFlight: r.inFlight,
    });
  });
});

/** Each enrollment of the shared-send journey: its variant (the path from the split), and how often its offer was put off. */
async function sharedTruth() {
  const out: { userId: string; variant: string; offerDeferrals: number }[] = [];
  const executions = await executionsByCustomer(runtime, SHARED_ID);
  for (const userId of [...SHARED_DAY, ...SHARED_NIGHT]) {
    for (const run of executions.get(userId) ?? []) {
      const to = run.visited[run.visited.indexOf('ab') + 1];
      const variant = shared.steps.ab.variants.find((v) => v.next === to)?.name ?? `? ${to}`;
      out.push({ userId, variant, offerDeferrals: run.visited.filter((s) => s === 'offer.deferred').length });
    }
  }
  return out;
}

describe('messages per variant of a journey whose variants share a send step', () => {
  it('each variant counts the offers its own customers were sent and put off, by reason; the step adds them up', async () => {
    // arrange: which emails each customer received, and which variant each is in
    const rows = await sharedTruth();
    const emails = await sentEmails(runtime);
    const received = (variant: string, subject: string) =>
      emails.filter(
        (e) =>
          e.subject.includes(subject) &&
          rows.some((t) => t.variant === variant && e.destination.to.includes(`${t.userId}@example.com`)),
      ).length;
    const offersPutOff = (variant: string, night: boolean) =>
      rows
        .filter((t) => t.variant === variant && SHARED_NIGHT.includes(t.userId) === night)
        .reduce((n, t) => n + t.offerDeferrals, 0);
    // x's offers follow its tip within the day (capped); a y night owl's offer waits for the morning
    const expected = {
      x: {
        sent: received('x', 'Welcome to'),
        failed: 0,
        deferred: { frequencyCap: offersPutOff('x', false) + offersPutOff('x', true) },
      },
      y: { sent: received('y', 'Welcome to'), failed: 0, deferred: { quietHours: offersPutOff('y', true) } },
    };
    // act
    const r = await localReport(runtime, box, shared);
    // assert: both variants drawn, and the offer, which both reach, told per variant
    expect(new Set(rows.map((t) => t.variant))).toStrictEqual(new Set(['x', 'y']));
    const offer = r.steps.find((s) => s.stepId === 'offer');
    const told = Object.fromEntries(
      (offer?.variants?.messages ?? []).map(({ variant, sent, failed, deferred }) => [
        variant,
        { sent, failed, deferred: Object.fromEntries(Object.entries(deferred)) },
      ]),
    );
    expect(offer?.variants?.split).toBe('ab');
    expect(told).toStrictEqual(expected);
    expect(expected.x.deferred.frequencyCap).toBeGreaterThan(0);
    expect(expected.y.deferred.quietHours).toBeGreaterThan(0);
    // the step's own figures are the variants' together
    expect(offer?.counts.sent).toBe(expected.x.sent + expected.y.sent);
    expect(
      offer?.reasons
        .filter((w) => w.metric === 'deferred')
        .map((w) => [w.reason, w.count])
        .sort(),
    ).toStrictEqual(
      [
        ['frequencyCap', expected.x.deferred.frequencyCap],
        ['quietHours', expected.y.deferred.quietHours],
      ].sort(),
    );
    // the tip, x's own step, says nothing more per variant; the journey's figures add both steps
    expect(r.steps.find((s) => s.stepId === 'x-tip')?.variants).toBeUndefined();
    const variants = r.splits.find((s) => s.stepId === 'ab')?.variants ?? [];
    expect(variants.map((v) => [v.name, v.messages?.sent])).toStrictEqual([
      ['x', expected.x.sent + received('x', '3 tips')],
      ['y', expected.y.sent],
    ]);
  });
});
