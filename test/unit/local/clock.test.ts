import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { now, resetClock, setClock } from '#functions/_lib/clock.ts';
import { openClock, ScaledClock, saveClock } from '#infra/local/clock.ts';
import { LocalStateMachine } from '#infra/local/stepfunctions/runner.ts';

const T0 = Date.parse('2026-03-02T12:00:00Z');

describe('ScaledClock', () => {
  it.each([
    { scale: 1, realElapsed: 1_000, virtual: '2026-03-02T12:00:01.000Z' },
    { scale: 3600, realElapsed: 1_000, virtual: '2026-03-02T13:00:00.000Z' },
    { scale: 3600, realElapsed: 8_000, virtual: '2026-03-02T20:00:00.000Z' },
    { scale: 86_400, realElapsed: 500, virtual: '2026-03-03T00:00:00.000Z' },
  ])('×$scale after $realElapsed real ms reads $virtual', ({ scale, realElapsed, virtual }) => {
    // arrange
    let real = 5_000;
    const clock = new ScaledClock(scale, T0, () => real);
    // act
    real += realElapsed;
    // assert
    expect(clock.now().toISOString()).toBe(virtual);
  });

  it('turns a virtual duration into the real time it takes', () => {
    const clock = new ScaledClock(3600, T0, () => 0);
    expect(clock.realMs(8 * 3_600_000)).toBe(8_000);
  });

  it('rejects a scale that is not positive', () => {
    expect(() => new ScaledClock(0)).toThrow(/positive/);
  });

  it('resumes the journey time a data directory stopped at', async () => {
    // arrange
    const dir = await mkdtemp(join(tmpdir(), 'journeys-clock-'));
    const ahead = Date.now() + 10 * 86_400_000;
    await saveClock(dir, new ScaledClock(1, ahead, () => 0));
    // act
    const resumed = await openClock(dir, 3600);
    const fresh = await openClock(join(dir, 'missing'), 3600);
    await rm(dir, { recursive: true, force: true });
    // assert
    expect(resumed.nowMs()).toBeGreaterThanOrEqual(ahead);
    expect(fresh.nowMs()).toBeLessThan(ahead);
  });
});

describe('the handlers clock', () => {
  afterEach(() => resetClock());

  it('reads the installed clock, and real time after a reset', () => {
    setClock(() => new Date(T0));
    expect(now().toISOString()).toBe('2026-03-02T12:00:00.000Z');
    resetClock();
    expect(Math.abs(now().getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe('the runner on a scaled clock', () => {
  it('stamps EnteredTime and waits for a timestamp in journey time', async () => {
    // arrange: 8 journey hours until the timestamp take 0.8 s at 36,000×
    const journeyNow = { ms: () => T0 };
    const machine = new LocalStateMachine(
      {
        StartAt: 'Stamp',
        States: {
          Stamp: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, Next: 'Until' },
          Until: { Type: 'Wait', Timestamp: '2026-03-02T20:00:00Z', Next: 'After' },
          After: {
            Type: 'Pass',
            Parameters: { 'before.$': '$.at', 'after.$': '$$.State.EnteredTime' },
            End: true,
          },
        },
      },
      { handlers: {}, timeScale: 1 / 36_000, clock: () => journeyNow.ms() },
    );
    // The clock starts after the machine is built (building it takes real time).
    const clock = new ScaledClock(36_000, T0);
    journeyNow.ms = () => clock.nowMs();
    // act
    const outcome = await machine.start({}).done;
    // assert
    const output = z.object({ before: z.string(), after: z.string() }).parse(outcome.output);
    expect(Date.parse(output.before) - T0).toBeLessThan(3_600_000);
    expect(Date.parse(output.after)).toBeGreaterThanOrEqual(Date.parse('2026-03-02T20:00:00Z'));
  });
});
