import { describe, expect, it } from 'vitest';
import { Timers } from '#infra/simulate/machine/timers.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');

/** A fixed stream of numbers in [0, 1): the same timers every run. */
function stream(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe('simulation timers', () => {
  it('fire by due time, timers due at once in the order they were set, past times next', async () => {
    const timers = new Timers(T0);
    const fired: string[] = [];
    timers.at(T0 + 2000, () => void fired.push('b'));
    timers.at(T0 + 1000, () => void fired.push('a1'));
    timers.at(T0 + 1000, () => {
      fired.push('a2');
      // Set while firing: one in the past runs next, at the current time; one due now runs after it.
      timers.at(T0, () => void fired.push(`past at ${timers.now - T0}`));
      timers.at(T0 + 1000, () => void fired.push('now'));
    });
    timers.at(T0 + 1000, () => void fired.push('a3'));
    await timers.run();
    expect(fired).toEqual(['a1', 'a2', 'a3', 'past at 1000', 'now', 'b']);
    expect(timers.now).toBe(T0 + 2000);
    expect(timers.nextAt).toBe(Number.POSITIVE_INFINITY);
  });

  it('stop before a timer due after the end given, and go on from it', async () => {
    const timers = new Timers(T0);
    const fired: number[] = [];
    for (const offset of [3000, 1000, 2000]) timers.at(T0 + offset, () => void fired.push(offset));
    await timers.run(T0 + 2000);
    expect(fired).toEqual([1000, 2000]);
    expect(timers.nextAt).toBe(T0 + 3000);
    await timers.run();
    expect(fired).toEqual([1000, 2000, 3000]);
  });

  it('keep that order over many thousands of timers, set before and while firing', async () => {
    const timers = new Timers(T0);
    const next = stream(7);
    const fired: { at: number; set: number }[] = [];
    let set = 0;
    const add = (at: number) => {
      const order = set++;
      timers.at(at, () => {
        fired.push({ at: timers.now, set: order });
        // A quarter of the timers set another, some at the same instant (a burst of work at one time).
        if (next() < 0.25) add(timers.now + (next() < 0.5 ? 0 : Math.floor(next() * 60_000)));
      });
    };
    // Times on a coarse grid, so that many share a due time.
    for (let i = 0; i < 5000; i++) add(T0 + Math.floor(next() * 500) * 1000);
    await timers.run();
    expect(fired.length).toBe(set);
    const expected = [...fired].sort((a, b) => a.at - b.at || a.set - b.set);
    expect(fired).toEqual(expected);
  });
});
