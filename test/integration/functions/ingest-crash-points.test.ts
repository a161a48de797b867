import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LIVE_SK } from '#functions/_lib/registry.ts';
import { SHARDS } from '#functions/_lib/stats.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { JourneyInput } from '#shared/journey/schema.ts';
import { counterSetKey } from '#shared/stats/counter-sets.ts';
import { profileKeys } from '#shared/tables.ts';
import { caseId } from '../../support/case-ids.ts';
import { CrashPlan, crashPointsOf, type Landing } from '../../support/crash-points.ts';
import { collectedCrashPointWorld, type HandlerWorld } from '../../support/ingest-world.ts';
import { awaitInput, identify, registerJourney, track } from './harness.ts';

/**
 * Ingest's invocation dies at each point of its path in turn — before one of
 * its requests (DynamoDB, Step Functions, SQS) lands, or after it lands with
 * the answer never read — and EventBridge delivers the same event again, as
 * it does until an invocation succeeds. Whatever the point, each effect of
 * the event happens once: the profile counts it once, the customer enters
 * once (one execution, counted once), a waiting step is resumed once and the
 * event counted received once, and traits the profile left out are reported
 * (at least once: a report that landed just before the invocation died is
 * sent again by the redelivery, with the same event id).
 */

const NOW = new Date('2026-11-24T10:00:00Z');
const now = () => NOW;

// Started as the file is collected: each case's points are those of its run with nothing failing.
const world: HandlerWorld = await collectedCrashPointWorld('ingest-crash', 'crash-wait');

/** A case's run with nothing failing, before its tests are made: how many requests its path makes. */
async function cleanRun<T>(run: (point: number, landing: Landing) => Promise<T>): Promise<T> {
  world.nothingFails();
  return run(Number.POSITIVE_INFINITY, 'before');
}

/** The event through ingest dying at `crash`, then delivered again (nothing failing), as EventBridge does. */
async function crashThenRedeliver(event: object, crash: CrashPlan) {
  const out = await world.dieThenRetry(crash, () => ingestEvent(world.ingestDeps(true, now), event));
  return { again: out.result, died: out.died, requests: out.requests, path: out.path };
}

async function rawProfile(id: string) {
  const stored = await world.db.doc.send(
    new GetCommand({ TableName: world.db.tables.profiles, Key: { userId: id }, ConsistentRead: true }),
  );
  return stored.Item;
}

/** The marks of follow-ups still owed on a profile item, whatever attribute holds them. */
function pendingMarks(item: Record<string, unknown> | undefined): unknown[] {
  const marks = [item?.rpt, item?.owe].filter((m) => m !== undefined);
  return marks.flatMap((m) => (m instanceof Set ? [...m] : [m]));
}

async function profileOf(id: string) {
  return world.ingestDeps(false, now).profiles.get(id);
}

/**
 * A journey of its own for a case (its counters, and the guard of its
 * counts, are the case's alone), exiting at once; its counter item is on
 * every shard, as on a journey that has counted for a while, so that the
 * case's path is as long whichever shard a count takes.
 */
async function ownJourney(journeyId: string, trigger: JourneyInput['trigger']) {
  await registerJourney(world.db, {
    id: journeyId,
    name: journeyId,
    trigger,
    reentry: { mode: 'always' },
    start: 'done',
    steps: { done: { type: 'exit' } },
  });
  const sk = counterSetKey({ version: '1', metric: 'entrySkipped' }, undefined);
  const shards = Array.from({ length: SHARDS }, (_, shard) => ({ pk: `${journeyId}#${shard}`, sk }));
  const puts = shards.map((Item) => ({ PutRequest: { Item } }));
  await world.db.doc.send(new BatchWriteCommand({ RequestItems: { [world.db.tables.stats]: puts } }));
}

/**
 * Takes a case's journeys out of the registry (their live items and their
 * places in its directory) once its run is done: every event lists the
 * registry, which would otherwise grow with each case run.
 */
async function removeJourneys(ids: readonly string[]) {
  const keys = ids.flatMap((id) => [
    { journeyId: id, sk: LIVE_SK },
    { journeyId: '#journeys', sk: id },
  ]);
  const deletes = keys.map((Key) => ({ DeleteRequest: { Key } }));
  await world.db.doc.send(new BatchWriteCommand({ RequestItems: { [world.db.tables.journeys]: deletes } }));
}

