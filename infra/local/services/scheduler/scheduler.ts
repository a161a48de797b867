import type { LiveJourney } from '#shared/ingest/live-journey.ts';
import type { JourneyClock } from '../../runtime/clock.ts';
import { nextOccurrence } from './schedule-expression.ts';

/** What the segment-entry function receives from a schedule (Scheduler's target input). */
export type ScheduledInvocation = { journeyId: string; scheduledTime: string };
export type ScheduleTarget = (run: ScheduledInvocation) => Promise<unknown>;

export type ScheduledJourney = Pick<LiveJourney, 'journeyId' | 'status' | 'trigger' | 'settings'> & {
  /** When the live version was deployed (journey time): the schedule was created then. */
  deployedAt?: string;
};
type Schedule = { expression: string; timezone: string; start: Date; cancel?: () => void };

/**
 * EventBridge Scheduler on the journey clock: one schedule per active
 * segment-triggered journey of the registry, invoking the segment-entry
 * target with `{journeyId, scheduledTime}` at each occurrence of its
 * `rate(...)` or `cron(...)` (cron in the journey's default time zone).
 */
export class LocalScheduler {
  private readonly schedules = new Map<string, Schedule>();
  private readonly running = new Set<Promise<unknown>>();
  /** When this runtime started: runs due while none was running are not made up. */
  private readonly startedMs: number;

  constructor(
    private readonly clock: JourneyClock,
    private readonly target: ScheduleTarget,
    private readonly onError: (message: string) => void,
  ) {
    this.startedMs = clock.nowMs();
  }

  /**
   * Makes the schedules match the registry, as deploy-journey does in AWS:
   * active segment journeys are scheduled (a changed expression or zone
   * starts the schedule again), every other journey has none.
   */
  sync(journeys: readonly ScheduledJourney[]): void {
    const wanted = new Map<string, { expression: string; timezone: string; deployedAt?: string }>();
    for (const j of journeys) {
      if (j.trigger.type !== 'segment' || j.status !== 'active') continue;
      wanted.set(j.journeyId, {
        expression: j.trigger.schedule,
        timezone: j.settings.defaultTimezone,
        ...(j.deployedAt === undefined ? {} : { deployedAt: j.deployedAt }),
      });
    }
    for (const [journeyId, schedule] of this.schedules) {
      const want = wanted.get(journeyId);
      if (want?.expression === schedule.expression && want.timezone === schedule.timezone) continue;
      schedule.cancel?.();
      this.schedules.delete(journeyId);
    }
    for (const [journeyId, want] of wanted) {
      if (this.schedules.has(journeyId)) continue;
      // A rate runs from when the schedule was made, at its deploy: a runtime started again later keeps
      // its times of day instead of running at the start and every period after it.
      const deployed = Date.parse(want.deployedAt ?? '');
      const start = new Date(
        Number.isNaN(deployed) ? this.clock.nowMs() : Math.min(deployed, this.clock.nowMs()),
      );
      const schedule: Schedule = { expression: want.expression, timezone: want.timezone, start };
      this.schedules.set(journeyId, schedule);
      this.arm(journeyId, schedule, new Date(Math.max(start.getTime(), this.startedMs)));
    }
  }

  /** The journeys that have a schedule, with its expression. */
  list(): { journeyId: string; expression: string; timezone: string }[] {
    return [...this.schedules].map(([journeyId, s]) => ({
      journeyId,
      expression: s.expression,
      timezone: s.timezone,
    }));
  }

  /** Invokes the target for a journey now, as an ad-hoc run; resolves with what the target returned. */
  runNow(journeyId: string): Promise<unknown> {
    return this.track(this.target({ journeyId, scheduledTime: this.clock.now().toISOString() }));
  }

  /** True while an invocation is in flight. */
  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Resolves when no invocation is in flight. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  stop(): void {
    for (const schedule of this.schedules.values()) schedule.cancel?.();
    this.schedules.clear();
  }

  private arm(journeyId: string, schedule: Schedule, from: Date): void {
    let next: Date | undefined;
    try {
      next = nextOccurrence(schedule.expression, from, schedule.start, schedule.timezone);
    } catch (error) {
      this.onError(`schedule of ${journeyId}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (next === undefined) return;
    const at = next;
    schedule.cancel = this.clock.at(
      at.getTime(),
      () => {
        if (this.schedules.get(journeyId) !== schedule) return;
        this.invoke({ journeyId, scheduledTime: at.toISOString() });
        this.arm(journeyId, schedule, new Date(at.getTime() + 1));
      },
      `schedule/${journeyId}`,
    );
  }

  private invoke(run: ScheduledInvocation): void {
    this.track(this.target(run)).catch((error: unknown) => {
      this.onError(
        `segment run of ${run.journeyId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private track<T>(call: Promise<T>): Promise<T> {
    const release = this.clock.hold();
    const settled = call.finally(release).then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
    return call;
  }
}
