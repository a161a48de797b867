import { SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { awaitDepsOf, awaitInput, identify, ingestDeps, registerJourney, track } from './harness.ts';

const JOSE_NFC = 'Jos\u00e9 Signed Up';
const JOSE_NFD = 'Jose\u0301 Signed Up';
const CAFE_NFC = 'Caf\u00e9 Visited';
const CAFE_NFD = 'Cafe\u0301 Visited';

/** Event streams an app developer sends that nobody planned for: redeliveries, late answers. */

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite('event-streams');
  await registerJourney(db, {
    id: 'survey',
    name: 'Survey',
    trigger: { type: 'event', event: 'Visit Ended' },
    start: 'answer',
    steps: {
      answer: {
        type: 'waitForEvent',
        event: 'Survey Answered',
        timeout: 'P1D',
        onEvent: 'done',
        onTimeout: 'done',
      },
      done: { type: 'exit' },
    },
  });
  await registerJourney(db, {
    id: 'cart',
    name: 'Cart',
    trigger: { type: 'event', event: 'Cart Updated' },
    exitOn: [{ event: 'Cart Emptied' }],
    start: 'wait',
    steps: { wait: { type: 'wait', for: 'P1D', next: 'done' }, done: { type: 'exit' } },
  });
  // Named as a marketer's editor on macOS saves it: decomposed, with a space at the end.
  await registerJourney(db, {
    id: 'spelt',
    name: 'Spelt',
    trigger: { type: 'event', event: `${JOSE_NFD} ` },
    goal: { event: ' Order Completed', within: 'P7D' },
    start: 'visit',
    steps: {
      visit: { type: 'waitForEvent', event: CAFE_NFD, timeout: 'P1D', onEvent: 'done', onTimeout: 'done' },
      done: { type: 'exit' },
    },
  });
});
afterAll(async () => db.stop());

const rejectedReports = (sqs: ReturnType<typeof ingestDeps>['sqs']) =>
  sqs.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody ?? '{}'));

describe('traits left out of the profile are reported once', () => {
  it('a redelivered identify with a trait not of its kind reports it once', async () => {
    const { deps, sqs } = ingestDeps(db);
    const event = identify('u-zone-twice', { timezone: 'GMT+0530', plan: 'pro' });
    await ingestEvent(deps, event);
    await ingestEvent(deps, event);
    const reports = rejectedReports(sqs);
    expect(reports).toHaveLength(1);
    expect(reports[0].problems.map((p: { field: string }) => p.field)).toEqual(['traits.timezone']);
  });

  it('a redelivered identify past the profile trait cap reports the traits it left out once', async () => {
    const { deps, sqs } = ingestDeps(db);
    const full = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, i]));
    await ingestEvent(deps, identify('u-cap-twice', full));
    const extra = identify('u-cap-twice', { overTheCap: true }, '2026-11-24T09:59:30Z');
    await ingestEvent(deps, extra);
    await ingestEvent(deps, extra);
    const fields = rejectedReports(sqs).flatMap((r) => r.problems.map((p: { field: string }) => p.field));
    expect(fields).toEqual(['traits.overTheCap']);
  });
});

describe('an awaited event whose step is no longer waiting', () => {
  const received = async () => {
    const rows = await new StatsRepository(db.doc, db.tables.stats).funnel('survey');
    const count = (metric: string) =>
      rows.filter((r) => r.metric === metric && r.stepId === 'answer').reduce((n, r) => n + r.count, 0);
    return { received: count('eventReceived') };
  };

  for (const name of ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']) {
    it(`SendTaskSuccess answering ${name} resumed nothing: not counted as received, and the waiter goes`, async () => {
      const userId = `u-gone-${name}`;
      const { deps, sfn } = ingestDeps(db);
      await awaitEvent(
        awaitDepsOf(db, deps),
        awaitInput(userId, {
          journeyId: 'survey',
          stepId: 'answer',
          event: 'Survey Answered',
          timeoutSeconds: 86_400,
          startedAt: '2026-11-24T09:00:00.000Z',
          trigger: {},
        }),
      );
      const before = await received();
      sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('gone'), { name }));
      const event = { ...identify(userId, {}), type: 'track', event: 'Survey Answered', traits: undefined };
      const result = await ingestEvent(deps, event);
      // Delivered again: the step is gone, nothing more is counted.
      await ingestEvent(deps, event);
      expect(result).toMatchObject({ status: 'recorded', resumed: [] });
      expect(await deps.enrollments.waitersFor(userId, 'Survey Answered')).toEqual([]);
      const after = await received();
      expect(after.received - before.received).toBe(0);
    });
  }
});

