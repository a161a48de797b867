import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { now, resetClock, setClock } from '#functions/_lib/clock.ts';
import { JourneyClock, openClock, saveClock } from '#infra/local/runtime/clock.ts';
import { ParkedExecution } from '#infra/local/services/stepfunctions/api/executions.ts';
import {
  type Continuation,
  LocalStateMachine,
  type StateMachineDefinition,
} from '#infra/local/services/stepfunctions/runner/runner.ts';

const T0 = Date.parse('2026-03-02T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Real time a piece of work takes: random, as on a loaded machine. */
const realWork = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));

describe('JourneyClock', () => {
  it('fires timers in due order, those due at one instant in the order they were set', async () => {
    // arrange
    const clock = new JourneyClock(T0);
    const fired: string[] = [];
    const at = (name: string, ms: number) => clock.at(ms, () => fired.push(`${name}@${iso(clock.nowMs())}`));
    at('c', T0 + 3 * HOUR);
    at('a', T0 + HOUR);
    at('b1', T0 + 2 * HOUR);
    at('b2', T0 + 2 * HOUR);
    at('late', T0 + 10 * HOUR);
    // act
    await clock.advanceTo(T0 + 5 * HOUR);
    // assert
    expect(fired).toStrictEqual([
      'a@2026-03-02T13:00:00.000Z',
      'b1@2026-03-02T14:00:00.000Z',
      'b2@2026-03-02T14:00:00.000Z',
      'c@2026-03-02T15:00:00.000Z',
    ]);
    expect(iso(clock.nowMs())).toBe('2026-03-02T17:00:00.000Z');
    expect(clock.nextDueMs()).toBe(T0 + 10 * HOUR);
  });

  it('stands still while work is in flight, and moves once it ends', async () => {
    // arrange
    const clock = new JourneyClock(T0);
    const release = clock.hold();
    let fired = false;
    clock.at(T0 + HOUR, () => {
      fired = true;
    });
    // act
    const advanced = clock.advanceTo(T0 + 2 * HOUR);
    await new Promise((r) => setTimeout(r, 30));
    const whileHeld = { fired, now: clock.nowMs() };
    release();
    await advanced;
    // assert
    expect(whileHeld).toStrictEqual({ fired: false, now: T0 });
    expect(fired).toBe(true);
    expect(clock.nowMs()).toBe(T0 + 2 * HOUR);
  });

  it('gives the same timeline whatever real time the work takes', async () => {
    // A chain of waits where each step does work of random real duration and sets the next timer.
    const timeline = async () => {
      const clock = new JourneyClock(T0);
      const lines: string[] = [];
      const actor = async (name: string, waits: number[]) => {
        const release = clock.hold();
        for (const wait of waits) {
          await realWork();
          await clock.parked(clock.sleep(wait, undefined, name));
          lines.push(`${iso(clock.nowMs())} ${name}`);
        }
        release();
      };
      const actors = [
        actor('x', [HOUR, HOUR, 30 * 60_000]),
        actor('y', [90 * 60_000, HOUR]),
        actor('z', [HOUR]),
      ];
      await clock.advanceTo(T0 + 6 * HOUR);
      await Promise.all(actors);
      return lines.join('\n');
    };
    // act
    const first = await timeline();
    const second = await timeline();
    // assert
    expect(second).toBe(first);
    expect(first.split('\n')).toStrictEqual([
      '2026-03-02T13:00:00.000Z x',
      '2026-03-02T13:00:00.000Z z',
      '2026-03-02T13:30:00.000Z y',
      '2026-03-02T14:00:00.000Z x',
      '2026-03-02T14:30:00.000Z x',
      '2026-03-02T14:30:00.000Z y',
    ]);
  });

  it('interactive: follows the wall clock while idle, and stands still while work is in flight', async () => {
    // arrange: an hour of journey time per real millisecond while idle
    const clock = new JourneyClock(T0);
    let fired = false;
    clock.at(T0 + 5 * HOUR, () => {
      fired = true;
    });
    // act
    clock.runWithWallClock(HOUR, 5);
    while (!fired) await new Promise((r) => setTimeout(r, 5));
    const release = clock.hold();
    await new Promise((r) => setTimeout(r, 5));
    const held = clock.nowMs();
    await new Promise((r) => setTimeout(r, 50));
    const stillHeld = clock.nowMs();
    release();
    clock.stop();
    // assert
    expect(stillHeld).toBe(held);
    expect(held).toBeGreaterThanOrEqual(T0 + 5 * HOUR);
  });

  it('keeps journey time on disk before work runs at it, for a runtime killed outright', async () => {
    // arrange: a data directory whose clock keeps its file current
    const dir = await mkdtemp(join(tmpdir(), 'journeys-clock-'));
    const clock = await openClock(dir, T0, { persist: true });
    const onDisk = async () => (await openClock(dir, 0)).nowMs();
    let atFire: Promise<number> | undefined;
    clock.at(T0 + HOUR, () => {
      atFire = onDisk();
    });
    // act: a timer fires on the way, then work (an event) arrives at the time reached
    await clock.advanceTo(T0 + 2 * HOUR);
    const idle = await onDisk();
    clock.hold()();
    const afterWork = await onDisk();
    clock.stop();
    await rm(dir, { recursive: true, force: true });
    // assert: what a kill at any of these moments leaves: never earlier than the work done
    expect(await atFire).toBe(T0 + HOUR);
    expect(idle).toBe(T0 + HOUR);
    expect(afterWork).toBe(T0 + 2 * HOUR);
  });

  it('resumes the journey time a data directory stopped at', async () => {
    // arrange
    const dir = await mkdtemp(join(tmpdir(), 'journeys-clock-'));
    await saveClock(dir, new JourneyClock(T0 + 10 * 24 * HOUR));
    // act
    const resumed = await openClock(dir, T0);
    const fresh = await openClock(join(dir, 'missing'), T0);
    await rm(dir, { recursive: true, force: true });
    // assert
    expect(resumed.nowMs()).toBe(T0 + 10 * 24 * HOUR);
    expect(fresh.nowMs()).toBe(T0);
  });
});

