import { availableParallelism } from "node:os";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/** The workspace packages' built output (what `@capstan/*` resolves to), not a dependency's. */
const workspaceDist = /^(?!.*[\\/]node_modules[\\/]).*[\\/]dist[\\/]/;

/** End-to-end files: each starts a cluster of real processes and runs for tens of seconds. */
const isEndToEnd = (spec: TestSpecification) => /[\\/]test[\\/]src[\\/]/.test(spec.moduleId);

/**
 * The end-to-end files first (in the base order: the longest last time first, or the largest), the unit
 * files after: the many short files then fill the workers as the long ones end, instead of one long file
 * started last holding up the end of the run.
 */
class EndToEndFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [...sorted.filter(isEndToEnd), ...sorted.filter((f) => !isEndToEnd(f))];
  }
}

export default defineConfig({
  test: {
    include: ["{libs,services,test}/**/src/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default is one worker less than the cores: a single file at a time on 2 cores. An
    // end-to-end file mostly waits on its processes, so one file more than the cores keeps them busy.
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: EndToEndFirst },
    // Already JavaScript: Node loads it itself, instead of vitest transforming and serving every module
    // of @capstan/* again to each test file's fresh worker (half of the collect time of a unit file).
    server: { deps: { external: [workspaceDist] } },
    // Fails the run if a process it started outlives it.
    globalSetup: ["test/src/support/global-setup.ts"],
  },
});
