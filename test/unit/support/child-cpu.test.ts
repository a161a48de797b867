import { describe, expect, it } from 'vitest';
import { waitedChildrenMs } from '../../support/child-cpu.ts';

// utime 7, stime 3 (the process itself), cutime 1234, cstime 56 (children it waited for), in 1/100 s.
const STAT =
  '4242 (node (worker) x) S 1 4242 4242 0 -1 4194304 10 0 0 0 7 3 1234 56 20 0 11 0 1300252 3133440 411';

describe('CPU of the child processes a test worker waited for', () => {
  it('reads the children’s user and system time from a stat line, whatever the command name holds', () => {
    expect(waitedChildrenMs(STAT)).toBe(12_900);
  });

  it('counts nothing where the stat line cannot be read', () => {
    expect(waitedChildrenMs(undefined)).toBe(0);
    expect(waitedChildrenMs('4242 (node) S 1')).toBe(0);
  });
});
