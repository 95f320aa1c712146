/** Loading the bundled models and samples in tests. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { importOnnx } from "../../src/model/import.js";
import { calibrate, parseCalibration } from "../../src/quantize/calibration.js";
import { quantize, DEFAULT_QUANTIZE, type QuantizeOptions } from "../../src/quantize/quantize.js";
import type { Graph } from "../../src/model/graph.js";
import type { QGraph } from "../../src/quantize/qgraph.js";

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