/**
 * A step waiting for `event`, registered for the customer `id` in an
 * enrollment of the waiting journey, counting under `journeyId`: a step of
 * its own, so its counters (and the guard of its counts) are the case's
 * alone. Its task token.
 */
async function waiting(id: string, event: string, journeyId = 'crash-wait') {
  const deps = world.ingestDeps(false, now);
  const start = await ingestEvent(deps, track(id, 'Wait Started'));
  const enrollmentId = start.status === 'rejected' ? '' : (start.enrolled[0] ?? '');
  const token = `token-${id}`;
  await awaitEvent(
    world.awaitDeps(false, now),
    awaitInput(id, {
      journeyId,
      stepId: `wait-${id}`,
      event,
      timeoutSeconds: 86_400,
      // Before the event (track's timestamps): a step takes events from when it began.
      startedAt: '2026-11-24T09:58:00Z',
      trigger: {},
      enrollmentId,
      token,
    }),
  );
  world.effects.waiting.add(token);
  return token;
}

/**
 * The week's one entry into the journey, on the limit record of the profile
 * `key`, as an earlier event's entry left it (its count is no part of the
 * case: no other count shares the guard of the skip's).
 */
async function earlierEntry(key: string, journeyId: string) {
  const limits = world.ingestDeps(false, now).enrollments.limits;
  const entry = { id: `earlier-${key}`, at: '2026-11-24T09:00:00Z' };
  expect(await limits.claim(key, journeyId, entry, { max: 1, per: 'P7D', zone: 'UTC' })).toBe('entered');
}

/** The executions started by `act`. */
async function startedBy<T>(act: () => Promise<T>): Promise<T & { started: string[] }> {
  const before = new Set(world.effects.started.keys());
  const out = await act();
  return { ...out, started: [...world.effects.started.keys()].filter((name) => !before.has(name)) };
}

describe('an event journeys skip, each for its own reason', async () => {
  /**
   * The skips of each case's journeys: one the event is older than its maxAge for, one whose
   * limit entries made under a merged id fill (claimed on the customer's record as any limit is).
   */
  async function run(point: number, landing: Landing) {
    const id = caseId('skip');
    const name = `Cart ${id}`;
    const journeys = [`crash-old-${id}`, `crash-limit-${id}`];
    const [tooOld = '', limited = ''] = journeys;
    await ownJourney(tooOld, { type: 'event', event: name, maxAge: 'PT1H' });
    await ownJourney(limited, { type: 'event', event: name, limit: { max: 1, per: 'P7D' } });
    // The week's one entry, taken as a visitor who then signed in.
    const deps = world.ingestDeps(false, now);
    await ingestEvent(deps, { ...track(id, 'Visited'), userId: undefined, anonymousId: `v-${id}` });
    await earlierEntry(profileKeys.anonymous(`v-${id}`), limited);
    await ingestEvent(deps, { ...identify(id, {}), anonymousId: `v-${id}` });
    const event = track(id, name, {}, '2026-11-24T08:00:00Z');
    const out = await startedBy(() => crashThenRedeliver(event, new CrashPlan(point, landing)));
    await removeJourneys(journeys);
    const skipped: number[] = [];
    for (const journeyId of journeys)
      skipped.push((await world.counters(journeyId)).get('-/entrySkipped') ?? 0);
    return { ...out, skipped, item: await rawProfile(id) };
  }

  const clean = await cleanRun(run);

  it(`makes ${clean.requests} requests when nothing fails`, () => {
    expect([clean.died, clean.skipped, clean.started]).toEqual([false, [1, 1], []]);
  });

  it.each(crashPointsOf(clean.path))(
    'at request $point, $landing it lands: skipped and counted once by each, no mark left',
    async ({ point, landing }) => {
      const { died, started, skipped, item } = await run(point, landing);
      expect(died).toBe(point < clean.requests);
      expect(started).toEqual([]);
      expect(skipped).toEqual([1, 1]);
      expect(pendingMarks(item)).toEqual([]);
    },
  );
});

