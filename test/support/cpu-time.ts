import { afterAll } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** CPU time of the test file's worker: importing the file and running it (ms). */
    cpuMs?: number;
  }
}

/**
 * Records the CPU time a test file costs its worker, from here (before the
 * file is imported) to its last hook. Unlike wall time, it barely changes
 * when other processes load the machine, so runs can be compared.
 */
const started = process.cpuUsage();

// biome-ignore lint/correctness/noEmptyPattern: vitest wants fixtures destructured; the file comes second.
afterAll(({}, file) => {
  const used = process.cpuUsage(started);
  file.meta.cpuMs = (used.user + used.system) / 1000;
});
