import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Runs the projects in the order vitest.config.ts lists them, where Vitest
 * would take them by name; within each, the files keep Vitest's order (the
 * longest of the last run first). Two workers share the queue, and a worker
 * keeps its module cache only while the next file is of its own project: so
 * the projects of few long files go first, and the one of many short files
 * last, to keep both workers busy until the end.
 */
export default class ProjectOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const order = this.ctx.projects.map((project) => project.name);
    const rank = (spec: TestSpecification) => order.indexOf(spec.project.name);
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
