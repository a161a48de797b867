import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { resetClock, setClock } from '#functions/_lib/clock.ts';
import { EnrollmentItems } from '#functions/_lib/enrollment-items.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import type { SegmentDeps } from '#functions/segment-entry/deps.ts';
import { processRecords } from '#functions/segment-entry/records.ts';
import { startRun } from '#functions/segment-entry/run.ts';
import { runKey } from '#functions/segment-entry/run-record.ts';
import type { CountSink } from '#functions/segment-entry/tally.ts';
import {
  CrashPlan,
  crashPointsOf,
  firstOfEachPath,
  type RequestKind,
  readsOnly,
} from '../../support/crash-points.ts';
import { collectedCrashPointWorld, type HandlerWorld } from '../../support/ingest-world.ts';
import { plusSegmentJourney, segmentDepsOn } from '../../support/segment-deps.ts';
import { identify, registerJourney } from './harness.ts';

/**
 * A scheduled segment run, carried out to its end, with one of its
 * invocations dying at one of its requests — before it lands, or after it
 * lands with the answer never read — and its caller trying again as it does:
 * the scheduler invokes the run again, SQS delivers the same message again.
 * Whatever the invocation and the point, every customer in the segment is
 * entered once (one execution, counted once), no one is left out, and the
 * run completes once, after the last entry, and is announced so (again only
 * when the invocation that announced it died before marking it announced).
 */

let n = 0;
const RUN = '2026-11-30T09:00:00.000Z';
const NOW = new Date('2026-11-30T09:00:07Z');
const now = () => NOW;
/**
 * The handlers' clock, two seconds on at each invocation: a count's guard cannot tell a write in
 * the same second from one after its mark (stats.ts), and counts of different customers of a run
 * (a limit's refusal, an entry) may share its slot — on wall time, whether they did would depend
 * on the machine's speed.
 */
let clockMs = NOW.getTime();
setClock(() => new Date(clockMs));
afterAll(() => resetClock());
const MEMBERS = ['seg-a'];
/**
 * In the segment and turned away, each for its reason: outside the audience (judged on the page),
 * entered before under re-entry `once`, and at the entry limit (both judged when enrolling).
 */
const TURNED_AWAY = { 'seg-out': 'audience', 'seg-again': 'reentry', 'seg-limited': 'limit' } as const;
// Started as the file is collected: the crash points are those of the run with nothing failing.
const world: HandlerWorld = await collectedCrashPointWorld('segment-crash');
for (const id of [...MEMBERS, ...Object.keys(TURNED_AWAY), 'seg-other'])
  await ingestEvent(
    world.ingestDeps(false, now),
    identify(
      id,
      { tier: id === 'seg-other' ? 'free' : 'plus', country: id === 'seg-out' ? 'XX' : 'IT' },
      '2026-11-01T00:00:00Z',
    ),
  );

/**
 * The run's figures, exact whatever died: every profile scanned once, every member and every one
 * turned away when enrolling matched once, one enroll item each (a page holds one profile), each
 * counted once with the member it entered, and each one turned away counted once by reason.
 */
const FIGURES = {
  scanned: MEMBERS.length + 4,
  matched: MEMBERS.length + 2,
  enrollItems: MEMBERS.length + 2,
  entered: MEMBERS.length,
  stopped: undefined,
  skipped: { audience: 1, reentry: 1, cooldown: 0, limit: 1, tooLarge: 0 },
};
const figuresOf = (event: Record<string, unknown> | undefined) => ({
  scanned: event?.scanned,
  matched: event?.matched,
  enrollItems: event?.enrollItems,
  entered: event?.entered,
  stopped: event?.stopped,
  skipped: event?.skipped,
});

/** The earlier entries that turn `seg-again` and `seg-limited` away from a journey. */
async function enteredBefore(journeyId: string): Promise<void> {
  const enrollments = new EnrollmentItems(world.db.doc, world.db.tables.enrollments);
  const at = '2026-11-28T09:00:00.000Z';
  await enrollments.claimEntry(
    'seg-again',
    journeyId,
    { at, enrollmentId: `${journeyId}-before` },
    {
      mode: 'once',
    },
  );
  await enrollments.limits.claim(
    'seg-limited',
    journeyId,
    { id: `${journeyId}-week`, at },
    {
      max: 1,
      per: 'P7D',
      zone: 'UTC',
    },
  );
}

