import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it, vi } from 'vitest';

/**
 * The local Step Functions tells each state entry once, however many copies
 * of its module a process holds: the interpreter's class is one per process
 * (a dependency Node loads once), while a module registry reset (a test's
 * `vi.resetModules()` in a worker shared by many files) or a bundle beside
 * the sources loads the runner's modules again. Told twice, every entry was
 * counted twice: the second visit of a state at one instant was stamped
 * `…000000002Z`, the third `…000000004Z`.
 */

const MODULE = '#infra/local/services/stepfunctions/runner/runner-entries.ts';

describe('state entries', () => {
  it('are told once when the runner module is loaded twice', async () => {
    // arrange: two copies of the module, each preparing the same interpreter class
    const first = (await import(
      MODULE
    )) as typeof import('#infra/local/services/stepfunctions/runner/runner-entries.ts');
    first.tellEntries(StateMachine);
    vi.resetModules();
    const second = (await import(MODULE)) as typeof first;
    expect(second).not.toBe(first);
    second.tellEntries(StateMachine);
    const told: string[] = [];
    const machine = new StateMachine({
      StartAt: 'one',
      States: { one: { Type: 'Pass', Next: 'two' }, two: { Type: 'Pass', End: true } },
    });
    // act
    await machine.run({}, { ...second.entryOption((state) => void told.push(state)) }).result;
    // assert
    expect(told).toStrictEqual(['one', 'two']);
  });
});