describe('an event too large for an execution input and for the step waiting for it', async () => {
  async function run(point: number, landing: Landing) {
    const id = caseId('large');
    const name = `Order ${id}`;
    const journeyId = `crash-large-${id}`;
    await ownJourney(journeyId, { type: 'event', event: name });
    // The step counts under the case's journey: one read finds both counts.
    const token = await waiting(id, name, journeyId);
    const event = track(id, name, { note: 'x'.repeat(150 * 1024) });
    const out = await startedBy(() => crashThenRedeliver(event, new CrashPlan(point, landing)));
    await removeJourneys([journeyId]);
    const counters = await world.counters(journeyId);
    return {
      ...out,
      skipped: counters.get('-/entrySkipped') ?? 0,
      ignored: counters.get(`wait-${id}/eventIgnored`) ?? 0,
      resumed: world.effects.resumed.get(token) ?? [],
      waiters: await world.ingestDeps(false, now).enrollments.waitersFor(id, name),
      item: await rawProfile(id),
    };
  }

  const clean = await cleanRun(run);

  it(`makes ${clean.requests} requests when nothing fails`, () => {
    expect([clean.died, clean.skipped, clean.ignored, clean.started]).toEqual([false, 1, 1, []]);
  });

  it.each(crashPointsOf(clean.path))(
    'at request $point, $landing it lands: skipped and ignored, each counted once, the step still waiting',
    async ({ point, landing }) => {
      const { died, started, skipped, ignored, resumed, waiters, item } = await run(point, landing);
      expect(died).toBe(point < clean.requests);
      expect([started, resumed]).toEqual([[], []]);
      expect([skipped, ignored]).toEqual([1, 1]);
      expect(waiters).toHaveLength(1);
      expect(pendingMarks(item)).toEqual([]);
    },
  );
});

describe('an event that enters the customer into a journey', async () => {
  async function run(point: number, landing: Landing) {
    const id = caseId('enter');
    // A journey of its own: its counters (and the guard of its counts) are this case's alone.
    const journeyId = `crash-enroll-${id}`;
    await registerJourney(world.db, {
      id: journeyId,
      name: 'Crash enroll',
      trigger: { type: 'event', event: `Cart Updated ${id}`, correlationKey: 'event.properties.cartId' },
      reentry: { mode: 'once' },
      start: 'pause',
      steps: { pause: { type: 'wait', for: 'P1D', next: 'done' }, done: { type: 'exit' } },
    });
    const event = track(id, `Cart Updated ${id}`, { cartId: `cart-${id}` });
    const before = await world.counters(journeyId);
    const startedBefore = new Set(world.effects.started.keys());
    const out = await crashThenRedeliver(event, new CrashPlan(point, landing));
    const after = await world.counters(journeyId);
    const executions = [...world.effects.started.keys()].filter((name) => !startedBefore.has(name));
    const enrollments = await world.ingestDeps(false, now).enrollments.enrollments(id);
    await removeJourneys([journeyId]);
    return {
      ...out,
      executions,
      enrollments,
      enrolled: (after.get('-/enrolled') ?? 0) - (before.get('-/enrolled') ?? 0),
      profile: await profileOf(id),
    };
  }

  const clean = await cleanRun(run);

  it(`makes ${clean.requests} requests when nothing fails`, () => {
    expect(clean.died).toBe(false);
    expect(clean.requests).toBeGreaterThan(0);
  });

  it.each(crashPointsOf(clean.path))(
    'at request $point, $landing it lands: entered and counted once',
    async ({ point, landing }) => {
      const { again, died, executions, enrollments, enrolled, profile } = await run(point, landing);
      expect(died).toBe(point < clean.requests);
      expect(again?.status).toMatch(/recorded|duplicate/);
      expect(executions).toHaveLength(1);
      expect(enrollments).toHaveLength(1);
      expect(enrolled).toBe(1);
      expect(Object.values(profile.profile.events).map((e) => e.count)).toEqual([1]);
    },
  );
});

describe('an event a waiting step waits for', async () => {
  async function run(point: number, landing: Landing) {
    const id = caseId('resume');
    const token = await waiting(id, 'Order Completed');
    const before = await world.counters('crash-wait');
    const out = await crashThenRedeliver(track(id, 'Order Completed'), new CrashPlan(point, landing));
    const after = await world.counters('crash-wait');
    const waiters = await world.ingestDeps(false, now).enrollments.waitersFor(id, 'Order Completed');
    return {
      ...out,
      resumed: world.effects.resumed.get(token) ?? [],
      received: (after.get(`wait-${id}/eventReceived`) ?? 0) - (before.get(`wait-${id}/eventReceived`) ?? 0),
      waiters,
      profile: await profileOf(id),
    };
  }

  const clean = await cleanRun(run);

  it(`makes ${clean.requests} requests when nothing fails`, () => {
    expect([clean.died, clean.resumed.length, clean.received]).toEqual([false, 1, 1]);
  });

  it.each(crashPointsOf(clean.path))(
    'at request $point, $landing it lands: resumed once, received counted once',
    async ({ point, landing }) => {
      const { died, resumed, received, waiters, profile } = await run(point, landing);
      expect(died).toBe(point < clean.requests);
      expect(resumed).toHaveLength(1);
      expect(received).toBe(1);
      expect(waiters).toEqual([]);
      expect(profile.waitingFor['Order Completed'] ?? 0).toBe(0);
      expect(profile.profile.events['Order Completed']?.count).toBe(1);
    },
  );
});

