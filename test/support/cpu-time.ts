import { afterAll } from 'vitest';
import { ownStat, waitedChildrenMs } from './child-cpu.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** CPU time of the test file's worker: importing the file and running it (ms). */
    cpuMs?: number;
    /** CPU time of the child processes the file started and saw end (ms): builds, CLI runs, browsers. */
    childCpuMs?: number;
  }
}

/**
 * Records the CPU time a test file costs its worker, from here (before the
 * file is imported) to its last hook, and that of the processes it started
 * and saw end meanwhile. CPU time changes less than wall time when other
 * processes load the machine (not nothing: on a machine loaded several times
 * over, each second of work takes more), so runs can be compared side by side.
 */
const started = process.cpuUsage();
const childrenBefore = waitedChildrenMs(ownStat());

// biome-ignore lint/correctness/noEmptyPattern: vitest wants fixtures destructured; the file comes second.
afterAll(({}, file) => {
  const used = process.cpuUsage(started);
  file.meta.cpuMs = (used.user + used.system) / 1000;
  file.meta.childCpuMs = waitedChildrenMs(ownStat()) - childrenBefore;
});
