import { describe, expect, it } from 'vitest';
import { awaitEvent } from '#functions/await-event/await.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { caseId } from '../../support/case-ids.ts';
import { CrashPlan, crashPointsOf, type Landing } from '../../support/crash-points.ts';
import { collectedCrashPointWorld, type HandlerWorld } from '../../support/ingest-world.ts';
import { awaitInput, track } from './harness.ts';

/**
 * A waitForEvent step's registration (await-event) dies at each point of its
 * path in turn, when the awaited event is already on the profile (it arrived
 * before the step began) — before one of its requests lands, or after it
 * lands with the answer never read — and the invocation runs again with the
 * same token, as Lambda retries it. Whatever the point, the step is resumed
 * once, the event is counted received once, and the waiter and its digest in
 * the profile's summary are gone.
 */

const NOW = new Date('2026-11-24T10:00:00Z');
const now = () => NOW;

// Started as the file is collected: the points are those of the run with nothing failing.
const world: HandlerWorld = await collectedCrashPointWorld('await-crash', 'crash-await');

async function run(point: number, landing: Landing) {
  const id = caseId('await');
  const deps = world.ingestDeps(false, now);
  const start = await ingestEvent(deps, track(id, 'Wait Started', {}, '2026-11-24T09:57:00Z'));
  const enrollmentId = start.status === 'rejected' ? '' : (start.enrolled[0] ?? '');
  await ingestEvent(deps, track(id, 'Order Completed'));
  const token = `token-${id}`;
  world.effects.waiting.add(token);
  const input = awaitInput(id, {
    journeyId: 'crash-await',
    // A step of its own: its counter (and the guard of its counts) is this case's alone.
    stepId: `wait-${id}`,
    event: 'Order Completed',
    timeoutSeconds: 86_400,
    startedAt: '2026-11-24T09:58:00Z',
    trigger: {},
    enrollmentId,
    token,
  });
  const { died, requests, path } = await world.dieThenRetry(new CrashPlan(point, landing), () =>
    awaitEvent(world.awaitDeps(true, now), input),
  );
  const counters = await world.counters('crash-await');
  return {
    died,
    requests,
    path,
    resumed: world.effects.resumed.get(token) ?? [],
    received: counters.get(`wait-${id}/eventReceived`) ?? 0,
    waiters: await deps.enrollments.waitersFor(id, 'Order Completed'),
    profile: await deps.profiles.get(id),
  };
}

describe('a step registering when its event is already there', async () => {
  world.nothingFails();
  const clean = await run(Number.POSITIVE_INFINITY, 'before');

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
    },
  );
});
