import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventBridgeEvent } from '#functions/_lib/eventbridge-event.ts';
import { awaitEvent } from '#functions/await-event/await.ts';
import { executionStatusChanged } from '#functions/execution-status/status.ts';
import { ingestEvent } from '#functions/ingest/ingest.ts';
import { EnrollmentInput } from '#shared/tasks/enrollment.ts';
import { caseId } from '../../support/case-ids.ts';
import { CrashPlan, crashPointsOf, type Landing } from '../../support/crash-points.ts';
import { collectedCrashPointWorld, type HandlerWorld, WAIT_FOR_ORDER } from '../../support/ingest-world.ts';
import { awaitInput, registerJourney, track } from './harness.ts';

/**
 * execution-status dies at each point of its handling of an execution's end
 * — before one of its requests lands, or after it lands with the answer
 * never read — and EventBridge delivers the same event again. Whatever the
 * point, the outcome is counted once, the waiting step's waiter is gone (and
 * its digest in the profile's summary, by the next event of its name at the
 * latest), and the enrollment is ended.
 */

const NOW = new Date('2026-11-24T10:00:00Z');
const now = () => NOW;

// Started as the file is collected: the points are those of the handling with nothing failing.
const world: HandlerWorld = await collectedCrashPointWorld('status-crash');

const fixture = readFileSync(
  new URL('../../fixtures/aws/sfn-execution-status-failed.json', import.meta.url),
  'utf8',
);

async function ended(id: string) {
  // A journey of its own: its counters (and the guard of its counts) are this case's alone.
  const journeyId = `crash-status-${id}`;
  await registerJourney(world.db, {
    id: journeyId,
    name: 'Crash status',
    trigger: { type: 'event', event: `Go ${id}` },
    goal: { event: 'Order Completed', within: 'P3D' },
    ...WAIT_FOR_ORDER,
  });
  const started = new Set(world.effects.started.keys());
  await ingestEvent(world.ingestDeps(false, now), track(id, `Go ${id}`));
  const [raw] = [...world.effects.started].filter(([name]) => !started.has(name)).map(([, e]) => e.input);
  const input = EnrollmentInput.parse(JSON.parse(String(raw)));
  await awaitEvent(
    world.awaitDeps(false, now),
    awaitInput(id, {
      journeyId,
      stepId: 'wait',
      event: 'Order Completed',
      timeoutSeconds: 86_400,
      startedAt: '2026-11-24T10:00:00Z',
      trigger: {},
      enrollmentId: input.enrollmentId,
    }),
  );
  const text = fixture
    .replaceAll('ENROLLMENT_ID', input.enrollmentId)
    .replace('"INPUT"', JSON.stringify(raw));
  return { journeyId, input, detail: EventBridgeEvent.parse(JSON.parse(text)).detail };
}

async function run(point: number, landing: Landing) {
  const id = caseId('status');
  const { journeyId, input, detail } = await ended(id);
  const deps = () => {
    const { enrollments, profiles, stats } = world.ingestDeps(true, now);
    return { enrollments, profiles, stats };
  };
  const { died, requests, path } = await world.dieThenRetry(new CrashPlan(point, landing), () =>
    executionStatusChanged(deps(), detail),
  );
  const direct = world.ingestDeps(false, now);
  const counters = await world.counters(journeyId);
  const waiters = await direct.enrollments.waitersOf(id, input.enrollmentId);
  const enrollment = await direct.enrollments.enrollment(id, input.enrollmentId);
  // A digest whose waiter went before the invocation died stays in the summary until the next
  // event of its name finds no waiter and corrects it (profile-waiting.ts): that event comes here.
  await ingestEvent(direct, track(id, 'Order Completed'));
  return {
    died,
    requests,
    path,
    outcomes: [...counters].filter(([key]) => key.startsWith('-/') && key !== '-/enrolled'),
    waiters,
    profile: await direct.profiles.get(id),
    enrollment,
  };
}

describe('the end of an execution with a waiting step', async () => {
  world.nothingFails();
  const clean = await run(Number.POSITIVE_INFINITY, 'before');

  it(`makes ${clean.requests} requests when nothing fails, and ends it`, () => {
    expect(clean.died).toBe(false);
    expect(clean.outcomes.map(([, count]) => count)).toEqual([1]);
    expect(clean.enrollment?.endedAt).toBeDefined();
  });

  it.each(crashPointsOf(clean.path))(
    'at request $point, $landing it lands: outcome counted once, waiter gone',
    async ({ point, landing }) => {
      // Whether this invocation died is not asserted: the handling's request count can differ from the
      // clean run's by the items earlier cases left (the points still cover every request it makes).
      const { outcomes, waiters, profile, enrollment } = await run(point, landing);
      expect(outcomes.map(([, count]) => count)).toEqual([1]);
      expect(waiters).toEqual([]);
      expect(profile.waitingFor['Order Completed'] ?? 0).toBe(0);
      expect(enrollment?.endedAt).toBeDefined();
    },
  );
});