describe('the handlers clock', () => {
  afterEach(() => resetClock());

  it('reads the installed clock, and real time after a reset', () => {
    setClock(() => new Date(T0));
    expect(now().toISOString()).toBe('2026-03-02T12:00:00.000Z');
    resetClock();
    expect(Math.abs(now().getTime() - Date.now())).toBeLessThan(60_000); // wall-clock ok: what a reset restores
  });
});

describe('the runner on the journey clock', () => {
  const timeOf = (clock: JourneyClock) => ({
    now: () => clock.nowMs(),
    sleep: (ms: number, signal: AbortSignal, key?: string) => clock.sleep(ms, signal, key),
    hold: () => clock.hold(),
    parked: <T>(wait: Promise<T>) => clock.parked(wait),
  });

  it('stamps EnteredTime and reaches a Wait timestamp exactly', async () => {
    // arrange
    const clock = new JourneyClock(T0);
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
      { handlers: {}, time: timeOf(clock) },
    );
    // act
    const run = machine.start({});
    await clock.advanceTo(T0 + 24 * HOUR);
    const outcome = await run.done;
    // assert
    const output = z.object({ before: z.string(), after: z.string() }).parse(outcome.output);
    expect(output).toStrictEqual({ before: '2026-03-02T12:00:00.000Z', after: '2026-03-02T20:00:00.000Z' });
  });

  /**
   * Visit (a Task handed its EnteredTime) → Hold (a token Task, when `hold`) → Again (back to Visit
   * until it has run `visits` times) → Done.
   */
  function looping(
    clock: JourneyClock,
    visits: number,
    handler: (at: string) => Promise<number>,
    hold?: (input: { at: string; token: string }) => void,
  ) {
    const holding: StateMachineDefinition['States'] = {
      Hold: {
        Type: 'Task',
        Resource: 'arn:aws:states:::local:hold.waitForTaskToken',
        Parameters: { 'at.$': '$$.State.EnteredTime', 'token.$': '$$.Task.Token' },
        TimeoutSeconds: 3600,
        Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 60, MaxAttempts: 1 }],
        ResultPath: null,
        Next: 'Again',
      },
    };
    return new LocalStateMachine(
      {
        StartAt: 'Visit',
        States: {
          Visit: {
            Type: 'Task',
            Resource: 'arn:aws:states:::local:visit',
            Parameters: { 'at.$': '$$.State.EnteredTime' },
            Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 60, MaxAttempts: 2 }],
            ResultPath: '$.visits',
            Next: hold === undefined ? 'Again' : 'Hold',
          },
          ...(hold === undefined ? {} : holding),
          Again: {
            Type: 'Choice',
            Choices: [{ Variable: '$.visits', NumericLessThan: visits, Next: 'Visit' }],
            Default: 'Done',
          },
          Done: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, End: true },
        },
      },
      {
        handlers: {
          'arn:aws:states:::local:visit': (input) => handler(z.object({ at: z.string() }).parse(input).at),
          'arn:aws:states:::local:hold.waitForTaskToken': (input) => {
            hold?.(z.object({ at: z.string(), token: z.string() }).parse(input));
            return null;
          },
        },
        time: timeOf(clock),
      },
    );
  }

  it('gives each entry of a state looped at one instant an EnteredTime of its own, at that instant', async () => {
    // arrange: nothing in the loop moves journey time
    const clock = new JourneyClock(T0);
    const seen: string[] = [];
    const machine = looping(clock, 3, async (at) => {
      seen.push(at);
      await realWork();
      return seen.length;
    });
    const history: string[] = [];
    const observer = {
      state: (event: { type: string; state: string }, at: number) =>
        event.type === 'StateEntered' ? history.push(`${event.state}@${iso(at)}`) : undefined,
      attempt: () => undefined,
    };
    // act
    const outcome = await machine.start({}, { observer }).done;
    // assert: three visits, three EnteredTimes, all read as 12:00 — as the history stamps every entry
    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen).toStrictEqual([
      '2026-03-02T12:00:00.000Z',
      '2026-03-02T12:00:00.000000001Z',
      '2026-03-02T12:00:00.000000002Z',
    ]);
    expect(seen.map((at) => Date.parse(at))).toStrictEqual([T0, T0, T0]);
    expect(history).toStrictEqual(
      ['Visit', 'Again', 'Visit', 'Again', 'Visit', 'Again', 'Done'].map(
        (s) => `${s}@2026-03-02T12:00:00.000Z`,
      ),
    );
    expect(outcome.output).toStrictEqual({ at: '2026-03-02T12:00:00.000Z' });
  });

  it('gives a retried Task the EnteredTime of its entry, not of the retry', async () => {
    // arrange: the first attempt fails; the retry runs a minute of journey time later
    const clock = new JourneyClock(T0);
    const seen: string[] = [];
    const machine = looping(clock, 2, async (at) => {
      seen.push(at);
      if (seen.length === 1) throw Object.assign(new Error('slow down'), { name: 'Throttled' });
      return seen.length - 1;
    });
    // act
    const run = machine.start({});
    await clock.advanceTo(T0 + HOUR);
    const outcome = await run.done;
    // assert: the retry keeps the entry's time; the next entry is at 12:01, the first then
    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen).toStrictEqual([
      '2026-03-02T12:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
      '2026-03-02T12:01:00.000Z',
    ]);
  });

  it('keeps the entries of an instant across a parked execution resumed at that instant', async () => {
    // arrange: Hold parks; its token is settled with no journey time passing
    const clock = new JourneyClock(T0);
    const seen: string[] = [];
    const held: string[] = [];
    const machine = looping(
      clock,
      2,
      async (at) => {
        seen.push(at);
        return seen.length;
      },
      ({ at }) => held.push(at),
    );
    const parked: Continuation[] = [];
    const park = (continuation: Continuation) => parked.push(continuation);
    const first = machine.start({}, { name: 'looped', park });
    await first.finished;
    // act: each resumed from the execution log's copy, as a restarted runtime reads it
    const logged = (continuation: Continuation | undefined) =>
      ParkedExecution.parse(JSON.parse(JSON.stringify({ ...continuation, revision: 1 })));
    const settled = { kind: 'settled', settlement: { ok: true, output: {} } } as const;
    const second = machine.resume('looped', logged(parked[0]), settled, { park });
    await second.finished;
    const third = machine.resume('looped', logged(parked[1]), settled, { park });
    const outcome = await third.done;
    // assert: the second visit at 12:00 is a visit of its own, and so is the second hold
    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen).toStrictEqual(['2026-03-02T12:00:00.000Z', '2026-03-02T12:00:00.000000001Z']);
    expect(held).toStrictEqual(['2026-03-02T12:00:00.000Z', '2026-03-02T12:00:00.000000001Z']);
  });

  it('gives a parked Task retried after it resumes the EnteredTime it parked with', async () => {
    // arrange: Hold parks at 12:00 and times out an hour later; its retry a minute later times out too
    const clock = new JourneyClock(T0);
    const held: string[] = [];
    const machine = looping(
      clock,
      1,
      async () => 1,
      ({ at }) => held.push(at),
    );
    const parked: Continuation[] = [];
    const park = (continuation: Continuation) => parked.push(continuation);
    await machine.start({}, { name: 'held', park }).finished;
    await clock.advanceTo(T0 + HOUR);
    // act
    const resumed = machine.resume('held', JSON.parse(JSON.stringify(parked[0])), { kind: 'timeout' });
    await clock.advanceTo(T0 + 3 * HOUR);
    const outcome = await resumed.done;
    // assert: both attempts name the entry at 12:00
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(held).toStrictEqual(['2026-03-02T12:00:00.000Z', '2026-03-02T12:00:00.000Z']);
  });

  /** A loop of two entries of `Count` at one instant: each entry's EnteredTime, kept in `prev`. */
  const counting = (end: 'Counted' | 'Done'): StateMachineDefinition['States'] => ({
    Count: {
      Type: 'Pass',
      Parameters: { 'n.$': 'States.MathAdd($.n, 1)', 'at.$': '$$.State.EnteredTime', 'prev.$': '$' },
      Next: 'Again',
    },
    Again: {
      Type: 'Choice',
      Choices: [{ Variable: '$.n', NumericLessThan: 2, Next: 'Count' }],
      Default: end,
    },
    [end]: { Type: 'Succeed' },
  });
  const stamp = { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' } } as const;

  it('gives each state entry in a Map iteration an EnteredTime of its own, not the Map state’s', async () => {
    // arrange: two iterations one after the other, each a single state, all at 12:00
    const clock = new JourneyClock(T0);
    const machine = new LocalStateMachine(
      {
        StartAt: 'Before',
        States: {
          Before: { ...stamp, ResultPath: '$.before', Next: 'Each' },
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            MaxConcurrency: 1,
            ItemProcessor: { StartAt: 'Item', States: { Item: { ...stamp, End: true } } },
            ResultSelector: { 'items.$': '$', 'at.$': '$$.State.EnteredTime' },
            ResultPath: '$.each',
            Next: 'After',
          },
          After: { ...stamp, ResultPath: '$.after', End: true },
        },
      },
      { handlers: {}, time: timeOf(clock) },
    );
    // act
    const outcome = await machine.start({ items: [0, 1] }).done;
    // assert: the iterations' entries are two entries of Item; the Map state keeps its own
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toStrictEqual({
      items: [0, 1],
      before: { at: '2026-03-02T12:00:00.000Z' },
      each: {
        items: [{ at: '2026-03-02T12:00:00.000Z' }, { at: '2026-03-02T12:00:00.000000001Z' }],
        at: '2026-03-02T12:00:00.000Z',
      },
      after: { at: '2026-03-02T12:00:00.000Z' },
    });
  });

  it('gives each state entry in a Parallel branch an EnteredTime of its own, not the Parallel state’s', async () => {
    // arrange: each branch enters its Count twice at 12:00
    const clock = new JourneyClock(T0);
    const machine = new LocalStateMachine(
      {
        StartAt: 'Fork',
        States: {
          Fork: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Count', States: counting('Counted') },
              { StartAt: 'Other', States: { Other: { ...stamp, End: true } } },
            ],
            ResultSelector: { 'branches.$': '$', 'at.$': '$$.State.EnteredTime' },
            End: true,
          },
        },
      },
      { handlers: {}, time: timeOf(clock) },
    );
    // act
    const outcome = await machine.start({ n: 0 }).done;
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toStrictEqual({
      branches: [
        {
          n: 2,
          at: '2026-03-02T12:00:00.000000001Z',
          prev: { n: 1, at: '2026-03-02T12:00:00.000Z', prev: { n: 0 } },
        },
        { at: '2026-03-02T12:00:00.000Z' },
      ],
      at: '2026-03-02T12:00:00.000Z',
    });
  });

  it('retries a Task after IntervalSeconds × BackoffRate^n of journey time', async () => {
    // arrange
    const clock = new JourneyClock(T0);
    const attempts: string[] = [];
    const machine = new LocalStateMachine(
      {
        StartAt: 'Flaky',
        States: {
          Flaky: {
            Type: 'Task',
            Resource: 'arn:aws:states:::local:flaky',
            Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 3 }],
            End: true,
          },
        },
      },
      {
        handlers: {
          'arn:aws:states:::local:flaky': async () => {
            attempts.push(iso(clock.nowMs()));
            await realWork();
            if (attempts.length < 4) throw Object.assign(new Error('slow down'), { name: 'Throttled' });
            return { ok: true };
          },
        },
        time: timeOf(clock),
      },
    );
    // act
    const run = machine.start({});
    await clock.advanceTo(T0 + HOUR);
    const outcome = await run.done;
    // assert
    expect(outcome.status).toBe('SUCCEEDED');
    expect(attempts).toStrictEqual([
      '2026-03-02T12:00:00.000Z',
      '2026-03-02T12:01:00.000Z',
      '2026-03-02T12:03:00.000Z',
      '2026-03-02T12:07:00.000Z',
    ]);
  });
});
