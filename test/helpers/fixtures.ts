/** Loading the bundled models and samples in tests. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { importOnnx } from "../../src/model/import.js";
import { calibrate, parseCalibration } from "../../src/quantize/calibration.js";
import { quantize, DEFAULT_QUANTIZE, type QuantizeOptions } from "../../src/quantize/quantize.js";
import type { Graph } from "../../src/model/graph.js";
import type { QGraph } from "../../src/quantize/qgraph.js";
import { compileToDir } from "../../src/artifacts.js";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { setupDir } from "../../src/prove/setup.js";

export const FIXTURES = path.resolve("test/fixtures");
export const MODELS = ["digits_mlp", "digits_cnn", "cancer_logreg"] as const;

export interface Samples {
  input_shape: number[];
  inputs: unknown[];
  outputs: unknown[];
  labels: number[];
}

export function fixture(name: string, file: string): string {
  return path.join(FIXTURES, name, file);
}

/** A bundled model compiled with the default options into `dir` and set up (a development key). */
export async function setUpFixture(name: string, dir: string): Promise<void> {
  await compileToDir(fixture(name, "model.onnx"), fixture(name, "calibration.json"), dir, DEFAULT_COMPILE);
  await setupDir(dir);
}

export function loadSamples(name: string): Samples {
  return JSON.parse(readFileSync(fixture(name, "samples.json"), "utf8")) as Samples;
}

export function loadModel(name: string, opts: QuantizeOptions = DEFAULT_QUANTIZE): { graph: Graph; q: QGraph } {
  const graph = importOnnx(readFileSync(fixture(name, "model.onnx")), name).graph;
  const cal = parseCalibration(
    JSON.parse(readFileSync(fixture(name, "calibration.json"), "utf8")),
    graph.inputs[0]!.shape,
    "calibration",
  );
  return { graph, q: quantize(graph, calibrate(graph, cal), opts) };
}

export function flat(v: unknown): number[] {
  return (v as unknown[]).flat(Infinity as 1) as number[];
}
