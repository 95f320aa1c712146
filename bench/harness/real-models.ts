/**
 * The seven "real architecture" models of test/fixtures/real/ (made by
 * test/models/real/generate.py): loading them, running them through zkinfer's stages, and the
 * issue's bar for agreeing with PyTorch. Shared by test/e2e/real-models.test.ts and
 * bench/real-models.ts.
 *
 * The bar: the argmax agrees on at least 95 % of the samples, and the worst |error| of any
 * output element is at most 5 % of the output's scale, where the scale is the largest
 * |PyTorch output| over all samples (so a logit error is judged against the logits' own range).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { importOnnx } from "../../src/model/import.js";
import { calibrate, parseCalibration } from "../../src/quantize/calibration.js";
import { DEFAULT_QUANTIZE, quantize } from "../../src/quantize/quantize.js";
import type { QGraph } from "../../src/quantize/qgraph.js";
import { runQuantized } from "../../src/quantize/reference.js";
import { dequantize, quantizeInput } from "../../src/quantize/input.js";
import { argmax } from "../../src/quantize/accuracy.js";
import type { CompiledModel } from "../../src/circuit/compile-model.js";
import { qinputOf } from "../../src/quantize/input.js";
import { runPlan, type Backend } from "../../src/witness/witness.js";
import { runFloat } from "../../src/model/evaluate.js";
import type { Graph } from "../../src/model/graph.js";

/** Small enough to compile and run in the default test run. */
export const SMALL_MODELS = ["tabular_mlp", "cnn1d", "transformer"] as const;
/**
 * Of those, the ones the default test run also proves. The transformer (214,738 constraints, a
 * power-18 ptau) is proved only with ZKINFER_HEAVY=1: generating its development ptau alone took
 * over 20 minutes on 2 shared cores, more than a default run should spend.
 */
export const PROVED_MODELS = ["tabular_mlp", "cnn1d"] as const;
/** Compiled only by the benchmark and by the heavy tests (ZKINFER_HEAVY=1): 10^5–10^6+ constraints. */
export const BIG_MODELS = ["resnet8", "mobilenet_v3_small", "squeezenet1_1", "shufflenet_v2"] as const;
export const REAL_MODELS = [...SMALL_MODELS, ...BIG_MODELS] as const;
export type RealModelName = (typeof REAL_MODELS)[number];

export const ARGMAX_BAR = 0.95;
export const ERROR_BAR = 0.05;

export interface ModelInfo {
  readonly name: string;
  readonly architecture: string;
  readonly params: number;
  readonly onnx_bytes: number;
  readonly opset: number;
  readonly macs: number;
  readonly input_shape: readonly number[];
  readonly float_test_accuracy: number;
}

export interface RealModel {
  readonly name: string;
  readonly dir: string;
  readonly onnx: Uint8Array;
  readonly calibration: unknown;
  readonly info: ModelInfo;
  /** flat inputs and PyTorch's float outputs, as in test/fixtures/*\/samples.json */
  readonly inputs: readonly number[][];
  readonly outputs: readonly number[][];
}

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
// compiled to dist/bench/harness, the fixtures are still at the repository root
const repo = path.basename(here) === "dist" ? path.dirname(here) : here;
export const REAL_FIXTURES = path.join(repo, "test", "fixtures", "real");

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));

export function loadRealModel(name: string): RealModel {
  const dir = path.join(REAL_FIXTURES, name);
  const samples = readJson(path.join(dir, "samples.json")) as { inputs: number[][]; outputs: number[][] };
  return {
    name,
    dir,
    onnx: readFileSync(path.join(dir, "model.onnx")),
    calibration: readJson(path.join(dir, "calibration.json")),
    info: readJson(path.join(dir, "info.json")) as ModelInfo,
    inputs: samples.inputs,
    outputs: samples.outputs,
  };
}

export interface Agreement {
  readonly samples: number;
  /** fraction of samples whose argmax equals PyTorch's */
  readonly argmax: number;
  readonly maxError: number;
  /** the largest |PyTorch output| over all samples */
  readonly scale: number;
  /** maxError / scale */
  readonly relError: number;
}

