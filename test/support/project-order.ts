import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first. A run with no results of an
 * earlier one (a fresh clone, CI) knows no durations, and Vitest then takes
 * the larger files first: the longest file, short in lines, would start last
 * of its project and leave one worker alone at its end. These go first. The
 * last project's few seconds' files are here too: any of them left to its
 * end is time the other worker waits (a fresh clone's run ended on
 * utf8.test.ts, queued 179th of the 186 shared files).
 */
const LONGEST_FILES = [
  'test/integration/functions/profile-budget.test.ts',
  'test/e2e/demo.test.ts',
  'test/infra/cloudformation-validation.test.ts',
  'test/integration/functions/send-store-faults.test.ts',
  'test/e2e/simulate-equivalence.test.ts',
  'test/integration/simulate/simulate-workers.test.ts',
  'test/e2e/restart.test.ts',
  'test/unit/zone-offsets.test.ts',
  'test/unit/time-parity.test.ts',
  'test/integration/local/retention.test.ts',
  'test/integration/local/deploy-journey-versions.test.ts',
  'test/unit/architecture/side-effects.test.ts',
  'test/integration/offline/runner-history-limit.test.ts',
  'test/unit/conditions/mini-schema.test.ts',
  'test/unit/local/schema-check.test.ts',
  'test/unit/utf8.test.ts',
];

/**
 * Runs the projects in the order vitest.config.ts lists them, where Vitest
 * would take them by name; within each, the files keep Vitest's order (the
 * longest of the last run first; without a last run, the known longest
 * first). Two workers share the queue, and a worker keeps its module cache
 * only while the next file is of its own project: so the projects of few
 * long files go first, and the one of many short files last, to keep both
 * workers busy until the end.
 */
export default class ProjectOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const order = this.ctx.projects.map((project) => project.name);
    const rank = (spec: TestSpecification) => order.indexOf(spec.project.name);
    const known = (spec: TestSpecification) => {
      const file = relative(this.ctx.config.root, spec.moduleId).replaceAll('\\', '/');
      const unmeasured = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`) === undefined;
      const place = LONGEST_FILES.indexOf(file);
      return unmeasured && place >= 0 ? place : LONGEST_FILES.length;
    };
    return sorted
      .map((spec, index) => ({ spec, index, known: known(spec) }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.known - b.known || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
