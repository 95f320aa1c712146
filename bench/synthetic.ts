/**
 * Synthetic CNNs whose js witness takes over a second, for bench/witness.ts. Seeded weights,
 * so every run is the same model; only the witness is benchmarked (no proof), so they need
 * no trained accuracy. Every convolution is 3×3 with padding 1 and a ReLU; the head is
 * Flatten · Gemm → 10.
 */
import { encodeOnnx, type EncodeNode, type EncodeTensor } from "../src/model/onnx.js";
import { rng } from "../src/util/rng.js";

export interface SyntheticModel {
  readonly onnx: Uint8Array;
  readonly calibration: { inputs: number[][] };
  readonly input: number[];
}

function he(name: string, shape: number[], fanIn: number, r: () => number): EncodeTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const s = Math.sqrt(6 / fanIn);
  return { name, shape, data: Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * s)) };
}

/** Input [1, C, side, side]; each layer a conv to `out` channels, then a 2×2 max pool if `pool`. */
function cnn(
  channels: number,
  side: number,
  layers: readonly { out: number; pool: boolean }[],
  seed: number,
): SyntheticModel {
  const r = rng(seed);
  const initializers: EncodeTensor[] = [];
  const nodes: EncodeNode[] = [];
  let x = "x",
    c = channels,
    s = side;
  layers.forEach((l, i) => {
    initializers.push(he(`w${i}`, [l.out, c, 3, 3], 9 * c, r), he(`b${i}`, [l.out], 9 * c, r));
    nodes.push({
      opType: "Conv",
      inputs: [x, `w${i}`, `b${i}`],
      outputs: [`c${i}`],
      attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
    });
    nodes.push({ opType: "Relu", inputs: [`c${i}`], outputs: [`r${i}`] });
    x = `r${i}`;
    if (l.pool) {
      nodes.push({
        opType: "MaxPool",
        inputs: [x],
        outputs: [`p${i}`],
        attrs: { kernel_shape: [2, 2], strides: [2, 2] },
      });
      x = `p${i}`;
      s /= 2;
    }
    c = l.out;
  });
  const flat = c * s * s;
  initializers.push(he("wf", [10, flat], flat, r), he("bf", [10], flat, r));
  nodes.push(
    { opType: "Flatten", inputs: [x], outputs: ["f"] },
    { opType: "Gemm", inputs: ["f", "wf", "bf"], outputs: ["y"], attrs: { transB: 1 } },
  );
  const onnx = encodeOnnx({
    inputs: [{ name: "x", shape: [1, channels, side, side] }],
    outputs: [{ name: "y", shape: [1, 10] }],
    initializers,
    nodes,
  });
  const sample = () => Array.from({ length: channels * side * side }, () => r());
  return { onnx, calibration: { inputs: Array.from({ length: 8 }, sample) }, input: sample() };
}

/**
 * Heavy in wires: 1×80×80 input, convs to 16, 32 (pool), 32 (pool) channels, Gemm 12800 → 10
 * (≈ 45 M MACs, ≈ 12 M wires, ≈ 4 MACs per wire).
 */
export function syntheticCnn(seed = 7): SyntheticModel {
  return cnn(
    1,
    80,
    [
      { out: 16, pool: false },
      { out: 32, pool: true },
      { out: 32, pool: true },
    ],
    seed,
  );
}

/**
 * Wide, where arithmetic weighs more (≈ 13 MACs per wire): 8×32×32 input, convs to 64,
 * 128 (pool), 128 (pool) channels, Gemm 8192 → 10 (≈ 118 M MACs).
 */
export function syntheticWide(seed = 11): SyntheticModel {
  return cnn(
    8,
    32,
    [
      { out: 64, pool: false },
      { out: 128, pool: true },
      { out: 128, pool: true },
    ],
    seed,
  );
}
