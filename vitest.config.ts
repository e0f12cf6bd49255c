import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ (JavaScript only) when it is older than src/: tests spawn bin/latent-bridge.mjs, which runs it.
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 60_000,
    // Progress bars are for people; test logs stay readable without them.
    env: { LATENT_BRIDGE_PROGRESS: "0" },
  },
});
