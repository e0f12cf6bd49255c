import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import NotebooksFirstSequencer from "./test/sequencer.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ (JavaScript only) when it is older than src/: tests spawn bin/latent-bridge.mjs, which runs it.
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 60_000,
    // One worker per core (vitest's default leaves one core out: on a 2-core machine the whole suite ran
    // on one, while most of its time is notebook kernels in child processes). Notebooks go first.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: NotebooksFirstSequencer },
    // Progress bars are for people; test logs stay readable without them.
    env: { LATENT_BRIDGE_PROGRESS: "0" },
  },
});
