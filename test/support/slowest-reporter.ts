import type { Reporter, TestModule } from 'vitest/node';

const SHOWN = 10;

type Row = { ms: number; name: string; detail?: string };

/**
 * Prints, after a run, the slowest ten tests and the ten test files that
 * cost the most CPU, with where each file's time went (import vs tests), the
 * CPU total of all workers and of the processes the files started, and that
 * of Vitest's own process (transforms, collection, reports), which shares
 * the cores with the workers: the figures to compare between runs.
 */
export default class SlowestReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const tests: Row[] = [];
    const files: Row[] = [];
    let cpuTotal = 0;
    let childTotal = 0;
    for (const module of modules) {
      const name = module.relativeModuleId;
      const diagnostic = module.diagnostic();
      const { cpuMs = 0, childCpuMs = 0 } = module.meta();
      cpuTotal += cpuMs;
      childTotal += childCpuMs;
      const children = childCpuMs > 0 ? `, subprocesses ${seconds(childCpuMs)} CPU` : '';
      files.push({
        ms: cpuMs + childCpuMs,
        name,
        detail: `import ${seconds(diagnostic.collectDuration)}, tests ${seconds(diagnostic.duration)}${children}`,
      });
      for (const test of module.children.allTests())
        tests.push({ ms: test.diagnostic()?.duration ?? 0, name: `${name} › ${test.fullName}` });
    }
    const own = process.cpuUsage();
    const lines = [
      '',
      `Slowest ${SHOWN} tests (wall time):`,
      ...top(tests).map((row) => `  ${seconds(row.ms).padStart(7)}  ${row.name}`),
      `Test files by CPU time (worker and subprocesses, import + tests; all files: ${seconds(cpuTotal)} in workers, ${seconds(childTotal)} in subprocesses):`,
      ...top(files).map((row) => `  ${seconds(row.ms).padStart(7)}  ${row.name}  (wall: ${row.detail})`),
      `Vitest's own process (transforms, collection, reports): ${seconds((own.user + own.system) / 1000)} CPU`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

function top(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => b.ms - a.ms).slice(0, SHOWN);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
