/**
 * Calibration data: parsing the file (`{"inputs": [...]}` as in shared/models, or EZKL's
 * `{"input_data": [[...]]}`) and collecting per-value statistics by running the float graph.
 */
import type { Graph, Tensor } from "../model/graph.js";
import { runFloat } from "../model/evaluate.js";
import { shapeStr, sizeOf } from "../model/shapes.js";
import { ZkError } from "../errors.js";

export interface ValueStats {
  min: number;
  max: number;
  /** max |x| */
  absMax: number;
}

export interface Calibration {
  readonly samples: readonly Tensor[];
  /** float statistics of every computed value over the samples */
  readonly stats: ReadonlyMap<string, ValueStats>;
  /** float outputs per sample, by output name */
  readonly outputs: readonly (readonly Tensor[])[];
}

/** Tensors have at most this many dimensions; deeper nesting is malformed input (and would exhaust the stack). */
const MAX_NESTING = 16;

/** Flattens nested arrays of numbers; fails, naming `what`, on anything that is not a finite number. */
export function flattenNumbers(v: unknown, what: string, code: "BAD_INPUT" | "BAD_CALIBRATION"): number[] {
  const out: number[] = [];
  const walk = (x: unknown, path: string, depth: number): void => {
    if (Array.isArray(x)) {
      if (depth >= MAX_NESTING) throw new ZkError(code, `${what}${path}: arrays nested more than ${MAX_NESTING} deep`);
      x.forEach((e, i) => walk(e, `${path}[${i}]`, depth + 1));
      return;
    }
    if (typeof x !== "number")
      throw new ZkError(
        code,
        `${what}${path}: expected a number, got ${x === null ? "null" : typeof x} ${JSON.stringify(x)?.slice(0, 40)}`,
      );
    if (!Number.isFinite(x)) throw new ZkError(code, `${what}${path}: ${x} is not a finite number`);
    out.push(x);
  };
  walk(v, "", 0);
  return out;
}

/** Reads the samples out of a parsed calibration file, each checked against the input shape. */
export function parseCalibration(json: unknown, inputShape: readonly number[], file: string): Tensor[] {
  const size = sizeOf(inputShape);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ZkError("BAD_CALIBRATION", `${file}: expected an object with an "inputs" array (one sample per entry)`);
  }
  const obj = json as Record<string, unknown>;
  let samples: number[][];
  if (Array.isArray(obj.inputs)) {
    samples = obj.inputs.map((s, i) => flattenNumbers(s, `${file}: inputs[${i}]`, "BAD_CALIBRATION"));
  } else if (Array.isArray(obj.input_data)) {
    // EZKL: one flat list per model input holding every sample back to back
    const flat = flattenNumbers(obj.input_data[0], `${file}: input_data[0]`, "BAD_CALIBRATION");
    if (flat.length === 0 || flat.length % size !== 0) {
      throw new ZkError(
        "BAD_CALIBRATION",
        `${file}: input_data[0] has ${flat.length} numbers, not a multiple of the input size ${size} ${shapeStr(inputShape)}`,
      );
    }
    samples = [];
    for (let i = 0; i < flat.length; i += size) samples.push(flat.slice(i, i + size));
  } else {
    throw new ZkError("BAD_CALIBRATION", `${file}: no "inputs" (or EZKL "input_data") field`);
  }
  if (samples.length === 0) throw new ZkError("BAD_CALIBRATION", `${file}: no samples`);
  return samples.map((s, i) => {
    if (s.length !== size) {
      throw new ZkError(
        "BAD_CALIBRATION",
        `${file}: inputs[${i}] has ${s.length} numbers but the model input ${shapeStr(inputShape)} needs ${size}`,
      );
    }
    return { shape: inputShape, data: Float64Array.from(s) };
  });
}

export function calibrate(graph: Graph, samples: readonly Tensor[]): Calibration {
  const stats = new Map<string, ValueStats>();
  const outputs: Tensor[][] = [];
  const inputName = graph.inputs[0]!.name;
  for (const sample of samples) {
    const values = runFloat(graph, new Map([[inputName, sample]]));
    for (const [name, t] of values) {
      let s = stats.get(name);
      if (!s) stats.set(name, (s = { min: Infinity, max: -Infinity, absMax: 0 }));
      for (const v of t.data) {
        if (v < s.min) s.min = v;
        if (v > s.max) s.max = v;
      }
      s.absMax = Math.max(Math.abs(s.min), Math.abs(s.max));
    }
    outputs.push(graph.outputs.map((o) => values.get(o.name)!));
  }
  return { samples, stats, outputs };
}
