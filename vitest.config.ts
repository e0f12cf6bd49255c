import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Progress bars are for people; test logs stay readable without them.
    env: { LATENT_BRIDGE_PROGRESS: "0" },
  },
});
