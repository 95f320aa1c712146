/**
 * `npm run bench -- --suite field`: zkinfer beside the field, same statement, same machine.
 *
 * Per model (bench/models/, and the real architectures of test/fixtures/real/): zkinfer as is (compile, setup, witness on each backend, prove,
 * verify, proof size, peak RSS), its circom export run through circom's own witness calculator
 * (and checked to give the same public signals), and two circomlib-ml-style baselines built from
 * the same quantized weights (bench/baseline/): as the peers publish them (no input range check)
 * and with the input range check zkinfer always has, compiled by circom2 (--O2, circom's default,
 * as the peers compile) and proved with snarkjs. Every job whose ptau power exceeds --max-power
 * or whose memory estimate exceeds the machine is skipped with its estimate, never left to run
 * out of memory. Published figures of other tools are quoted beside ours (bench/field-published.ts).
 *
 * Output: a table on stdout; JSON, Markdown and an SVG chart in bench/results/field-latest.*.
 * Options: --model NAME, --max-power N (largest domain a baseline is set up and proved at, with
 * snarkjs and a development ptau; default 18), --zk-max-power N (the same for zkinfer's own
 * rows, whose development keys need no ptau file; default 18, the measured suite; 20 also
 * proves ShuffleNetV2 and SqueezeNet, about a minute each to set up), --circom-limit N (largest
 * circuit, in constraints, that circom2 compiles here; default 400000), --quick (both powers 15).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { readModelMeta, readPlan } from "../src/artifacts.js";
import { exportCircom, circomInput } from "../src/export/index.js";
import { loadInput } from "../src/prove/prove.js";
import { ptauPowerFor } from "../src/circuit/compile-model.js";
import { estimate, memoryBudget } from "../src/prove/resources.js";
import { devPtauPath } from "../src/prove/ptau.js";
import { baselineCircuit } from "./baseline/generate.js";
import { compileCircom } from "./circom.js";
import { FIELD_MODELS, PUBLISHED } from "./field-published.js";
import { fieldMarkdown, fieldSvg, fieldTable } from "./field-report.js";

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, "..", "..");

type StepResult = Record<string, unknown> & { seconds: number; peakRss: number };

function runStep(script: "step.js" | "field-step.js", step: string, ...args: string[]): StepResult {
  const r = spawnSync(process.execPath, [path.join(here, script), step, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) {
    const why = r.stderr.split("\n").find((l) => /Error: /.test(l)) ?? r.stderr.trim().split("\n").at(-1);
    throw new Error(`${step} failed: ${why?.replace(/^.*?Error: /, "")}`);
  }
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as StepResult;
}

/** What one prover (zkinfer, or a baseline) measured; null where skipped. */
export interface ProverRow {
  constraints: number;
  wires: number;
  ptauPower: number;
  /** constraints counted, not compiled (too large for circom2 here): from the peers' cost formula */
  estimatedCount?: boolean;
  compile: number | null;
  compileRss?: number | null;
  setup: number | null;
  witness: Record<string, number | null>;
  prove: number | null;
  verify: number | null;
  proofBytes: number | null;
  peakRss: { setup?: number; prove?: number };
  skipped?: string;
}

export interface FieldRow {
  model: string;
  label: string;
  zkinfer: ProverRow;
  /** circom's witness calculator on the exported circuit */
  export: {
    constraints: number | null;
    compile: number | null;
    witness: number | null;
    publicSignalsEqual: boolean | null;
    skipped?: string;
  };
  baseline: ProverRow;
  baselineChecked: ProverRow;
}

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const only = opt("model");
const maxPower = Number(opt("max-power") ?? (args.includes("--quick") ? 15 : 18));
const zkMaxPower = Number(opt("zk-max-power") ?? (args.includes("--quick") ? 15 : 18));
const circomLimit = Number(opt("circom-limit") ?? 400_000);
const work = mkdtempSync(path.join(os.tmpdir(), "zkinfer-field-"));
const rows: FieldRow[] = [];
const log = (s: string) => process.stderr.write(s + "\n");

/** Why a Groth16 job of this size is not run here, or null. */
function tooLarge(constraints: number, wires: number, power: number, setup: "setup" | "setup-ptau"): string | null {
  const [cap, flag] = setup === "setup" ? [zkMaxPower, "--zk-max-power"] : [maxPower, "--max-power"];
  const s = estimate(setup, constraints, wires, power),
    p = estimate("prove", constraints, wires, power);
  // src/prove/resources.ts's model of snarkjs, measured on zkinfer's narrow witnesses: a lower bound for wide ones
  const est = `estimated (src/prove/resources.ts): setup ≥ ${s.seconds.toFixed(0)} s, prove ≥ ${p.seconds.toFixed(1)} s, ≥ ${(Math.max(s.bytes, p.bytes) / 2 ** 30).toFixed(1)} GiB on 2 cores`;
  if (power > cap)
    return `ptau power ${power} > ${flag} ${cap} (the suite's size cap, to keep it under half an hour; split proving: npm run bench -- --suite split); ${est}`;
  if (Math.max(s.bytes, p.bytes) > memoryBudget() * 0.9) return `needs more memory than this machine has; ${est}`;
  return null;
}

