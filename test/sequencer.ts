/**
 * The order in which vitest hands test files to its workers: the notebooks' quick-mode runs first
 * (test/notebooks/ and the quickstart's test/notebooks.test.ts, each a Jupyter kernel running for
 * 0.5–5 minutes), then everything else.
 * vitest's own order puts larger files first when it has no recorded durations (a fresh clone, as
 * in CI), which would leave the notebooks — most of the run — until last and finish on one core;
 * started first, two of them run side by side and the short unit-test files fill the gaps.
 * Among the notebooks vitest's order stands (longest first once it has recorded durations).
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const NOTEBOOK_TESTS = /[\\/]test[\\/]notebooks([\\/]|\.test\.ts$)/;

export default class NotebooksFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const notebooks = sorted.filter((f) => NOTEBOOK_TESTS.test(f.moduleId));
    return [...notebooks, ...sorted.filter((f) => !NOTEBOOK_TESTS.test(f.moduleId))];
  }
}
