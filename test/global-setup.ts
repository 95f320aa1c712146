/**
 * Once per test run: build the WebAssembly kernels (and pack the WGSL ones), dist/ (the CLI tests run the real
 * `bin/zkinfer.js` and the thread pool runs dist/ workers, so both must be the current source)
 * the verifier page and the proving page with its bundled models, and generate the development ptau files the end-to-end tests need, so
 * parallel test files never generate the same file twice.
 */
import * as path from "node:path";
import { execFileSync } from "node:child_process";

export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [path.resolve("kernels/wasm/build.mjs")], { stdio: "inherit" });
  execFileSync(process.execPath, [path.resolve("kernels/webgpu/build.mjs")], { stdio: "inherit" });
  execFileSync(process.execPath, [path.resolve("scripts/poseidon-constants.mjs")], { stdio: "inherit" });
  execFileSync(process.execPath, [path.resolve("node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
    stdio: "inherit",
  });
  // the verifier page (dist/verifier/), for the browser tests
  execFileSync(process.execPath, [path.resolve("node_modules/typescript/bin/tsc"), "-p", "web/tsconfig.json"], {
    stdio: "inherit",
  });
  execFileSync(
    process.execPath,
    [
      path.resolve("node_modules/vite/bin/vite.js"),
      "build",
      "--logLevel",
      "warn",
      "--config",
      "web/verifier/vite.config.mjs",
    ],
    { stdio: "inherit" },
  );
  process.env.ZKINFER_CACHE ??= path.resolve("node_modules/.cache/zkinfer-test");
  const { ensureDevPtau } = await import("../src/prove/ptau.js");
  const { releaseCurve } = await import("../src/prove/curve.js");
  for (const power of [9, 10, 11, 13]) await ensureDevPtau(power); // cancer_logreg (+ commitments), digits_mlp (+2 for --ptau), digits_cnn
  await releaseCurve();
  // the proving page (dist/prover/) and its bundled models, set up once per cache (later runs reuse the keys)
  execFileSync(
    process.execPath,
    [
      path.resolve("node_modules/vite/bin/vite.js"),
      "build",
      "--logLevel",
      "warn",
      "--config",
      "web/prover/vite.config.mjs",
    ],
    { stdio: "inherit" },
  );
  execFileSync(process.execPath, [path.resolve("scripts/prover-models.mjs")], { stdio: "inherit", env: process.env });
}
