import { describe, expect, it } from 'vitest';
import { JourneyClock } from '#infra/local/runtime/clock.ts';
import {
  LocalScheduler,
  type ScheduledInvocation,
  type ScheduledJourney,
} from '#infra/local/services/scheduler/scheduler.ts';

const DEPLOYED = Date.parse('2026-03-02T09:00:00Z');
const HOUR = 3_600_000;

function dailyJourney(deployedAt: string): ScheduledJourney {
  return {
    journeyId: 'daily-digest',
    status: 'active',
    trigger: {
      type: 'segment',
      schedule: 'rate(1 day)',
      segment: { path: 'profile.traits.plan', eq: 'plus' },
    },
    settings: { defaultTimezone: 'Europe/Rome' },
    deployedAt,
  };
}

function recording(clock: JourneyClock) {
  const runs: ScheduledInvocation[] = [];
  const scheduler = new LocalScheduler(
    clock,
    async (run) => runs.push(run),
    (message) => {
      throw new Error(message);
    },
  );
  return { runs, scheduler };
}

describe('the local scheduler', () => {
  it('runs a rate schedule deployed while it runs at its deploy, then every period', async () => {
    // arrange
    const clock = new JourneyClock(DEPLOYED);
    const { runs, scheduler } = recording(clock);
    // act
    scheduler.sync([dailyJourney(new Date(DEPLOYED).toISOString())]);
    await clock.advanceTo(DEPLOYED + 30 * HOUR);
    await scheduler.idle();
    scheduler.stop();
    // assert
    expect(runs.map((r) => r.scheduledTime)).toStrictEqual([
      '2026-03-02T09:00:00.000Z',
      '2026-03-03T09:00:00.000Z',
    ]);
  });

  it('keeps a rate schedule on the times of its deploy when the runtime starts again later', async () => {
    // arrange: a runtime started again 30 hours after the journey was deployed
    const clock = new JourneyClock(DEPLOYED + 30 * HOUR);
    const { runs, scheduler } = recording(clock);
    // act: the schedules follow the registry, then a day passes
    scheduler.sync([dailyJourney(new Date(DEPLOYED).toISOString())]);
    await clock.advanceTo(DEPLOYED + 54 * HOUR);
    await scheduler.idle();
    scheduler.stop();
    // assert: 09:00 every day, as deployed, not the time of the restart
    expect(runs.map((r) => r.scheduledTime)).toStrictEqual(['2026-03-04T09:00:00.000Z']);
  });
});
