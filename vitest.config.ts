import { defineConfig } from "vitest/config";
import * as path from "node:path";

// Tests share one ptau cache per checkout (generated once by test/global-setup.ts), kept out
// of the user's own cache so a test run never depends on what was installed by hand.
const cache = path.resolve("node_modules/.cache/zkinfer-test");

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // snarkjs and ffjavascript start worker threads; separate processes keep them apart
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 600_000,
    env: { ZKINFER_CACHE: cache },
  },
});
