// First: the handlers' logger and metrics read their level when the runtime's imports load them;
// a scenario run prints its report, not the handlers' INFO lines and metrics.
import '#infra/local/runtime/quiet-handlers.ts';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allProblems, loadScenarios } from '#infra/local/scenarios/load.ts';
import { runInWorkers, type ScenarioDone, scenarioDone, toWire } from '#infra/local/scenarios/parallel.ts';
import { junitReport, passed, textReport } from '#infra/local/scenarios/report.ts';
import { runScenarios, type ScenarioResult } from '#infra/local/scenarios/run-scenario.ts';
import { scenarioJsonSchema } from '#infra/local/scenarios/scenario.ts';
import { writeOutputFile } from '../files.ts';
import { fail, paint, terminalLine } from '../output.ts';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type TestOptions = {
  journeysDir?: string;
  reporter: string;
  out?: string;
  schema?: string;
  jobs?: string;
  /** Internal: run the given files and write raw results to this file (a worker of a parallel run). */
  worker?: string;
};

/**
 * `journeys test [files...]`: runs journey scenarios (default
 * `<journeys>/tests/*.test.json`) on the deterministic clock; exit 1 on any
 * failed expectation.
 */
export async function testCommand(paths: string[], options: TestOptions): Promise<void> {
  if (options.schema !== undefined) {
    await writeOutputFile(options.schema, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
    process.stdout.write(`wrote ${options.schema}\n`);
    return;
  }
  if (options.reporter !== 'text' && options.reporter !== 'junit')
    return fail(`--reporter must be text or junit, got "${options.reporter}"`);
  const journeysDir = resolve(options.journeysDir ?? join(PROJECT, 'journeys'));
  const loaded = await loadScenarios(
    paths.length > 0 ? paths.map((p) => resolve(p)) : [join(journeysDir, 'tests')],
    process.cwd(),
  );
  const { scenarios } = loaded;
  const problems = await allProblems(loaded, journeysDir);
  if (problems.length > 0)
    return fail(`invalid scenario files:\n${problems.map((p) => `    ${p}`).join('\n')}`);
  if (scenarios.length === 0) {
    const searched = paths.length > 0 ? paths : [relative(process.cwd(), join(journeysDir, 'tests'))];
    return fail(`no scenarios found: no file named *.test.json in ${searched.join(', ')}`);
  }
  if (options.worker !== undefined) {
    // The process that started this one prints the progress.
    const onResult = (r: ScenarioResult) => process.send?.({ scenarioDone: scenarioDone(r) });
    await writeFile(options.worker, toWire(await runScenarios(scenarios, journeysDir, { onResult })));
    return;
  }
  const jobs = Number(options.jobs ?? Math.min(2, availableParallelism()));
  if (!Number.isInteger(jobs) || jobs < 1)
    return fail(`--jobs must be a whole number ≥ 1, got "${options.jobs}"`);
  // Names relative to the working directory, which the workers share.
  const files = [...new Set(scenarios.map((s) => s.file))];
  const progress = progressPrinter(scenarios.length);
  const results =
    jobs === 1 || files.length === 1
      ? await runScenarios(scenarios, journeysDir, { onResult: (r) => progress(scenarioDone(r)) })
      : await runInWorkers(
          files,
          jobs,
          (share, resultsFile) => [
            process.argv[1] ?? '',
            'test',
            '--worker',
            resultsFile,
            '--journeys-dir',
            journeysDir,
            ...share,
          ],
          progress,
        );
  const report = options.reporter === 'junit' ? junitReport(results) : textReport(results, paint);
  if (options.out === undefined) process.stdout.write(report);
  else {
    await writeOutputFile(options.out, report);
    if (options.reporter === 'junit') process.stdout.write(textReport(results, paint));
  }
  if (!passed(results)) process.exitCode = 1;
}

/**
 * Prints a line on standard error as each scenario ends (`[3/20] ✓ file › name (4.2 s)`):
 * a long run shows it is moving, in a terminal and in a CI log, while the
 * report itself (text or JUnit) comes whole at the end, on standard output.
 */
function progressPrinter(total: number): (done: ScenarioDone) => void {
  let count = 0;
  return (done) => {
    count += 1;
    const mark = done.ok ? paint('green', '✓') : paint('red', '✗');
    const seconds = paint('dim', `(${(done.wallMs / 1000).toFixed(1)} s)`);
    process.stderr.write(
      `[${count}/${total}] ${mark} ${terminalLine(done.file)} › ${terminalLine(done.name)} ${seconds}\n`,
    );
  };
}