describe('one event name however the app spells it', () => {
  it('enters, counts, answers a wait and converts whatever its Unicode form and surrounding spaces', async () => {
    const { deps, sfn } = ingestDeps(db);
    const userId = 'u-spelt';
    const entered = await ingestEvent(deps, track(userId, ` ${JOSE_NFC}`));
    expect(entered).toMatchObject({ status: 'recorded', enrolled: [expect.any(String)] });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    await ingestEvent(deps, track(userId, JOSE_NFD, {}, '2026-11-24T09:59:30Z'));
    const profile = (await deps.profiles.get(userId)).profile;
    expect(Object.keys(profile.events)).toEqual([JOSE_NFC]);
    expect(profile.events[JOSE_NFC]?.count).toBe(2);
    // The step waits under the name its journey gives (compiled from the parsed file: NFC).
    await awaitEvent(
      awaitDepsOf(db, deps),
      awaitInput(userId, {
        journeyId: 'spelt',
        stepId: 'visit',
        event: CAFE_NFC,
        timeoutSeconds: 86_400,
        startedAt: '2026-11-24T09:59:00.000Z',
        trigger: {},
      }),
    );
    const answered = await ingestEvent(deps, track(userId, `${CAFE_NFD}  `, {}, '2026-11-24T09:59:40Z'));
    expect(answered).toMatchObject({ resumed: [`e-${userId}`] });
    const ordered = await ingestEvent(
      deps,
      track(userId, 'Order Completed\u00a0', {}, '2026-11-24T09:59:50Z'),
    );
    expect(ordered).toMatchObject({ converted: entered.status === 'rejected' ? [] : entered.enrolled });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
  });

  it('keeps a trait sent decomposed and padded under the name journeys read', async () => {
    const { deps } = ingestDeps(db);
    await ingestEvent(deps, identify('u-prenom', { ' pre\u0301nom ': 'Ana' }));
    const { traits } = (await deps.profiles.get('u-prenom')).profile;
    expect(traits).toEqual({ 'pr\u00e9nom': 'Ana' });
  });
});

describe('a burst for one customer', () => {
  it('150 events in one second, some delivered twice, in waves of 55 at once, are each counted once and enter a journey once', async () => {
    const { deps, sfn } = ingestDeps(db);
    const userId = 'u-burst';
    const events = Array.from({ length: 150 }, (_, i) =>
      track(
        userId,
        i % 10 === 0 ? 'Visit Ended' : 'Page Viewed',
        { i },
        `2026-11-24T09:59:59.${String(i % 1000).padStart(3, '0')}Z`,
      ),
    );
    // Every seventh event is delivered twice, at once (a redelivery long after is applied again: README).
    const deliveries = events.flatMap((e, i) => (i % 7 === 0 ? [e, e] : [e]));
    // In waves of 55 at once: contention as EventBridge's parallel invocations make it, on a dynalite one process serves.
    const results: Awaited<ReturnType<typeof ingestEvent>>[] = [];
    for (let at = 0; at < deliveries.length; at += 55)
      results.push(...(await Promise.all(deliveries.slice(at, at + 55).map((e) => ingestEvent(deps, e)))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const { profile } = await deps.profiles.get(userId);
    expect(profile.events['Visit Ended']?.count).toBe(15);
    expect(profile.events['Page Viewed']?.count).toBe(135);
    // The survey journey enters once ("once" re-entry), whichever of the 15 triggers wins.
    const enrolled = results.flatMap((r) => (r.status === 'rejected' ? [] : r.enrolled));
    expect(new Set(enrolled).size).toBe(1);
    const names = new Set(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name));
    expect(names.size).toBe(1);
  }, 180_000);
});

describe('events that arrive late', () => {
  it('an exit event stamped before the entry (delivered late) does not end the enrollment; one after it does', async () => {
    const { deps } = ingestDeps(db, () => new Date('2026-11-24T10:10:00Z'));
    const userId = 'u-late-exit';
    const entered = await ingestEvent(deps, track(userId, 'Cart Updated', {}, '2026-11-24T10:00:00Z'));
    expect(entered).toMatchObject({ enrolled: [expect.any(String)] });
    const before = await ingestEvent(deps, track(userId, 'Cart Emptied', {}, '2026-11-24T09:50:00Z'));
    expect(before).toMatchObject({ finished: [] });
    const after = await ingestEvent(deps, track(userId, 'Cart Emptied', {}, '2026-11-24T10:05:00Z'));
    expect(after).toMatchObject({ finished: entered.status === 'rejected' ? [] : entered.enrolled });
  });
});

describe('a trait that changes type', () => {
  it('string, number, object, list, then null: each write replaces the value, newest wins, an older one changes nothing', async () => {
    const { deps, sqs } = ingestDeps(db);
    const userId = 'u-shapes';
    const values: unknown[] = ['pro', 3, { tier: 'gold', seats: 5 }, ['a', 'b'], null];
    for (const [i, value] of values.entries()) {
      await ingestEvent(deps, identify(userId, { plan: value }, `2026-11-24T09:0${i}:00Z`));
      expect((await deps.profiles.get(userId)).profile.traits.plan).toEqual(value);
    }
    // An identify from before (a phone offline since then) does not bring the string back.
    await ingestEvent(deps, identify(userId, { plan: 'free' }, '2026-11-24T08:00:00Z'));
    expect((await deps.profiles.get(userId)).profile.traits.plan).toBeNull();
    expect(rejectedReports(sqs)).toEqual([]);
  });
});
