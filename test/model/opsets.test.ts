/**
 * Import corner cases that real exporters and ONNX's node tests hit: opsets below 7 (whose
 * attributes differ), integer shape arithmetic, empty slices, Dropout in training mode and
 * per-tensor QuantizeLinear on a 1-D tensor. onnxruntime does not run opsets below 7, so those
 * are checked against values computed by hand.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/model/import.js";
import { runFloat } from "../../src/model/evaluate.js";
import { ZkError } from "../../src/errors.js";
import { DataType, encodeOnnx, intTensor, runOrt, type EncodeModel } from "../helpers/onnx.js";

function run(m: EncodeModel, x: number[]): number[][] {
  const { graph } = importOnnx(encodeOnnx(m), "test");
  const input = graph.inputs[0]!;
  const v = runFloat(graph, new Map([[input.name, { shape: input.shape, data: Float64Array.from(x) }]]));
  return graph.outputs.map((o) => Array.from(v.get(o.name)!.data));
}

function errorOf(m: EncodeModel): ZkError {
  try {
    importOnnx(encodeOnnx(m), "test");
  } catch (e) {
    expect(e).toBeInstanceOf(ZkError);
    return e as ZkError;
  }
  throw new Error("expected an error");
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);
const one = (opType: string, inputs: string[], attrs: EncodeModel["nodes"][number]["attrs"] = {}) => [
  { opType, inputs, outputs: ["y"], attrs },
];

describe("opsets below 7", () => {
  it("GlobalAveragePool at opset 1 (a node test of ONNX's own)", () => {
    const [y] = run(
      {
        opset: 1,
        inputs: [{ name: "x", shape: [1, 2, 2, 2] }],
        initializers: [],
        nodes: one("GlobalAveragePool", ["x"]),
        outputs: [{ name: "y" }],
      },
      iota(8),
    );
    expect(y).toEqual([1.5, 5.5]);
  });

  it("Add with broadcast=1 and axis lines B up with A from that axis; without axis, with A's last axes", () => {
    const b3 = { name: "b", shape: [3], data: [10, 20, 30] };
    const [y] = run(
      {
        opset: 6,
        inputs: [{ name: "x", shape: [2, 3, 2] }],
        initializers: [b3],
        nodes: one("Add", ["x", "b"], { broadcast: 1, axis: 1 }),
        outputs: [{ name: "y" }],
      },
      iota(12),
    );
    expect(y).toEqual(iota(12).map((v) => v + [10, 20, 30][Math.floor(v / 2) % 3]!));
    const b2 = { name: "b", shape: [2], data: [1, -1] };
    const [z] = run(
      {
        opset: 6,
        inputs: [{ name: "x", shape: [3, 2] }],
        initializers: [b2],
        nodes: one("Mul", ["x", "b"], { broadcast: 1 }),
        outputs: [{ name: "y" }],
      },
      iota(6),
    );
    expect(z).toEqual([0, -1, 2, -3, 4, -5]);
  });

  it("Reshape's shape attribute (opset < 5), Concat's default axis 1 (opset < 4), Pad's paddings (opset 1), Cast to a type name (opset < 6)", () => {
    const m: EncodeModel = {
      opset: 1,
      inputs: [{ name: "x", shape: [1, 4] }],
      initializers: [],
      nodes: [
        { opType: "Reshape", inputs: ["x"], outputs: ["r"], attrs: { shape: [2, 2] } },
        { opType: "Concat", inputs: ["r", "r"], outputs: ["c"] },
        { opType: "Pad", inputs: ["c"], outputs: ["p"], attrs: { paddings: [0, 1, 0, 0], value: { float: 9 } } },
        { opType: "Cast", inputs: ["p"], outputs: ["y"], attrs: { to: "FLOAT" } },
      ],
      outputs: [{ name: "y" }],
    };
    expect(run(m, [1, 2, 3, 4])[0]).toEqual([9, 1, 2, 1, 2, 9, 3, 4, 3, 4]);
  });

  it("refuses BatchNormalization with spatial=0 (per-element parameters) rather than reading them per channel", () => {
    const p = (name: string) => ({ name, shape: [2], data: [1, 1] });
    const e = errorOf({
      opset: 6,
      inputs: [{ name: "x", shape: [1, 2, 1, 1] }],
      initializers: ["s", "b", "m", "v"].map(p),
      nodes: one("BatchNormalization", ["x", "s", "b", "m", "v"], { spatial: 0 }),
      outputs: [{ name: "y" }],
    });
    expect(e.message).toMatch(/spatial=0/);
  });
});

describe("import-time folding", () => {
  it("divides integer constants with truncation and float constants exactly", () => {
    const m: EncodeModel = {
      inputs: [{ name: "x", shape: [1, 7] }],
      initializers: [
        intTensor("one", [1]),
        intTensor("two", [2]),
        intTensor("zero", [0]),
        { name: "f7", shape: [1], data: [7] },
        { name: "f2", shape: [1], data: [2] },
      ],
      nodes: [
        { opType: "Shape", inputs: ["x"], outputs: ["s"] },
        { opType: "Gather", inputs: ["s", "one"], outputs: ["n"], attrs: { axis: 0 } },
        { opType: "Div", inputs: ["n", "two"], outputs: ["h"] }, // 7 / 2 = 3
        { opType: "Slice", inputs: ["x", "zero", "h", "one"], outputs: ["a"] },
        { opType: "Div", inputs: ["f7", "f2"], outputs: ["k"] }, // 3.5
        { opType: "Mul", inputs: ["a", "k"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    };
    expect(run(m, iota(7))[0]).toEqual([0, 3.5, 7]);
  });

  it("says so when Slice bounds are not integers, instead of rounding them", () => {
    const e = errorOf({
      inputs: [{ name: "x", shape: [1, 4] }],
      initializers: [
        { name: "st", shape: [1], data: [0.5] },
        { name: "en", shape: [1], data: [3] },
        intTensor("ax", [1]),
      ],
      nodes: [{ opType: "Slice", inputs: ["x", "st", "en", "ax"], outputs: ["y"], name: "sl" }],
      outputs: [{ name: "y" }],
    });
    expect(e.message).toMatch(/node "sl" \(Slice\): starts, ends and steps must be integers, got 0\.5/);
  });

  it("an empty slice as the model's output is refused by name", () => {
    const e = errorOf({
      inputs: [{ name: "x", shape: [2, 3] }],
      initializers: [intTensor("st", [5]), intTensor("en", [9]), intTensor("ax", [1])],
      nodes: one("Slice", ["x", "st", "en", "ax"]),
      outputs: [{ name: "y" }],
    });
    expect(e.message).toMatch(/output "y" is empty \(\[2, 0\]\)/);
  });
});

describe("Dropout and QuantizeLinear", () => {
  const dropout = (training: number, ratio: number): EncodeModel => ({
    inputs: [{ name: "x", shape: [2, 2] }],
    initializers: [
      { name: "r", shape: [], data: [ratio] },
      { name: "t", shape: [], data: [training], dataType: DataType.BOOL },
    ],
    nodes: one("Dropout", ["x", "r", "t"]),
    outputs: [{ name: "y" }],
  });

  it("refuses Dropout with training_mode=true, which is random, and keeps it the identity otherwise", () => {
    expect(errorOf(dropout(1, 0.5)).message).toMatch(/training_mode=true/);
    expect(run(dropout(0, 0.5), [1, 2, 3, 4])[0]).toEqual([1, 2, 3, 4]);
    expect(run(dropout(1, 0), [1, 2, 3, 4])[0]).toEqual([1, 2, 3, 4]);
  });

  it("a per-tensor QuantizeLinear on a 1-D tensor ignores its default axis 1", async () => {
    const m: EncodeModel = {
      inputs: [{ name: "x", shape: [6] }],
      initializers: [
        { name: "s", shape: [], data: [0.25] },
        { name: "z", shape: [], data: [3], dataType: DataType.UINT8 },
      ],
      nodes: [
        { opType: "QuantizeLinear", inputs: ["x", "s", "z"], outputs: ["q"] },
        { opType: "DequantizeLinear", inputs: ["q", "s", "z"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    };
    const x = [-2, -0.3, 0, 0.4, 1.13, 70];
    const [want] = await runOrt(encodeOnnx(m), Float32Array.from(x), [6]);
    expect(run(m, x)[0]).toEqual(Array.from(want!));
  });

  it("names QuantizeLinear when the model's output is its integer tensor", () => {
    const e = errorOf({
      inputs: [{ name: "x", shape: [4] }],
      initializers: [{ name: "s", shape: [], data: [0.5] }],
      nodes: [{ opType: "QuantizeLinear", inputs: ["x", "s"], outputs: ["y"], name: "ql" }],
      outputs: [{ name: "y", elemType: DataType.UINT8 }],
    });
    expect(e.message).toMatch(/output "y" is the integer output of QuantizeLinear "ql"/);
  });
});