function ensurePtau(power: number): void {
  if (!existsSync(devPtauPath(power)))
    log(`  generating a development ptau of power ${power} (cached for later runs)...`);
  runStep("step.js", "ptau", String(power));
}

async function benchModel(name: string, label: string, settings?: string, real = false): Promise<FieldRow> {
  const src = real ? path.join(root, "test", "fixtures", "real", name) : path.join(root, "bench", "models", name);
  const dir = path.join(work, settings ? `${name}-${path.basename(settings, ".json")}` : name);
  log(`${label} (${name}${settings ? `, ${settings}` : ""})`);
  const c = runStep(
    "step.js",
    "compile",
    path.join(src, "model.onnx"),
    path.join(src, "calibration.json"),
    dir,
    ...(settings ? [path.join(src, settings)] : []),
  );
  const meta = await readModelMeta(dir);
  const plan = await readPlan(dir, meta);
  const samples = JSON.parse(readFileSync(path.join(src, "samples.json"), "utf8")) as { inputs: unknown[] };
  const inputFile = path.join(dir, "input.json");
  writeFileSync(inputFile, JSON.stringify({ input: samples.inputs[0] }));
  const input = await loadInput(meta, inputFile, false);
  const nPublic = meta.publicSignals.count;

  // zkinfer itself
  const zk: ProverRow = {
    constraints: c.constraints as number,
    wires: c.wires as number,
    ptauPower: c.ptauPower as number,
    compile: c.seconds,
    setup: null,
    witness: { js: null, wasm: null },
    prove: null,
    verify: null,
    proofBytes: null,
    peakRss: {},
  };
  const zkSkip = tooLarge(zk.constraints, zk.wires, zk.ptauPower, "setup");
  let ourPublic: string[] | null = null;
  if (zkSkip) {
    zk.skipped = zkSkip;
    log(`  zkinfer: skipped: ${zkSkip}`);
  } else {
    // development keys are written from their secrets, no ptau file (src/prove/dev-zkey.ts)
    const s = runStep("step.js", "setup", dir);
    zk.setup = s.seconds;
    zk.peakRss.setup = s.peakRss;
    zk.witness.js = runStep("step.js", "witness", dir, inputFile, "js", "5").perRun as number;
    zk.witness.wasm = runStep("step.js", "witness", dir, inputFile, "wasm", "20").perRun as number;
    const p = runStep("step.js", "prove", dir, inputFile);
    zk.prove = p.groth16 as number;
    zk.peakRss.prove = p.peakRss;
    zk.verify = runStep("step.js", "verify", dir).seconds;
    zk.proofBytes = statSync(path.join(dir, "proof.json")).size;
    ourPublic = JSON.parse(readFileSync(path.join(dir, "public.json"), "utf8")) as string[];
    log(`  zkinfer: ${zk.constraints} constraints, prove ${zk.prove.toFixed(2)} s`);
  }

  // the circom export, through circom's witness calculator
  const ex: FieldRow["export"] = { constraints: null, compile: null, witness: null, publicSignalsEqual: null };
  if (zk.constraints > circomLimit) {
    ex.skipped = `${zk.constraints} constraints > --circom-limit ${circomLimit}`;
  } else {
    const file = path.join(dir, "model.circom");
    writeFileSync(file, exportCircom(meta, plan).source);
    const b = compileCircom(file, dir, "O1");
    ex.constraints = b.nonLinear + b.linear;
    ex.compile = b.seconds;
    const cin = path.join(dir, "model.input.json");
    writeFileSync(cin, JSON.stringify(circomInput(plan, input.tensor, {})));
    const w = runStep(
      "field-step.js",
      "circom-witness",
      b.jsDir,
      b.wasm,
      cin,
      path.join(dir, "circom.wtns"),
      "3",
      String(nPublic),
    );
    ex.witness = w.perRun as number;
    if (ourPublic) ex.publicSignalsEqual = JSON.stringify(w.publicSignals) === JSON.stringify(ourPublic);
    log(`  export: circom --O1 ${ex.constraints} constraints, witness ${(ex.witness * 1000).toFixed(1)} ms`);
  }

  const baseline = (checked: boolean): ProverRow => {
    let b: ReturnType<typeof baselineCircuit>;
    try {
      b = baselineCircuit(plan, input.tensor, checked);
    } catch (e) {
      const skipped = (e as Error).message;
      log(`  baseline: skipped: ${skipped}`);
      return {
        constraints: 0,
        wires: 0,
        ptauPower: 0,
        compile: null,
        setup: null,
        witness: { circom: null },
        prove: null,
        verify: null,
        proofBytes: null,
        peakRss: {},
        skipped,
      };
    }
    const formula = b.products + 517 * b.relus + b.inputChecks;
    const row: ProverRow = {
      constraints: formula,
      wires: 0,
      ptauPower: ptauPowerFor(formula, nPublic),
      estimatedCount: true,
      compile: null,
      setup: null,
      witness: { circom: null },
      prove: null,
      verify: null,
      proofBytes: null,
      peakRss: {},
    };
    const tag = checked ? "baseline + input check" : "baseline";
    if (formula > circomLimit) {
      row.skipped = `${formula} constraints (products + 517 per ReLU${checked ? " + input bits" : ""}) > --circom-limit ${circomLimit}; ${tooLarge(formula, formula, row.ptauPower, "setup-ptau") ?? ""}`;
      log(`  ${tag}: skipped: ${row.skipped}`);
      return row;
    }
    const bdir = path.join(dir, checked ? "baseline-checked" : "baseline");
    mkdirSync(bdir, { recursive: true });
    const file = path.join(bdir, "baseline.circom");
    writeFileSync(file, b.source);
    const build = compileCircom(file, bdir, "O2");
    Object.assign(row, {
      constraints: build.nonLinear + build.linear,
      wires: build.wires,
      estimatedCount: false,
      compile: build.seconds,
      compileRss: build.peakRss,
    });
    row.ptauPower = ptauPowerFor(row.constraints, nPublic);
    const inJson = path.join(bdir, "input.json");
    writeFileSync(inJson, JSON.stringify(b.input));
    const wtns = path.join(bdir, "witness.wtns");
    row.witness.circom = runStep("field-step.js", "circom-witness", build.jsDir, build.wasm, inJson, wtns, "3")
      .perRun as number;
    const skip = tooLarge(row.constraints, row.wires, row.ptauPower, "setup-ptau");
    if (skip) {
      row.skipped = skip;
      log(`  ${tag}: ${row.constraints} constraints; setup and prove skipped: ${skip}`);
      return row;
    }
    ensurePtau(row.ptauPower);
    const zkey = path.join(bdir, "circuit.zkey"),
      vkey = path.join(bdir, "vkey.json");
    const s = runStep("field-step.js", "groth16-setup", build.r1cs, devPtauPath(row.ptauPower), zkey, vkey);
    row.setup = s.seconds;
    row.peakRss.setup = s.peakRss;
    const proof = path.join(bdir, "proof.json"),
      pub = path.join(bdir, "public.json");
    const p = runStep("field-step.js", "groth16-prove", zkey, wtns, proof, pub);
    row.prove = p.seconds;
    row.peakRss.prove = p.peakRss;
    const v = runStep("field-step.js", "groth16-verify", vkey, pub, proof);
    if (v.valid !== true) throw new Error(`${tag} proof of ${name} does not verify`);
    row.verify = v.seconds;
    row.proofBytes = statSync(proof).size;
    log(`  ${tag}: ${row.constraints} constraints, prove ${row.prove.toFixed(2)} s`);
    return row;
  };
  return { model: name, label, zkinfer: zk, export: ex, baseline: baseline(false), baselineChecked: baseline(true) };
}

const t0 = performance.now();
try {
  for (const m of FIELD_MODELS) {
    if (only && m.name !== only) continue;
    rows.push(await benchModel(m.name, m.label, "settings" in m ? m.settings : undefined, "real" in m && m.real));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};
const report = {
  suite: "field",
  date: new Date().toISOString(),
  seconds: (performance.now() - t0) / 1000,
  machine,
  maxPower,
  zkMaxPower,
  circomLimit,
  rows,
  published: PUBLISHED,
};
console.log(fieldTable(report));
const outDir = path.join(root, "bench", "results");
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, "field-latest.json"), JSON.stringify(report, null, 2) + "\n");
writeFileSync(path.join(outDir, "field-latest.md"), fieldMarkdown(report));
writeFileSync(path.join(outDir, "field-latest.svg"), fieldSvg(report));
console.log(`written to bench/results/field-latest.{json,md,svg} (${report.seconds.toFixed(0)} s)`);

export type FieldReport = typeof report;
