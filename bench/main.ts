/**
 * `npm run bench [-- --suite pipeline|witness|startup|field] [options]`: one suite, or (no
 * --suite) the pipeline, witness and start-up suites. Options after the suite go to it.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const SUITES = { pipeline: "run.js", witness: "witness.js", startup: "startup.js", field: "field.js" } as const;

const args = process.argv.slice(2);
const at = args.indexOf("--suite");
const suite = at >= 0 ? args[at + 1] : undefined;
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
if (suite !== undefined && !(suite in SUITES)) {
  process.stderr.write(`unknown suite "${suite}" (available: ${Object.keys(SUITES).join(", ")})\n`);
  process.exit(2);
}
const run = suite ? [SUITES[suite as keyof typeof SUITES]] : [SUITES.pipeline, SUITES.witness, SUITES.startup];
for (const script of run) {
  const r = spawnSync(process.execPath, [path.join(here, script), ...rest], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
