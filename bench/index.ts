/**
 * `npm run bench [-- --suite NAME[,NAME]] [-- suite options]`: runs benchmark suites, each in its
 * own process. Suites: pipeline (bench/run.ts), witness (bench/witness.ts), service
 * (bench/service.ts). Without --suite: pipeline and witness, as before.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const SUITES = { pipeline: "run.js", witness: "witness.js", service: "service.js" } as const;
type Suite = keyof typeof SUITES;

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const args = process.argv.slice(2);
const at = args.indexOf("--suite");
const chosen = at >= 0 ? (args[at + 1] ?? "").split(",") : ["pipeline", "witness"];
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
const unknown = chosen.filter((s) => !(s in SUITES));
if (unknown.length) {
  process.stderr.write(`unknown suite ${unknown.join(", ")}: choose from ${Object.keys(SUITES).join(", ")}\n`);
  process.exit(2);
}
for (const s of chosen as Suite[]) {
  const r = spawnSync(process.execPath, [path.join(here, SUITES[s]), ...rest], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
