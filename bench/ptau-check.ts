/**
 * How long the ptau checks take: for each power given, the development file of that power
 * (generated into the cache first if missing), then the consistency check at that power, run
 * `REPS` times (default 2) straight, past the per-process memo, and one blake2b-512 of the file.
 * Prints one JSON line per power.
 *
 *   npm run build:lib && node dist/bench/ptau-check.js 10 13 16
 */
import { promises as fs } from "node:fs";
import { devPtauPath, ensureDevPtau } from "../src/prove/ptau.js";
import { checkPtauPoints } from "../src/prove/ptau-check.js";
import { readPtauLayout } from "../src/formats/ptau.js";
import { fileDigestHex } from "../src/util/hash.js";
import { getCurve, releaseCurve } from "../src/prove/curve.js";

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(2));

async function measure(power: number, reps: number): Promise<Record<string, unknown>> {
  const file = devPtauPath(power);
  const t0 = performance.now();
  const { generated } = await ensureDevPtau(power);
  const prepare = seconds(t0);
  const layout = await readPtauLayout(file);
  const curve = await getCurve();
  const check: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await checkPtauPoints(curve, file, layout, power);
    check.push(seconds(t));
  }
  const t1 = performance.now();
  await fileDigestHex(file, "blake2b512");
  return {
    power,
    bytes: (await fs.stat(file)).size,
    generated,
    prepareSeconds: prepare,
    checkSeconds: check,
    blake2bSeconds: seconds(t1),
  };
}

const powers = process.argv.slice(2).map(Number);
if (!powers.length || powers.some((p) => !Number.isInteger(p) || p < 1)) {
  process.stderr.write("usage: node dist/bench/ptau-check.js POWER...\n");
  process.exit(2);
}
try {
  for (const p of powers) process.stdout.write(JSON.stringify(await measure(p, Number(process.env.REPS ?? 2))) + "\n");
} finally {
  await releaseCurve();
}
