/**
 * `npm run bench [-- --suite NAME[,NAME...]] [options]`: benchmark suites, each in its own
 * process. Suites: pipeline (bench/run.ts), witness (bench/witness.ts), startup
 * (bench/startup.ts), field (bench/field.ts), service (bench/service.ts, needs redis-server),
 * split (bench/split.ts: a model proved as a chain of segments), calibrate (bench/calibrate.ts).
 * Without --suite: pipeline, witness and startup. Options after the suite go to each suite run.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const SUITES = {
  pipeline: "run.js",
  witness: "witness.js",
  startup: "startup.js",
  field: "field.js",
  service: "service.js",
  calibrate: "calibrate.js",
  split: "split.js",
} as const;
type Suite = keyof typeof SUITES;
const DEFAULT_SUITES: readonly Suite[] = ["pipeline", "witness", "startup"];

const args = process.argv.slice(2);
const at = args.indexOf("--suite");
const chosen = at >= 0 ? (args[at + 1] ?? "").split(",").filter(Boolean) : DEFAULT_SUITES;
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
const unknown = chosen.filter((s) => !(s in SUITES));
if (unknown.length || chosen.length === 0) {
  process.stderr.write(
    `unknown suite ${unknown.map((s) => `"${s}"`).join(", ") || "(none given)"} (available: ${Object.keys(SUITES).join(", ")})\n`,
  );
  process.exit(2);
}
for (const s of chosen as Suite[]) {
  const r = spawnSync(process.execPath, [path.join(here, SUITES[s]), ...rest], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
