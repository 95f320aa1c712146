/**
 * Generates the development ptau files the end-to-end tests need, once per test run (and
 * cached across runs), so parallel test files never generate the same file twice.
 */
import * as path from "node:path";

export default async function setup(): Promise<void> {
  process.env.ZKINFER_CACHE ??= path.resolve("node_modules/.cache/zkinfer-test");
  const { ensureDevPtau } = await import("../src/prove/ptau.js");
  const { releaseCurve } = await import("../src/prove/curve.js");
  for (const power of [11, 13]) await ensureDevPtau(power);
  await releaseCurve();
}