describe('an identify with traits the profile has no room for', async () => {
  const FULL = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, 'a']));

  async function run(point: number, landing: Landing) {
    const id = caseId('dropped');
    await ingestEvent(world.ingestDeps(false, now), identify(id, FULL, '2026-11-24T09:00:00Z'));
    const event = identify(id, { t0: 'b', extra: 'x', constructor: 'y' }, '2026-11-24T09:01:00Z');
    const reportsOf = () =>
      world.effects.messages
        .map((body) => JSON.parse(body))
        .filter((r) => r.event?.messageId === event.messageId);
    let firstReports = 0;
    const { died, requests, path } = await world.dieThenRetry(new CrashPlan(point, landing), async () => {
      // What the invocation that died had sent, read as the redelivery begins.
      firstReports = reportsOf().length;
      return ingestEvent(world.ingestDeps(true, now), event);
    });
    const stored = await world.db.doc.send(
      new GetCommand({ TableName: world.db.tables.profiles, Key: { userId: id }, ConsistentRead: true }),
    );
    return {
      died,
      requests,
      path,
      firstReports,
      reports: reportsOf(),
      profile: await profileOf(id),
      item: stored.Item,
    };
  }

  const clean = await cleanRun(run);

  it(`makes ${clean.requests} requests when nothing fails`, () => {
    expect([clean.died, clean.reports.length]).toEqual([false, 1]);
  });

  it.each(crashPointsOf(clean.path))(
    'at request $point, $landing it lands: applied once, left-out traits reported',
    async ({ point, landing }) => {
      const { reports, firstReports, profile, died } = await run(point, landing);
      expect(died).toBe(point < clean.requests);
      expect(profile.profile.traits.t0).toBe('b');
      expect(Object.keys(profile.profile.traits)).toHaveLength(100);
      // Once; again only when the first report landed and the invocation died before it was settled.
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports.length).toBeLessThanOrEqual(died && firstReports === 1 ? 2 : 1);
      for (const report of reports)
        expect(report.problems.map((p: { field: string }) => p.field).sort()).toEqual([
          'traits.constructor',
          'traits.extra',
        ]);
    },
  );

  /** The event through ingest dying after the request that leaves its report pending on the profile. */
  async function diedWithReportPending(id: string, event: object) {
    for (let point = 0; point <= clean.requests; point++) {
      world.effects.crash = new CrashPlan(point, 'after').onProxies(world.dbProxy);
      await ingestEvent(world.ingestDeps(true, now), event).catch(() => undefined);
      await world.dbProxy.idle();
      world.effects.crash = CrashPlan.never();
      world.dbProxy.plan(() => 'pass');
      if (pendingMarks(await rawProfile(id)).length > 0) return;
    }
    throw new Error('no crash point left the report pending');
  }

  it('reports an earlier event left pending after a later event with left-out traits has been reported', async () => {
    const id = caseId('dropped-two');
    await ingestEvent(world.ingestDeps(false, now), identify(id, FULL, '2026-11-24T09:00:00Z'));
    const first = identify(id, { extra1: 'x' }, '2026-11-24T09:01:00Z');
    const later = identify(id, { extra2: 'x' }, '2026-11-24T09:02:00Z');
    const reportsOf = (messageId: string) =>
      world.effects.messages.map((body) => JSON.parse(body)).filter((r) => r.event?.messageId === messageId);
    await diedWithReportPending(id, first);
    expect(reportsOf(first.messageId)).toHaveLength(0);
    await ingestEvent(world.ingestDeps(true, now), later);
    await ingestEvent(world.ingestDeps(true, now), first);
    expect(reportsOf(later.messageId)).toHaveLength(1);
    expect(reportsOf(first.messageId)).toHaveLength(1);
    expect(pendingMarks(await rawProfile(id))).toEqual([]);
  });
});
