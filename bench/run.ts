/**
 * `npm run bench`: the pipeline on every model in test/fixtures/ — constraints, wires,
 * compile, setup, witness, prove and verify time, peak RSS per step — printed as a table and
 * written as JSON to bench/results/. Each step runs in a fresh process (bench/step.ts).
 * Speed targets live here, never in the unit tests.
 */
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, "..", "..");
const fixtures = path.join(root, "test", "fixtures");

function runStep(step: string, ...args: string[]): Record<string, number & unknown> {
  const r = spawnSync(process.execPath, [path.join(here, "step.js"), step, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) {
    const why = r.stderr.split("\n").find((l) => /Error: /.test(l)) ?? r.stderr.trim().split("\n").at(-1);
    throw new Error(`${step} failed: ${why?.replace(/^.*?Error: /, "")}`);
  }
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

interface Row {
  model: string;
  constraints: number;
  wires: number;
  terms: number;
  ptauPower: number;
  compile: number;
  setup: number;
  witness: number;
  prove: number;
  verify: number;
  proofBytes: number;
  zkeyBytes: number;
  peakRss: Record<string, number>;
}

const args = process.argv.slice(2);
const only = args.includes("--model") ? args[args.indexOf("--model") + 1] : undefined;
const models = readdirSync(fixtures).filter(
  (m) => existsSync(path.join(fixtures, m, "model.onnx")) && (!only || m === only),
);
const work = mkdtempSync(path.join(os.tmpdir(), "zkinfer-bench-"));
const rows: Row[] = [];
const skipped: { model: string; reason: string }[] = [];
try {
  for (const model of models) {
    try {
      rows.push(await benchModel(model));
    } catch (e) {
      skipped.push({ model, reason: (e as Error).message });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function benchModel(model: string): Promise<Row> {
  const dir = path.join(work, model);
  const c = runStep(
    "compile",
    path.join(fixtures, model, "model.onnx"),
    path.join(fixtures, model, "calibration.json"),
    dir,
  );
  if (runStep("ptau", String(c.ptauPower)).generated) process.stderr.write(`(generated ptau power ${c.ptauPower})\n`);
  const s = runStep("setup", dir);
  const samples = JSON.parse(readFileSync(path.join(fixtures, model, "samples.json"), "utf8")) as { inputs: unknown[] };
  const input = path.join(dir, "input.json");
  writeFileSync(input, JSON.stringify({ input: samples.inputs[0] }));
  const w = runStep("witness", dir, input, "js");
  const p = runStep("prove", dir, input);
  const v = runStep("verify", dir);
  return {
    model,
    constraints: c.constraints,
    wires: c.wires,
    terms: c.terms,
    ptauPower: c.ptauPower,
    compile: c.seconds,
    setup: s.seconds,
    witness: w.perRun,
    prove: p.groth16,
    verify: v.seconds,
    proofBytes: statSync(path.join(dir, "proof.json")).size,
    zkeyBytes: statSync(path.join(dir, "circuit.zkey")).size,
    peakRss: { compile: c.peakRss, setup: s.peakRss, prove: p.peakRss, verify: v.peakRss },
  };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const sec = (s: number) => (s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : `${s.toFixed(2)} s`);
const header = [
  "model",
  "constraints",
  "wires",
  "terms",
  "power",
  "compile",
  "setup",
  "witness (js)",
  "prove",
  "verify",
  "peak RSS (prove)",
  "zkey",
];
const lines = rows.map((r) =>
  [
    r.model,
    r.constraints,
    r.wires,
    r.terms,
    r.ptauPower,
    sec(r.compile),
    sec(r.setup),
    sec(r.witness),
    sec(r.prove),
    sec(r.verify),
    mb(r.peakRss.prove!),
    mb(r.zkeyBytes),
  ].map(String),
);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
console.log(fmt(header));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const l of lines) console.log(fmt(l));
for (const s of skipped) console.log(`skipped ${s.model}: ${s.reason}`);
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};
console.log(
  `\n${machine.cpus} × ${machine.cpu}, ${machine.memGiB} GiB, Node ${machine.node}. Setup excludes ptau generation (cached).`,
);
const outDir = path.join(root, "bench", "results");
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const json =
  JSON.stringify({ suite: "pipeline", date: new Date().toISOString(), machine, rows, skipped }, null, 2) + "\n";
writeFileSync(path.join(outDir, `pipeline-${stamp}.json`), json);
writeFileSync(path.join(outDir, "pipeline-latest.json"), json);
console.log(`written to bench/results/pipeline-latest.json`);
