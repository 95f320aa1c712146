/**
 * `npm run bench:startup`: the CLI's start-up, whole processes, median of 9 runs each —
 * a bare `node -e ""`, `zkinfer --help` and `zkinfer verify --help` — against the goal of at
 * most 2× bare node (commands load their stages, snarkjs and the kernels only when they run).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(root, "bin", "zkinfer.js");

function median(args: string[], runs = 9): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, args, { stdio: "ignore" });
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const bare = median(["-e", ""]);
const rows = [
  { what: 'node -e ""', ms: bare },
  { what: "zkinfer --help", ms: median([bin, "--help"]) },
  { what: "zkinfer verify --help", ms: median([bin, "verify", "--help"]) },
];
for (const r of rows)
  console.log(`${r.what.padEnd(24)} ${r.ms.toFixed(0).padStart(5)} ms  ${(r.ms / bare).toFixed(2)}× bare node`);
const worst = Math.max(...rows.map((r) => r.ms)) / bare;
console.log(`worst: ${worst.toFixed(2)}× bare node (goal ≤ 2×): ${worst <= 2 ? "met" : "NOT met"}`);
const out = path.join(root, "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, "startup-latest.json"),
  JSON.stringify({ date: new Date().toISOString(), rows, worst }, null, 2) + "\n",
);
