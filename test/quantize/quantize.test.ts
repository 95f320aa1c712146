import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/model/import.js";
import { calibrate } from "../../src/quantize/calibration.js";
import { quantize, paramScale, DEFAULT_QUANTIZE } from "../../src/quantize/quantize.js";
import { runQuantized } from "../../src/quantize/reference.js";
import { quantizeInput } from "../../src/quantize/input.js";
import { WindowError } from "../../src/quantize/window.js";
import type { IntTensor, QOp } from "../../src/quantize/qgraph.js";
import { QuantizeContext } from "../../src/quantize/context.js";
import { encodeOnnx, rng } from "../helpers/onnx.js";
import { loadModel, MODELS } from "../helpers/fixtures.js";

describe("quantization", () => {
  it("takes accumulations past 2^53 (the witness holds them exactly), and refuses what the field cannot hold, naming the node", () => {
    const K = 1 << 14;
    const model = encodeOnnx({
      inputs: [{ name: "x", shape: [1, K] }],
      initializers: [{ name: "W", shape: [K, 1], data: Array.from({ length: K }, (_, i) => (i % 2 ? 0.9 : -0.9)) }],
      nodes: [{ opType: "MatMul", inputs: ["x", "W"], outputs: ["y"], name: "huge_dot" }],
      outputs: [{ name: "y" }],
    });
    const { graph } = importOnnx(model, "m");
    const r = rng(3);
    const cal = calibrate(graph, [{ shape: [1, K], data: Float64Array.from({ length: K }, () => r() * 2 - 1) }]);
    // near 2^(31 + 31 + 14) − the cancelling weights: this used to be refused at 2^50
    const q = quantize(graph, cal, { ...DEFAULT_QUANTIZE, inputBits: 32, weightBits: 32 });
    const y = q.values.get(q.outputs[0]!.name)!;
    expect(Math.max(-y.lo, y.hi)).toBeGreaterThan(2 ** 64);
    // the field's limit, and the ops kept narrow, refuse by name
    const ctx = new QuantizeContext(graph, cal, DEFAULT_QUANTIZE);
    const node = graph.nodes[0]!;
    const x = q.input;
    const define = (op: QOp, m: number) => () =>
      ctx.define(node, node.source, op, [x], "t", [1], 0, { lo: -m, hi: m, mag: m }, 0);
    const gemm: QOp = { kind: "gemm", weight: { shape: [1, 1], data: Float64Array.of(1) }, bias: null };
    expect(define(gemm, 2 ** 200)).not.toThrow();
    expect(define(gemm, 2 ** 241)).toThrow(
      /node "huge_dot" \(MatMul\): quantized values may reach 2\^241\.0, beyond the 2\^240 that BN254's field holds/,
    );
    const requant: QOp = { kind: "requant", shift: 4, act: { kind: "none" }, window: null };
    expect(define(requant, 2 ** 49)).not.toThrow();
    expect(define(requant, 2 ** 51)).toThrow(
      /node "huge_dot" \(MatMul\): its rescaled output may reach 2\^51\.0, beyond the 2\^50/,
    );
    expect(define({ kind: "div", shift: 3 }, 2 ** 51)).toThrow(/its div may reach 2\^51\.0/);
  });

  it("gives exact constants the smallest exact scale", () => {
    expect(paramScale([-1, 1, 2], 8)).toBe(0);
    expect(paramScale([0.5, 0.25], 8)).toBe(2);
    expect(paramScale([0.3], 8)).toBe(8); // 0.3 needs every bit: 7 - ceil(log2 0.3) = 8
  });

  for (const name of MODELS) {
    it(`${name}: every value stays within its bounds for any accepted input, not just calibration data`, () => {
      const { q } = loadModel(name);
      const r = rng(11);
      const n = q.input.shape.reduce((a, b) => a * b, 1);
      const inputs = [
        new Float64Array(n).fill(q.input.lo),
        new Float64Array(n).fill(q.input.hi),
        Float64Array.from({ length: n }, (_, i) => (i % 2 ? q.input.lo : q.input.hi)),
        ...Array.from({ length: 30 }, () =>
          Float64Array.from({ length: n }, () => q.input.lo + Math.floor(r() * (q.input.hi - q.input.lo + 1))),
        ),
      ];
      let accepted = 0;
      for (const data of inputs) {
        let values: Map<string, IntTensor>;
        try {
          values = runQuantized(q, { shape: q.input.shape, data });
        } catch (e) {
          // an activation window refuses the input (no witness exists): bounds hold vacuously
          expect(e).toBeInstanceOf(WindowError);
          continue;
        }
        accepted++;
        for (const [vname, t] of values) {
          const b = q.values.get(vname)!;
          for (const v of t.data) {
            expect(Number.isInteger(v)).toBe(true);
            expect(v >= b.lo && v <= b.hi, `${vname}: ${v} outside [${b.lo}, ${b.hi}]`).toBe(true);
          }
        }
      }
      expect(accepted).toBeGreaterThan(inputs.length / 2);
    });
  }

  it("keeps a positive ε added alone at one quantum: a LayerNorm of values near ±1000 compiles", () => {
    // at such a variance's scale (2^8 here) ε = 1e-5 rounds to 0, and 1/√(var + ε) was refused
    const model = encodeOnnx({
      opset: 17,
      inputs: [{ name: "x", shape: [2, 8] }],
      initializers: [
        { name: "g", shape: [8], data: [1, 0.5, -1, 2, 1, 1, 0.25, 1] },
        { name: "b", shape: [8], data: [0, 0.1, 0, 0, -0.2, 0, 0, 0] },
      ],
      nodes: [
        { opType: "LayerNormalization", inputs: ["x", "g", "b"], outputs: ["y"], name: "ln", attrs: { axis: -1 } },
      ],
      outputs: [{ name: "y" }],
    });
    const { graph } = importOnnx(model, "m");
    const r = rng(5);
    const cal = calibrate(
      graph,
      Array.from({ length: 4 }, () => ({
        shape: [2, 8],
        data: Float64Array.from({ length: 16 }, () => (r() * 2 - 1) * 1000),
      })),
    );
    const q = quantize(graph, cal);
    const eps = q.nodes.find((n) => n.op.kind === "affine" && !n.op.mul && n.op.add)!;
    if (eps.op.kind !== "affine") throw new Error("unreachable");
    const v = q.values.get(eps.output)!;
    expect(1e-5 * 2 ** v.scale).toBeLessThan(0.5);
    expect(Array.from(eps.op.add!.data)).toEqual([1]);
    expect(v.lo).toBeGreaterThanOrEqual(1);
    expect(v.err!).toBeGreaterThanOrEqual(2 ** -v.scale - 1e-5); // the error bound counts the larger ε
    // a flat row (variance 0) reaches the floor and runs
    const rsqrt = q.nodes.find((n) => n.op.kind === "invert")!;
    const flat = quantizeInput(
      [...new Array(8).fill(700), ...Array.from({ length: 8 }, (_, i) => i * 100)],
      q.input,
      true,
    );
    const values = runQuantized(q, flat.tensor);
    expect(Math.min(...values.get(rsqrt.inputs[0]!)!.data)).toBe(q.values.get(rsqrt.inputs[0]!)!.lo);
  });

  it("clamps out-of-range inputs with a warning, refuses them with strict, refuses NaN always", () => {
    const { q } = loadModel("digits_mlp");
    const x = new Array(64).fill(0.5);
    x[3] = 50;
    x[9] = -7;
    const r = quantizeInput(x, q.input, false, "in.json: input");
    expect(r.clamped).toBe(2);
    expect(r.warnings[0]).toMatch(/2 of 64 input values lie outside the accepted range .*in\.json: input\[3\] = 50/);
    expect(r.tensor.data[3]).toBe(q.input.hi);
    expect(r.tensor.data[9]).toBe(q.input.lo);
    expect(() => quantizeInput(x, q.input, true)).toThrow(/outside the accepted range/);
    expect(() => quantizeInput([...x.slice(1), NaN], q.input, false)).toThrow(/\[63\] is NaN, not a finite number/);
  });
});
