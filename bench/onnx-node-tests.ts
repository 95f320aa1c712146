/**
 * `npm run bench:onnx-node [-- --dir DIR] [--op OP] [--verbose]`: ONNX's backend node tests for
 * every op zkinfer supports (see bench/harness/onnx-node.ts for what is adapted and the
 * tolerance), with pass / fail / n/a per op and each op's first failure. DIR defaults to
 * Debian's libonnx-testdata (/usr/share/libonnx-testdata/data/node; `apt-get install
 * libonnx-testdata`) or $ONNX_NODE_TESTS. Writes bench/results/onnx-node-tests.json.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_NODE_TEST_DIR, findCases, runCase, tally, type CaseResult } from "./harness/onnx-node.js";
import { releaseCurve } from "../src/prove/curve.js";

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const dir = opt("--dir") ?? DEFAULT_NODE_TEST_DIR;
const onlyOp = opt("--op");
const verbose = args.includes("--verbose");
if (!existsSync(dir)) {
  console.error(`no ONNX node tests at ${dir}: apt-get install libonnx-testdata, or pass --dir / set ONNX_NODE_TESTS`);
  process.exit(2);
}

const { cases, undecodable } = findCases(dir);
const selected = cases.filter((c) => !onlyOp || c.op === onlyOp);
const results: CaseResult[] = [];
for (const c of selected) {
  const r = await runCase(c);
  results.push(r);
  if (verbose) console.error(`${r.status.padEnd(4)} ${r.name}${r.message ? `: ${r.stage}: ${r.message}` : ""}`);
}
await releaseCurve();

const rows = tally(results);
const total = (k: "pass" | "fail" | "na") => rows.reduce((n, r) => n + r[k], 0);
console.log("| op | pass | fail | n/a | total | first failure |");
console.log("|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.op} | ${r.pass} | ${r.fail} | ${r.na} | ${r.pass + r.fail + r.na} | ${(r.firstFailure ?? "").replace(/\|/g, "\\|").slice(0, 240)} |`,
  );
console.log(`| **all** | ${total("pass")} | ${total("fail")} | ${total("na")} | ${results.length} | |`);
const runnable = total("pass") + total("fail");
console.log(
  `\n${total("pass")}/${runnable} runnable cases pass (${results.length} cases for ${rows.length} supported ops in ${dir}; ` +
    `n/a: no float input, or nothing to prove).`,
);
if (undecodable.length)
  console.log(
    `${undecodable.length} models elsewhere in the directory could not be decoded (control flow, training and sequence ops: graph or sequence values), e.g. ${undecodable.slice(0, 5).join(", ")}`,
  );
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, "onnx-node-tests.json"), JSON.stringify({ dir, results, tally: rows }, null, 2));
