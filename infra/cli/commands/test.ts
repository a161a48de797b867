// First: the handlers' logger and metrics read their level when the runtime's imports load them;
// a scenario run prints its report, not the handlers' INFO lines and metrics.
import '#infra/local/runtime/quiet-handlers.ts';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allProblems, loadScenarios } from '#infra/local/scenarios/load.ts';
import { runInWorkers, toWire } from '#infra/local/scenarios/parallel.ts';
import { junitReport, passed, textReport } from '#infra/local/scenarios/report.ts';
import { runScenarios } from '#infra/local/scenarios/run-scenario.ts';
import { scenarioJsonSchema } from '#infra/local/scenarios/scenario.ts';
import { writeOutputFile } from '../files.ts';
import { fail, paint } from '../output.ts';

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
  if (scenarios.length === 0) return fail('no scenarios found (journeys/tests/*.test.json)');
  if (options.worker !== undefined) {
    await writeFile(options.worker, toWire(await runScenarios(scenarios, journeysDir)));
    return;
  }
  const jobs = Number(options.jobs ?? Math.min(2, availableParallelism()));
  if (!Number.isInteger(jobs) || jobs < 1)
    return fail(`--jobs must be a whole number ≥ 1, got "${options.jobs}"`);
  // Names relative to the working directory, which the workers share.
  const files = [...new Set(scenarios.map((s) => s.file))];
  const results =
    jobs === 1 || files.length === 1
      ? await runScenarios(scenarios, journeysDir)
      : await runInWorkers(files, jobs, (share, resultsFile) => [
          process.argv[1] ?? '',
          'test',
          '--worker',
          resultsFile,
          '--journeys-dir',
          journeysDir,
          ...share,
        ]);
  const report = options.reporter === 'junit' ? junitReport(results) : textReport(results, paint);
  if (options.out === undefined) process.stdout.write(report);
  else {
    await writeOutputFile(options.out, report);
    if (options.reporter === 'junit') process.stdout.write(textReport(results, paint));
  }
  if (!passed(results)) process.exitCode = 1;
}
