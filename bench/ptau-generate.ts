/**
 * How long a development ptau takes to generate: for each power given, `REPS` files (default
 * 2) written to a temporary folder (never the cache) and deleted. Prints one JSON line per
 * power: wall seconds per run, the process's CPU seconds per run (worker threads included:
 * over wall time, how many cores were busy), its peak RSS so far, and the load average before
 * each run (the machine may be shared: a run's wall time says little without it).
 *
 *   npm run bench:ptau-generate -- 12 14 16 17
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateDevPtau } from "../src/prove/ptau.js";

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function cpuSeconds(): number {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
}

async function measure(power: number, reps: number, dir: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, `dev-${power}.ptau`);
  const runs: { seconds: number; cpuSeconds: number; load1: number }[] = [];
  let bytes = 0;
  for (let i = 0; i < reps; i++) {
    const load1 = os.loadavg()[0]!;
    const c0 = cpuSeconds();
    const t0 = performance.now();
    await generateDevPtau(power, file);
    runs.push({ seconds: round((performance.now() - t0) / 1000), cpuSeconds: round(cpuSeconds() - c0), load1 });
    bytes = statSync(file).size;
    rmSync(file);
  }
  return {
    power,
    bytes,
    threads: os.availableParallelism(),
    seconds: runs.map((r) => r.seconds),
    cpuPerWall: runs.map((r) => round(r.cpuSeconds / r.seconds)),
    load1: runs.map((r) => round(r.load1)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const powers = process.argv.slice(2).map(Number);
if (!powers.length || powers.some((p) => !Number.isInteger(p) || p < 1)) {
  process.stderr.write("usage: node dist/bench/ptau-generate.js POWER...\n");
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), "zkinfer-ptau-bench-"));
try {
  for (const p of powers)
    process.stdout.write(JSON.stringify(await measure(p, Number(process.env.REPS ?? 2), dir)) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
