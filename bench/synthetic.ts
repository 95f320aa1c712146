/**
 * A synthetic CNN big enough that the js witness takes over a second: 80×80 input,
 * Conv 1→16 3×3 · ReLU · Conv 16→32 3×3 · ReLU · MaxPool 2 · Conv 32→32 3×3 · ReLU · MaxPool 2 ·
 * Flatten · Gemm 12800→10 (≈ 45 M MACs, ≈ 12 M wires). Seeded weights, so every run is the same
 * model; only the witness is benchmarked (no proof), so it needs no trained accuracy.
 */
import { encodeOnnx, type EncodeTensor } from "../src/model/onnx.js";

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function he(name: string, shape: number[], fanIn: number, r: () => number): EncodeTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const s = Math.sqrt(6 / fanIn);
  return { name, shape, data: Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * s)) };
}

const SIDE = 80;
const FLAT = 32 * (SIDE / 4) ** 2;
export const SYNTHETIC_SHAPE = [1, 1, SIDE, SIDE];

export function syntheticCnn(seed = 7): { onnx: Uint8Array; calibration: { inputs: number[][] }; input: number[] } {
  const r = rng(seed);
  const conv = (i: number, x: string) => ({ opType: "Conv", inputs: [x, `w${i}`, `b${i}`], outputs: [`c${i}`], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } });
  const initializers = [
    he("w1", [16, 1, 3, 3], 9, r), he("b1", [16], 9, r),
    he("w2", [32, 16, 3, 3], 144, r), he("b2", [32], 144, r),
    he("w3", [32, 32, 3, 3], 288, r), he("b3", [32], 288, r),
    he("wf", [10, FLAT], FLAT, r), he("bf", [10], FLAT, r),
  ];
  const onnx = encodeOnnx({
    inputs: [{ name: "x", shape: SYNTHETIC_SHAPE }],
    outputs: [{ name: "y", shape: [1, 10] }],
    initializers,
    nodes: [
      conv(1, "x"), { opType: "Relu", inputs: ["c1"], outputs: ["r1"] },
      conv(2, "r1"), { opType: "Relu", inputs: ["c2"], outputs: ["r2"] },
      { opType: "MaxPool", inputs: ["r2"], outputs: ["p2"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      conv(3, "p2"), { opType: "Relu", inputs: ["c3"], outputs: ["r3"] },
      { opType: "MaxPool", inputs: ["r3"], outputs: ["p3"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { opType: "Flatten", inputs: ["p3"], outputs: ["f"] },
      { opType: "Gemm", inputs: ["f", "wf", "bf"], outputs: ["y"], attrs: { transB: 1 } },
    ],
  });
  const sample = () => Array.from({ length: SIDE * SIDE }, () => r());
  return { onnx, calibration: { inputs: Array.from({ length: 8 }, sample) }, input: sample() };
}

/**
 * A wide CNN, where arithmetic outweighs wire writes (≈ 15 MACs per wire, against ≈ 4 above):
 * 8×32×32 input, Conv 8→64 · ReLU · Conv 64→128 · ReLU · MaxPool 2 · Conv 128→128 · ReLU ·
 * MaxPool 2 · Flatten · Gemm 8192→10, all 3×3 with padding 1 (≈ 118 M MACs).
 */
export function syntheticWide(seed = 11): { onnx: Uint8Array; calibration: { inputs: number[][] }; input: number[] } {
  const r = rng(seed);
  const conv = (i: number, x: string) => ({ opType: "Conv", inputs: [x, `w${i}`, `b${i}`], outputs: [`c${i}`], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } });
  const onnx = encodeOnnx({
    inputs: [{ name: "x", shape: [1, 8, 32, 32] }],
    outputs: [{ name: "y", shape: [1, 10] }],
    initializers: [
      he("w1", [64, 8, 3, 3], 72, r), he("b1", [64], 72, r),
      he("w2", [128, 64, 3, 3], 576, r), he("b2", [128], 576, r),
      he("w3", [128, 128, 3, 3], 1152, r), he("b3", [128], 1152, r),
      he("wf", [10, 8192], 8192, r), he("bf", [10], 8192, r),
    ],
    nodes: [
      conv(1, "x"), { opType: "Relu", inputs: ["c1"], outputs: ["r1"] },
      conv(2, "r1"), { opType: "Relu", inputs: ["c2"], outputs: ["r2"] },
      { opType: "MaxPool", inputs: ["r2"], outputs: ["p2"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      conv(3, "p2"), { opType: "Relu", inputs: ["c3"], outputs: ["r3"] },
      { opType: "MaxPool", inputs: ["r3"], outputs: ["p3"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { opType: "Flatten", inputs: ["p3"], outputs: ["f"] },
      { opType: "Gemm", inputs: ["f", "wf", "bf"], outputs: ["y"], attrs: { transB: 1 } },
    ],
  });
  const sample = () => Array.from({ length: 8 * 32 * 32 }, () => r());
  return { onnx, calibration: { inputs: Array.from({ length: 8 }, sample) }, input: sample() };
}