export function agreement(got: readonly (readonly number[])[], want: readonly (readonly number[])[]): Agreement {
  let maxError = 0,
    scale = 0,
    agree = 0;
  want.forEach((w, s) => {
    const g = got[s]!;
    if (g.length !== w.length) throw new Error(`sample ${s}: ${g.length} outputs, PyTorch has ${w.length}`);
    w.forEach((v, i) => {
      maxError = Math.max(maxError, Math.abs(g[i]! - v));
      scale = Math.max(scale, Math.abs(v));
    });
    if (argmax(g) === argmax(w)) agree++;
  });
  return {
    samples: want.length,
    argmax: agree / want.length,
    maxError,
    scale,
    relError: scale > 0 ? maxError / scale : maxError,
  };
}

export function meetsBar(a: Agreement): boolean {
  return a.argmax >= ARGMAX_BAR && a.relError <= ERROR_BAR;
}

export function describeAgreement(a: Agreement): string {
  return (
    `argmax ${(a.argmax * 100).toFixed(0)} % of ${a.samples}, max |error| ${a.maxError.toPrecision(3)} = ` +
    `${(a.relError * 100).toPrecision(3)} % of the output scale ${a.scale.toPrecision(3)}`
  );
}

/** Import + the float evaluator: what zkinfer thinks the model computes, before quantizing. */
export function importAndRunFloat(m: RealModel): { graph: Graph; outputs: number[][] } {
  const graph = importOnnx(m.onnx, m.name).graph;
  const input = graph.inputs[0]!;
  const outputs = m.inputs.map((x) =>
    Array.from(
      runFloat(graph, new Map([[input.name, { shape: input.shape, data: Float64Array.from(x) }]])).get(
        graph.outputs[0]!.name,
      )!.data,
    ),
  );
  return { graph, outputs };
}

/** Import + calibrate + quantize with the default options (compile's first half, no circuit). */
export function quantizeModel(m: RealModel, graph: Graph = importOnnx(m.onnx, m.name).graph): QGraph {
  const samples = parseCalibration(m.calibration, graph.inputs[0]!.shape, `${m.name}/calibration.json`);
  return quantize(graph, calibrate(graph, samples), DEFAULT_QUANTIZE);
}

/** The integer reference model's outputs (the oracle the witness backends match bit for bit). */
export function runReference(q: QGraph, inputs: readonly (readonly number[])[]): number[][] {
  const out = q.outputs[0]!;
  return inputs.map((x) =>
    dequantize(runQuantized(q, quantizeInput(x, q.input, false).tensor).get(out.name)!, out.scale),
  );
}

/** `zkinfer run`'s path: the compiled witness plan on each input, outputs dequantized. */
export async function runCompiled(
  c: CompiledModel,
  inputs: readonly (readonly number[])[],
  backend: Backend = "js",
): Promise<number[][]> {
  const spec = qinputOf(c.meta.input);
  const results: number[][] = [];
  for (const x of inputs) {
    const [y] = await runPlan(c.circuit.plan, quantizeInput(x, spec, false).tensor, { backend });
    results.push(dequantize(y!, c.meta.outputs[0]!.scale));
  }
  return results;
}

/** What bench/real-model-step.ts reports for one model. */
export interface StepResult {
  readonly model: string;
  /** where it failed, or "done" */
  readonly stage: "compile" | "run" | "done";
  readonly error?: string;
  readonly constraints?: number;
  readonly wires?: number;
  readonly terms?: number;
  readonly errorBound?: number | null;
  readonly compileSeconds?: number;
  readonly runSecondsPerSample?: number;
  readonly agreement?: Agreement;
  /** bytes */
  readonly peakRss: number;
}

/**
 * Compiles and runs one model in a child process (dist/bench/real-model-step.js, so `npm run
 * build:lib` first): its peak RSS is its own, and the caller's event loop stays free while a
 * compile runs for minutes (a vitest worker that blocks that long loses its RPC link).
 */
export function compileAndRunInChild(name: string): Promise<StepResult> {
  const script = path.join(repo, "dist", "bench", "real-model-step.js");
  return new Promise((resolve) => {
    execFile(process.execPath, [script, name], { maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const last = stdout.trim().split("\n").at(-1);
      if (err || !last) {
        // a crash (out of memory, a missing dist/) rather than a failure the step reported
        const why =
          stderr
            .trim()
            .split("\n")
            .filter((l) => l.trim())
            .at(-1) ?? String(err);
        resolve({ model: name, stage: "compile", error: `the process died: ${why}`, peakRss: 0 });
        return;
      }
      resolve(JSON.parse(last) as StepResult);
    });
  });
}
