import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { importOnnx } from "../../src/model/import.js";
import { runFloat } from "../../src/model/evaluate.js";
import { calibrate } from "../../src/quantize/calibration.js";
import { quantize } from "../../src/quantize/quantize.js";
import { ZkError } from "../../src/errors.js";
import { encodeOnnx, randomInput, randomTensor, rng, runOrt } from "../helpers/onnx.js";
import { OP_CASES } from "../helpers/models.js";
import { fixture, flat, loadSamples, MODELS } from "../helpers/fixtures.js";

function floatRun(model: Uint8Array, x: Float32Array): Float64Array[] {
  const { graph } = importOnnx(model, "test");
  const v = runFloat(
    graph,
    new Map([[graph.inputs[0]!.name, { shape: graph.inputs[0]!.shape, data: Float64Array.from(x) }]]),
  );
  return graph.outputs.map((o) => v.get(o.name)!.data);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("ONNX import: float semantics match onnxruntime", () => {
  for (const [i, c] of OP_CASES.entries()) {
    it(c.name, async () => {
      const r = rng(1000 + i);
      const model = encodeOnnx({ inputs: [{ name: "x", shape: c.inShape }], ...c.build(r) });
      const x = randomInput(c.inShape, r, ...(c.range ?? [-1, 1]));
      const want = await runOrt(model, x, c.inShape);
      const got = floatRun(model, x);
      want.forEach((w, k) => expect(maxDiff(got[k]!, w) / Math.max(1, ...Array.from(w, Math.abs))).toBeLessThan(1e-5));
    });
  }

  for (const m of MODELS) {
    it(`${m}: all 20 samples match the PyTorch reference outputs`, () => {
      const model = readFileSync(fixture(m, "model.onnx"));
      const s = loadSamples(m);
      s.inputs.forEach((inp, k) => {
        const got = floatRun(model, Float32Array.from(flat(inp)));
        expect(maxDiff(got[0]!, flat(s.outputs[k]))).toBeLessThan(1e-4);
      });
    });
  }
});

describe("ONNX import: errors name the problem", () => {
  function errorOf(f: () => unknown): ZkError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ZkError);
      return e as ZkError;
    }
    throw new Error("expected an error");
  }

  it("lists every unsupported node at once, with names and op types", () => {
    const model = encodeOnnx({
      inputs: [{ name: "x", shape: [1, 4] }],
      initializers: [],
      nodes: [
        { opType: "Relu", inputs: ["x"], outputs: ["a"], name: "ok" },
        { opType: "Floor", inputs: ["a"], outputs: ["b"], name: "first_bad" },
        { opType: "Relu", inputs: ["b"], outputs: ["c"] },
        { opType: "Hardmax", inputs: ["c"], outputs: ["d"], name: "second_bad" },
      ],
      outputs: [{ name: "d" }],
    });
    const e = errorOf(() => importOnnx(model, "m.onnx"));
    expect(e.code).toBe("UNSUPPORTED_OP");
    expect(e.message).toMatch(/2 node\(s\)/);
    expect(e.message).toMatch(/"first_bad" \(Floor\)/);
    expect(e.message).toMatch(/"second_bad" \(Hardmax\)/);
  });

  it("names the node and shapes of a malformed op", () => {
    const model = encodeOnnx({
      inputs: [{ name: "x", shape: [1, 4] }],
      initializers: [randomTensor("W", [5, 3], rng(1))],
      nodes: [{ opType: "Gemm", inputs: ["x", "W"], outputs: ["y"], name: "fc1" }],
      outputs: [{ name: "y" }],
    });
    const e = errorOf(() => importOnnx(model, "m.onnx"));
    expect(e.message).toMatch(/node "fc1" \(Gemm\): A is 1×4 but B is 5×3/);
  });

  it("says when a weight operand is computed rather than constant, and when a divisor may be 0", () => {
    const conv = encodeOnnx({
      inputs: [{ name: "x", shape: [1, 1, 3, 3] }],
      initializers: [],
      nodes: [{ opType: "Conv", inputs: ["x", "x"], outputs: ["y"], name: "c1" }],
      outputs: [{ name: "y" }],
    });
    expect(errorOf(() => importOnnx(conv, "m.onnx")).message).toMatch(
      /node "c1" \(Conv\): W \(the kernel\).*must be a constant/,
    );
    const div = encodeOnnx({
      inputs: [{ name: "x", shape: [2, 2] }],
      initializers: [],
      nodes: [
        { opType: "Relu", inputs: ["x"], outputs: ["r"] },
        { opType: "Div", inputs: ["x", "r"], outputs: ["y"], name: "d1" },
      ],
      outputs: [{ name: "y" }],
    });
    // a computed divisor imports (the division gadget); the quantizer refuses one that may be 0
    const { graph } = importOnnx(div, "m.onnx");
    const cal = calibrate(graph, [{ shape: [2, 2], data: Float64Array.from([0.5, -1, 2, 0]) }]);
    expect(errorOf(() => quantize(graph, cal)).message).toMatch(
      /node "d1" \(Div\): the divisor "r" may be 0 or negative .*needs a divisor bounded above 0/,
    );
  });

  it("rejects truncated and empty files with BAD_MODEL", () => {
    const bytes = readFileSync(fixture("digits_mlp", "model.onnx"));
    for (const cut of [0, 1, 10, 300, bytes.length - 7]) {
      const e = errorOf(() => importOnnx(bytes.subarray(0, cut), "trunc.onnx"));
      expect(e.code).toBe("BAD_MODEL");
      expect(e.message).toMatch(/trunc\.onnx/);
    }
  });

  it("never throws anything but a ZkError on bit-flipped models", () => {
    const bytes = readFileSync(fixture("digits_cnn", "model.onnx"));
    const r = rng(7);
    for (let k = 0; k < 300; k++) {
      const b = Uint8Array.from(bytes);
      for (let f = 0; f < 1 + (k % 3); f++) b[Math.floor(r() * b.length)]! ^= 1 << Math.floor(r() * 8);
      try {
        importOnnx(b, "flip.onnx");
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(ZkError);
      }
    }
  });
});
