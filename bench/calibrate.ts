/**
 * `npm run bench:calibrate`: what `zkinfer calibrate` buys on cnn_digits28 (a LeNet-style
 * 28×28 digit CNN). The calibration set is 256 training digits (bench/models/cnn_digits28/
 * digits-256.json, 8×8 pixels), upsampled here exactly as the model's own inputs were; the
 * search keeps ≥ 99 % argmax agreement with the float model on them. Reported: the start's
 * and the result's constraints, compile time and agreement, and the agreement on the 20 held-out
 * test samples (samples.json) — inputs the search never saw — against both the float model and
 * the labels. The goal: ≤ 65,536 constraints (a 2^16 domain) at ≥ 99 %.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { calibrateModel } from "../src/circuit/calibrate-model.js";
import { compileCircuit } from "../src/circuit/compile.js";
import { DEFAULT_COMPILE } from "../src/circuit/options.js";
import { importOnnx } from "../src/model/import.js";
import { calibrate, parseCalibration } from "../src/quantize/calibration.js";
import { quantize } from "../src/quantize/quantize.js";
import { measureAgreement } from "../src/quantize/search.js";
import { runQuantized } from "../src/quantize/reference.js";
import { dequantize, quantizeInput } from "../src/quantize/input.js";
import { decide } from "../src/quantize/accuracy.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = path.join(root, "bench", "models", "cnn_digits28");
const GOAL = 65_536;

/** torch's interpolate(mode="bilinear", align_corners=False) of one side×side image to n×n */
function upsample(img: readonly number[], side: number, n: number): number[] {
  const axis = (j: number) => {
    const src = Math.max(0, (j + 0.5) * (side / n) - 0.5);
    const i0 = Math.min(Math.floor(src), side - 1);
    return { i0, i1: Math.min(i0 + 1, side - 1), t: src - i0 };
  };
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    const a = axis(r);
    for (let c = 0; c < n; c++) {
      const b = axis(c);
      const at = (i: number, j: number) => img[i * side + j]!;
      const top = at(a.i0, b.i0) * (1 - b.t) + at(a.i0, b.i1) * b.t;
      const bot = at(a.i1, b.i0) * (1 - b.t) + at(a.i1, b.i1) * b.t;
      out.push(top * (1 - a.t) + bot * a.t);
    }
  }
  return out;
}

interface Digits {
  side: number;
  scale: number;
  images: number[][];
  labels: number[];
}
const digits = JSON.parse(readFileSync(path.join(dir, "digits-256.json"), "utf8")) as Digits;
const inputs = digits.images.map((im) =>
  upsample(
    im.map((v) => v / digits.scale),
    digits.side,
    28,
  ),
);
// The committed 32-input calibration.json is the first 32 of these: a check that upsample matches.
const committed = (JSON.parse(readFileSync(path.join(dir, "calibration.json"), "utf8")) as { inputs: number[][] })
  .inputs;
const drift = Math.max(...committed.flatMap((x, i) => x.map((v, j) => Math.abs(v - inputs[i]![j]!))));
if (drift > 1e-5) throw new Error(`upsampling differs from calibration.json by ${drift}`);

const onnx = readFileSync(path.join(dir, "model.onnx"));
const compile = DEFAULT_COMPILE;
const t0 = performance.now();
const r = calibrateModel(
  onnx,
  { inputs },
  { compile, targetAgreement: 0.99, maxError: 0.05 },
  { model: "model.onnx", calibration: "digits-256" },
);
const searchSeconds = (performance.now() - t0) / 1000;

const { graph } = importOnnx(onnx, "model.onnx");
const samples = JSON.parse(readFileSync(path.join(dir, "samples.json"), "utf8")) as {
  inputs: number[][];
  labels: number[];
};
const calib = calibrate(graph, parseCalibration({ inputs }, graph.inputs[0]!.shape, "digits-256"));
// calibrate() of the held-out inputs is only a way to get their float outputs
const held = calibrate(graph, parseCalibration({ inputs: samples.inputs }, graph.inputs[0]!.shape, "samples.json"));

function measure(label: string, opts: Parameters<typeof quantize>[2]) {
  const t = performance.now();
  const q = quantize(graph, calib, opts);
  const c = compileCircuit(q, compile);
  const compileSeconds = (performance.now() - t) / 1000;
  const a = measureAgreement(q, held.samples, held.outputs);
  const right = held.samples.filter((x, i) => {
    const out = runQuantized(q, quantizeInput(Array.from(x.data), q.input, false).tensor).get(q.outputs[0]!.name)!;
    return decide(dequantize(out, q.outputs[0]!.scale)) === samples.labels[i];
  }).length;
  return {
    label,
    constraints: c.r1cs.constraints.length,
    compileSeconds,
    heldOutAgreement: a.agreement,
    heldOutAccuracy: right / held.samples.length,
  };
}
const rows = [
  measure("start", r.search.start.opts),
  measure("calibrated", { ...r.search.start.opts, ...r.settings.options, layers: r.settings.layers }),
];

console.log(
  `calibrate cnn_digits28: ${r.samples} calibration samples, ${r.search.explored.length} settings tried, ${searchSeconds.toFixed(1)} s`,
);
console.log(`  setting       constraints  calib agreement  compile  held-out agreement  held-out accuracy`);
const calibAgreement = [r.search.start.agreement, r.search.best.agreement];
rows.forEach((row, i) =>
  console.log(
    `  ${row.label.padEnd(12)} ${String(row.constraints).padStart(12)}  ${(calibAgreement[i]! * 100).toFixed(1).padStart(14)}%  ${row.compileSeconds.toFixed(2).padStart(6)} s  ${(row.heldOutAgreement * 100).toFixed(1).padStart(17)}%  ${(row.heldOutAccuracy * 100).toFixed(1).padStart(16)}%`,
  ),
);
const best = rows[1]!;
const met = best.constraints <= GOAL && r.search.best.agreement >= 0.99;
console.log(
  `  settings: ${JSON.stringify(r.settings.options)} layers ${JSON.stringify(r.settings.layers)}\n` +
    `goal ≤ ${GOAL} constraints at ≥ 99 % agreement: ${met ? "met" : "NOT met"} (${best.constraints})`,
);
const out = path.join(root, "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(
  path.join(out, "calibrate-latest.json"),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      model: "cnn_digits28",
      samples: r.samples,
      tried: r.search.explored.length,
      searchSeconds,
      calibAgreement,
      rows,
      settings: r.settings,
      goal: GOAL,
      met,
    },
    null,
    2,
  ) + "\n",
);