/** More invocations than a run takes (checked below). */
const INVOCATIONS = 24;

function segmentDeps(faulty: boolean): SegmentDeps {
  const { tables } = world.db;
  return segmentDepsOn({
    doc: world.docOf(faulty),
    client: world.db.client,
    registryDoc: world.db.doc,
    tables,
    now,
    inFlight: 1,
    scanPageSize: 1,
  });
}

/** True once the run's record says its completion was announced. */
async function announcedMark(journeyId: string): Promise<boolean> {
  const out = await world.db.doc.send(
    new GetCommand({
      TableName: world.db.tables.stats,
      Key: runKey({ journeyId, runId: RUN }),
      ConsistentRead: true,
    }),
  );
  return out.Item?.announcedAt !== undefined;
}

/**
 * The run from its schedule to an empty queue, invocation `crashAt` dying at `point`. The queue
 * holds what SQS took since the run began; a message whose invocation died, or that the batch
 * reported failed, is delivered again (as SQS does once its visibility timeout passes).
 */
async function run(crashAt: number, point: number, landing: 'before' | 'after') {
  n += 1;
  const journeyId = `crash-segment-${n}`;
  const plus = plusSegmentJourney(journeyId, 'profile.traits.tier');
  await registerJourney(world.db, {
    ...plus,
    trigger: { ...plus.trigger, limit: { max: 1, per: 'P7D' } },
    audience: { path: 'profile.traits.country', ne: 'XX' },
  });
  await enteredBefore(journeyId);
  const startedBefore = new Set(world.effects.started.keys());
  const eventsBefore = world.effects.events.length;
  let taken = world.effects.messages.length;
  const queue: { messageId: string; body: string }[] = [];
  const take = () => {
    for (const body of world.effects.messages.slice(taken))
      queue.push({ messageId: `q-${queue.length}-${taken}`, body });
    taken = world.effects.messages.length;
  };
  let invocation = 0;
  let died = false;
  const paths: RequestKind[][] = [];
  // The customers started when the run was first announced complete: all of them, or it came early.
  let startedAtCompletion: number | undefined;
  // Completions announced by an invocation that died before marking them announced: its retry
  // announces the run again.
  let announcedUnmarked = 0;
  // What the attempts reported as their counts landed, dying ones too (their sink writes at once).
  const reported = { scanned: 0, matched: 0, completed: 0, skipped: 0 };
  const sink: CountSink = {
    page: ({ scanned, matched }) => {
      reported.scanned += scanned;
      reported.matched += matched;
    },
    skipped: (skips) => {
      reported.skipped += skips.length;
    },
    completed: () => {
      reported.completed += 1;
    },
  };
  const newNames = () => [...world.effects.started.keys()].filter((name) => !startedBefore.has(name));
  const completions = () =>
    world.effects.events
      .slice(eventsBefore)
      .filter((e) => e.detailType === 'Segment Run Completed' && JSON.parse(e.detail).journeyId === journeyId)
      .length;
  const invoke = async <T>(call: (faulty: boolean) => Promise<T>): Promise<T | undefined> => {
    const plan = invocation === crashAt ? new CrashPlan(point, landing) : CrashPlan.never();
    invocation += 1;
    clockMs += 2_000;
    const before = completions();
    let attempts = 0;
    const out = await world.dieThenRetry(plan, async () => {
      attempts += 1;
      if (attempts === 2 && completions() > before && !(await announcedMark(journeyId)))
        announcedUnmarked += 1;
      return call(true);
    });
    died ||= out.died;
    paths.push(out.path);
    if (completions() > 0 && startedAtCompletion === undefined) startedAtCompletion = newNames().length;
    return out.result;
  };
  await invoke(() => startRun(segmentDeps(true), { journeyId, scheduledTime: RUN }));
  take();
  while (queue.length > 0 && invocation < 200) {
    const record = queue.shift();
    if (record === undefined) break;
    const result = await invoke(() => processRecords(segmentDeps(true), [record], sink));
    take();
    if (result === undefined || result.batchItemFailures.length > 0) queue.push(record);
  }
  const names = newNames();
  const events = world.effects.events
    .slice(eventsBefore)
    .map((e) => ({ type: e.detailType, ...JSON.parse(e.detail) }));
  const counters = await world.counters(journeyId);
  return {
    died,
    invocations: invocation,
    paths,
    names,
    startedAtCompletion,
    announcedUnmarked,
    reported,
    enrolled: counters.get('-/enrolled') ?? 0,
    completed: events.filter((e) => e.type === 'Segment Run Completed' && e.journeyId === journeyId),
    announced: events.filter((e) => e.type === 'Segment Run Started' && e.journeyId === journeyId),
  };
}

