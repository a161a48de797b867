import { readFileSync } from 'node:fs';

/** Linux reports process times in /proc in ticks of 1/100 s, whatever the kernel's own clock. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (ms) of the child processes a process has waited for, from its
 * `/proc/<pid>/stat` line (cutime + cstime): the esbuild builds, Node.js
 * processes, CLI runs and Chromium a test file starts and ends, which its
 * worker's own CPU time leaves out. 0 where there is no such line.
 */
export function waitedChildrenMs(stat: string | undefined): number {
  // The command name, in parentheses, may hold spaces and parentheses: the fields follow the last ')'.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ') ?? [];
  // Fields 16 and 17 of the line; the first after the name is field 3.
  if (fields.length < 15) return 0;
  const ticks = Number(fields[13]) + Number(fields[14]);
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : 0;
}

/** This process's stat line, or undefined off Linux. */
export function ownStat(): string | undefined {
  try {
    return readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
}
