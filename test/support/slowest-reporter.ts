import type { Reporter, TestModule } from 'vitest/node';

const SHOWN = 10;

type Row = { ms: number; name: string; detail?: string };

/**
 * Prints, after a run, the slowest ten tests and the ten test files that
 * cost the most CPU, with where each file's time went (import vs tests),
 * and the CPU total of all workers: the figures to compare between runs.
 */
export default class SlowestReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const tests: Row[] = [];
    const files: Row[] = [];
    let cpuTotal = 0;
    for (const module of modules) {
      const name = module.relativeModuleId;
      const diagnostic = module.diagnostic();
      const cpu = module.meta().cpuMs ?? 0;
      cpuTotal += cpu;
      files.push({
        ms: cpu,
        name,
        detail: `import ${seconds(diagnostic.collectDuration)}, tests ${seconds(diagnostic.duration)}`,
      });
      for (const test of module.children.allTests())
        tests.push({ ms: test.diagnostic()?.duration ?? 0, name: `${name} › ${test.fullName}` });
    }
    const lines = [
      '',
      `Slowest ${SHOWN} tests (wall time):`,
      ...top(tests).map((row) => `  ${seconds(row.ms).padStart(7)}  ${row.name}`),
      `Test files by CPU time (worker, import + tests; all files: ${seconds(cpuTotal)}):`,
      ...top(files).map((row) => `  ${seconds(row.ms).padStart(7)}  ${row.name}  (wall: ${row.detail})`),
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