// An invocation's requests vary a little from run to run (the members' items grow with the runs
// before): its points are the most either of two clean runs made, and one past.
const first = await run(-1, 0, 'before');
const clean = await run(-1, 0, 'before');
const mostRequests = (invocation: number) =>
  Math.max(first.paths[invocation]?.length ?? 0, clean.paths[invocation]?.length ?? 0);
/** The invocation's path in either clean run, a write at each point where either run wrote. */
const widestPath = (invocation: number): RequestKind[] => {
  const [a = [], b = []] = [first.paths[invocation], clean.paths[invocation]];
  return Array.from({ length: mostRequests(invocation) }, (_, i) => {
    const kinds = [a[i], b[i]].filter((kind) => kind !== undefined);
    return kinds.find((kind) => !readsOnly(kind)) ?? kinds[0] ?? '';
  });
};

it(`takes fewer than ${INVOCATIONS} invocations when nothing fails, each entering and completing once`, () => {
  expect(clean.died).toBe(false);
  expect(clean.invocations).toBeLessThan(INVOCATIONS);
  expect(clean.names).toHaveLength(MEMBERS.length);
  expect(clean.enrolled).toBe(MEMBERS.length);
  expect(clean.completed).toHaveLength(1);
  expect(figuresOf(clean.completed[0])).toEqual(FIGURES);
  expect(clean.startedAtCompletion).toBe(MEMBERS.length);
  const turnedAway = Object.keys(TURNED_AWAY).length;
  expect(clean.reported).toEqual({
    scanned: FIGURES.scanned,
    matched: FIGURES.matched,
    completed: 1,
    skipped: turnedAway,
  });
});

/**
 * The invocations a dying one is tried at: the first of each path the run's invocations took with
 * nothing failing — the scheduled one (the run's record, its announcement, the fan-out), scan pages
 * with matches or none and their continuation, a segment's last page, the one completing the run,
 * enroll items (their counters' items new or there) — at the points of its path (crashPointsOf).
 */
const DYING = firstOfEachPath(clean.paths);
const CASES = DYING.flatMap((invocation) =>
  crashPointsOf(widestPath(invocation)).map((at) => ({ invocation, ...at })),
);

describe.each(CASES)(
  'invocation $invocation dying at request $point, $landing it lands',
  ({ invocation, point, landing }) => {
    it('enters each member once, no one left out, and completes the run once, after the last entry', async () => {
      const out = await run(invocation, point, landing);
      // One past the most requests the invocation made: it lives.
      if (point >= mostRequests(invocation)) expect(out.died).toBe(false);
      expect(out.names).toHaveLength(MEMBERS.length);
      expect(out.enrolled).toBe(MEMBERS.length);
      expect(out.announced.length).toBeGreaterThanOrEqual(1);
      // Announced once; again only when the invocation that announced it died before marking it so.
      expect(out.completed).toHaveLength(1 + out.announcedUnmarked);
      for (const completed of out.completed) expect(figuresOf(completed)).toEqual(FIGURES);
      expect(out.startedAtCompletion).toBe(MEMBERS.length);
      // Reported once, by the attempt whose write counted it, as the write answered: at most once
      // when the attempt died with that write landed and its answer never read.
      const turnedAway = Object.keys(TURNED_AWAY).length;
      const once = { scanned: FIGURES.scanned, matched: FIGURES.matched, completed: 1, skipped: turnedAway };
      if (landing === 'before') expect(out.reported).toEqual(once);
      for (const [figure, count] of Object.entries(once))
        expect(out.reported[figure as keyof typeof once]).toBeLessThanOrEqual(count);
    });
  },
);
