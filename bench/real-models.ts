/**
 * `npm run bench:real [-- --model NAME]`: the seven real-architecture models of
 * test/fixtures/real/ — constraints, wires, compile time, compile peak RSS, and how `zkinfer
 * run` agrees with PyTorch (argmax agreement, worst error as a share of the output's scale;
 * the bar is ≥ 95 % and ≤ 5 %), or the error a model fails with today. Each model compiles in
 * its own process (bench/real-model-step.ts). Writes bench/results/real-models.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compileAndRunInChild, loadRealModel, meetsBar, REAL_MODELS, type StepResult } from "./harness/real-models.js";

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const args = process.argv.slice(2);
const only = args.includes("--model") ? args[args.indexOf("--model") + 1] : undefined;
const models = REAL_MODELS.filter((m) => !only || m === only);

const rows: StepResult[] = [];
for (const model of models) {
  process.stderr.write(`${model}...\n`);
  rows.push(await compileAndRunInChild(model));
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const sec = (s: number | undefined) =>
  s === undefined ? "" : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(1)} s`;
const header = [
  "model",
  "params",
  "MACs",
  "opset",
  "constraints",
  "wires",
  "compile",
  "peak RSS",
  "run/sample",
  "argmax",
  "max err / scale",
  "result",
];
const lines = rows.map((r) => {
  const info = loadRealModel(r.model).info;
  const a = r.agreement;
  const error = r.error && r.error.length > 160 ? `${r.error.slice(0, 159)}…` : r.error; // the JSON keeps it whole
  const result = error ? `${r.stage} fails: ${error}` : a && meetsBar(a) ? "meets the bar" : "misses the bar";
  return [
    r.model,
    info.params,
    info.macs,
    info.opset,
    r.constraints ?? "",
    r.wires ?? "",
    sec(r.compileSeconds),
    mb(r.peakRss),
    sec(r.runSecondsPerSample),
    a ? `${(a.argmax * 100).toFixed(0)} %` : "",
    a ? `${(a.relError * 100).toFixed(2)} %` : "",
    result,
  ].map(String);
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
console.log(fmt(header));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const l of lines) console.log(fmt(l));
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
};
console.log(
  `\n${machine.cpus} × ${machine.cpu}, ${machine.memGiB} GiB, Node ${machine.node}. Default options (10-bit activations and weights); run = wasm witness plan.`,
);
const out = path.resolve(here, "..", "..", "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, "real-models.json"), JSON.stringify({ machine, rows }, null, 2));
