/**
 * The witness benchmarks' models and timing, shared by bench/witness.ts (this machine) and
 * bench/gpu.ts (a lent GPU machine): lenet5_digits28 and mlp_digits28 (bench/models/) and the
 * two synthetic CNNs (synthetic.ts), their plans from a dry compile (no constraints built, so
 * no proving key), and the median witness time of a backend, checked byte for byte against a
 * reference .wtns first.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { importOnnx } from "../src/model/import.js";
import { calibrate, parseCalibration } from "../src/quantize/calibration.js";
import { quantize } from "../src/quantize/quantize.js";
import { compileCircuit } from "../src/circuit/compile.js";
import { DEFAULT_COMPILE } from "../src/circuit/compile-model.js";
import { quantizeInput } from "../src/quantize/input.js";
import { sizeOf } from "../src/model/shapes.js";
import type { WitnessPlan } from "../src/circuit/plan.js";
import type { IntTensor } from "../src/quantize/qgraph.js";
import { witnessGenerator, type Backend } from "../src/witness/witness.js";
import { syntheticCnn, syntheticWide } from "./synthetic.js";

export interface BenchModel {
  name: string;
  plan: WitnessPlan;
  input: IntTensor;
  macs: number;
}

function load(name: string, onnx: Uint8Array, calibration: unknown, input: number[], bits?: number): BenchModel {
  const graph = importOnnx(onnx, name).graph;
  const samples = parseCalibration(calibration, graph.inputs[0]!.shape, `${name} calibration`);
  const opts = bits ? { ...DEFAULT_COMPILE, activationBits: bits, weightBits: bits } : DEFAULT_COMPILE;
  const q = quantize(graph, calibrate(graph, samples), opts);
  const plan = compileCircuit(q, { ...DEFAULT_COMPILE, dry: true }).plan;
  return { name, plan, input: quantizeInput(input, q.input, false).tensor, macs: planMacs(plan) };
}

/** Multiply-accumulates of the plan's matrix products and convolutions. */
function planMacs(plan: WitnessPlan): number {
  let macs = 0;
  for (const s of plan.steps) {
    if (s.kind !== "linear") continue;
    const outN = sizeOf(plan.tensors[s.output]!.shape);
    if (s.op.kind === "gemm") macs += outN * s.op.weight.shape[0]!;
    if (s.op.kind === "conv") macs += outN * (s.op.weight.data.length / s.op.weight.shape[0]!);
  }
  return macs;
}

/**
 * The bench models (one, with `only`), from the package root `root`. `NAME@32` is NAME at 32-bit
 * weights and activations: its accumulators are wide (past 2^53 and 2^60: BigInt and i64).
 */
export function benchModels(root: string, only?: string): BenchModel[] {
  const out: BenchModel[] = [];
  for (const [name, bits] of [
    ["lenet5_digits28", undefined],
    ["mlp_digits28", undefined],
    ["lenet5_digits28", 32],
    ["mlp_digits28", 32],
  ] as const) {
    const label = bits ? `${name}@${bits}` : name;
    if (only && only !== label) continue;
    const dir = path.join(root, "bench", "models", name);
    const samples = JSON.parse(readFileSync(path.join(dir, "samples.json"), "utf8")) as { inputs: unknown[] };
    const flat = (samples.inputs[0] as unknown[]).flat(4) as number[];
    out.push(
      load(
        label,
        readFileSync(path.join(dir, "model.onnx")),
        JSON.parse(readFileSync(path.join(dir, "calibration.json"), "utf8")),
        flat,
        bits,
      ),
    );
  }
  if (!only || only === "synthetic_cnn80") {
    const s = syntheticCnn();
    out.push(load("synthetic_cnn80", s.onnx, s.calibration, s.input));
  }
  if (!only || only === "synthetic_wide") {
    const s = syntheticWide();
    out.push(load("synthetic_wide", s.onnx, s.calibration, s.input));
  }
  return out;
}

export interface Timing {
  backend: Backend;
  threads: number;
  seconds: number;
  reps: number;
  /** opening the generator (memory layout; for webgpu the device's buffers and pipelines too) */
  openSeconds: number;
}

/** Median witness time over at least 3 runs and `minSeconds`, after one warm-up run. */
export async function timeWitness(
  m: BenchModel,
  backend: Backend,
  threads: number,
  reference: Uint8Array | null,
  minSeconds: number,
): Promise<{ t: Timing; wtns: Uint8Array }> {
  const t0 = performance.now();
  const g = await witnessGenerator(m.plan, { backend, threads });
  const openSeconds = (performance.now() - t0) / 1000;
  try {
    const first = (await g.witness(m.input)).wtns.slice();
    if (reference && Buffer.compare(Buffer.from(first), Buffer.from(reference)) !== 0)
      throw new Error(`${m.name}: ${backend} × ${threads} gives a different .wtns from js`);
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 3 || performance.now() - start < minSeconds * 1000) {
      const t = performance.now();
      await g.witness(m.input);
      times.push((performance.now() - t) / 1000);
    }
    times.sort((a, b) => a - b);
    return {
      t: { backend, threads, seconds: times[times.length >> 1]!, reps: times.length, openSeconds },
      wtns: first,
    };
  } finally {
    await g.close();
  }
}
