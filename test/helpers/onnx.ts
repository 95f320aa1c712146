/**
 * Building small ONNX models in tests, and running them with onnxruntime-web (the
 * independent float reference).
 */
import * as ort from "onnxruntime-web";
import { encodeOnnx, DataType, type EncodeModel, type EncodeTensor } from "../../src/model/onnx.js";

export { encodeOnnx, DataType };
export type { EncodeModel, EncodeTensor };

/** A seeded generator so every test model is the same on every run. */
export { rng } from "../../src/util/rng.js";

export function randomTensor(name: string, shape: number[], rand: () => number, scale = 1): EncodeTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, data: Array.from({ length: n }, () => Math.fround((rand() * 2 - 1) * scale)) };
}

export function intTensor(name: string, values: number[]): EncodeTensor {
  return { name, shape: [values.length], data: values, dataType: DataType.INT64 };
}

// onnxruntime-web runs its WebAssembly build in Node: one thread (no worker files to fetch),
// nothing downloaded at install
ort.env.wasm.numThreads = 1;

export async function runOrt(model: Uint8Array, input: Float32Array, shape: number[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(model);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", input, shape) };
  const out = await session.run(feeds);
  // ArgMax gives int64: compare as numbers
  return session.outputNames.map((n) => {
    const d = out[n]!.data;
    return d instanceof BigInt64Array ? Float32Array.from(d, Number) : (d as Float32Array);
  });
}

export function randomInput(shape: number[], rand: () => number, lo = -1, hi = 1): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => lo + rand() * (hi - lo));
}
