/**
 * LayerNorm as ONNX's function body writes it (E[x²] − E[x]², Sqrt, Div and Reciprocal of σ:
 * the `_expanded` node tests) and the bound its inverse square root relies on: an input
 * var + ε̂ ≥ 1 (one quantum), which must hold in every satisfying witness, not only for the
 * inputs calibration saw.
 *   - It lowers as LayerNormalization itself does: the variance centred (a sum of squares d·d,
 *     each ≥ 0 by its product constraint), ε kept at ≥ one quantum, one rsqrt per row and no
 *     division: the opset-17 node's gadgets, constraint for constraint.
 *   - A flat row (variance exactly 0) is the floor itself: it proves, its rsqrt's input at ε̂.
 *   - A prover who pushes a row's rsqrt input below the floor (any one wire of that input
 *     changed to make it 0 or −1, the rsqrt's y, products and slacks rewritten to match, for
 *     sampled y), or who shifts its hint by one, is rejected by the R1CS. The gadget-level
 *     argument (every y, an unconstrained input) is in test/circuit/invert.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { compileModel, DEFAULT_COMPILE, type CompiledModel } from "../../src/circuit/compile-model.js";
import { computeWitness } from "../../src/witness/witness.js";
import { qinputOf, quantizeInput } from "../../src/quantize/input.js";
import { readR1cs, type ParsedR1cs, type SparseLc } from "../../src/formats/r1cs.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { checkR1cs } from "../../src/witness/check.js";
import { invertInt } from "../../src/quantize/reference.js";
import { mod, P, toSigned } from "../../src/field.js";
import { encodeOnnx, randomInput, rng } from "../helpers/onnx.js";
import { OP_CASES } from "../helpers/models.js";
import { claimInvert, claimableYs, type InvertStep } from "../helpers/invert-lies.js";
import { record, writeTally } from "../helpers/tamper.js";

afterAll(() => writeTally("layernorm"));

const body = OP_CASES.find((c) => c.name.startsWith("LayerNorm as ONNX's function body"))!;
const shape = body.inShape;
const built = body.build(rng(7));
const weights = built.initializers.filter((t) => t.name === "g" || t.name === "b");
const calibration = { inputs: Array.from({ length: 8 }, (_, i) => Array.from(randomInput(shape, rng(100 + i)))) };

function compile(model: Uint8Array, name: string): CompiledModel {
  return compileModel(model, calibration, DEFAULT_COMPILE, { model: name, calibration: "random" });
}

const expanded = compile(encodeOnnx({ inputs: [{ name: "x", shape }], ...built }), "expanded");
const node17 = compile(
  encodeOnnx({
    opset: 17,
    inputs: [{ name: "x", shape }],
    initializers: weights,
    nodes: [
      {
        opType: "LayerNormalization",
        inputs: ["x", "g", "b"],
        outputs: ["y", "mu", "inv"],
        attrs: { axis: -1, epsilon: { float: 1e-5 } },
      },
    ],
    outputs: [{ name: "y" }, { name: "mu" }, { name: "inv" }],
  }),
  "LayerNormalization-17",
);

const r1cs: ParsedR1cs = readR1cs(expanded.r1csBytes);
const plan = expanded.circuit.plan;
const rsqrt = plan.steps.find((s): s is InvertStep => s.kind === "invert")!;

/** Σ coeff·w, as a signed integer. */
function evaluate(lc: SparseLc, w: readonly bigint[]): bigint {
  let v = 0n;
  lc.wires.forEach((wire, j) => (v += lc.coeffs[j]! * w[wire]!));
  return toSigned(mod(v));
}

/** The rsqrt's input for row i: the B of its constraint y·x = u (u is the row's first product wire). */
function rsqrtInput(i: number): SparseLc {
  const u = rsqrt.productWire + 2 * i;
  const c = r1cs.constraints.find(([, , C]) => C.wires.length === 1 && C.wires[0] === u && C.coeffs[0] === 1n)!;
  return c[1];
}

async function witnessOf(x: Float32Array): Promise<bigint[]> {
  const q = quantizeInput(Array.from(x), qinputOf(expanded.meta.input), true);
  return witnessValues(readWtns((await computeWitness(plan, q.tensor, { backend: "js" })).wtns));
}

/** A random input whose first row is flat (its variance exactly 0). */
function flatFirstRow(): Float32Array {
  const x = randomInput(shape, rng(11));
  x.fill(0.375, 0, shape[1]!);
  return x;
}

/** w with one wire changed so that the linear combination `lc` takes the value `to`. */
function forceLc(w: readonly bigint[], lc: SparseLc, j: number, to: bigint): bigint[] {
  const out = [...w];
  const c = lc.coeffs[j]!;
  const delta = mod(to - evaluate(lc, w));
  out[lc.wires[j]!] = mod(w[lc.wires[j]!]! + delta * modInverse(c));
  return out;
}

function modInverse(a: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a), P, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return mod(s0);
}

describe("LayerNorm's function body: the rsqrt's floor is enforced", () => {
  it("lowers as LayerNormalization (opset 17): the same constraints, one rsqrt per row, no division", () => {
    expect(plan.steps.some((s) => s.kind === "div")).toBe(false);
    expect(plan.steps.filter((s) => s.kind === "invert").map((s) => (s as InvertStep).fn)).toEqual(["rsqrt"]);
    expect(r1cs.constraints.length).toBe(readR1cs(node17.r1csBytes).constraints.length);
    // the same gadgets in the same order (the body's Scale and B are two free affines, the node's one)
    const gadgets = (c: CompiledModel) => c.circuit.plan.steps.map((s) => s.kind).filter((k) => k !== "linear");
    expect(gadgets(expanded)).toEqual(gadgets(node17));
    // the bound the gadget was built for: var + ε̂ ≥ 1, ε̂ kept at one quantum or more
    expect(plan.tensors[rsqrt.input]!.lo).toBeGreaterThanOrEqual(1);
  });

  it("a flat row proves, with its rsqrt's input at the floor", async () => {
    const w = await witnessOf(flatFirstRow());
    expect(checkR1cs(r1cs, w).ok).toBe(true);
    const floor = BigInt(plan.tensors[rsqrt.input]!.lo);
    expect(evaluate(rsqrtInput(0), w)).toBe(floor);
    for (let i = 1; i < shape[0]!; i++) expect(evaluate(rsqrtInput(i), w) >= floor).toBe(true);
  });

  it("an rsqrt input pushed below the floor, or a shifted hint, is rejected", async () => {
    const w = await witnessOf(flatFirstRow());
    const x = rsqrtInput(0);
    const ys = claimableYs(rsqrt);
    const r = rng(5);
    const sampled = [ys[0]!, ys[ys.length - 1]!, ...Array.from({ length: 6 }, () => ys[Math.floor(r() * ys.length)]!)];
    for (let j = 0; j < x.wires.length; j++) {
      if (x.wires[j] === 0) continue; // the constant ε̂ is not the prover's
      for (const to of [0n, -1n]) {
        const pushed = forceLc(w, x, j, to);
        expect(evaluate(x, pushed)).toBe(to);
        for (const y of sampled) {
          const caught = !checkR1cs(r1cs, claimInvert(pushed, rsqrt, 0, to, y)).ok;
          record("LayerNorm body rsqrt", "input below the floor, y rewritten", caught);
          expect(caught, `wire ${x.wires[j]} → ${to}, y = ${y} accepted`).toBe(true);
        }
      }
    }
    const honest = evaluate(x, w);
    const trueY = BigInt(invertInt("rsqrt", rsqrt.k, Number(honest)));
    expect(claimInvert(w, rsqrt, 0, honest, trueY)).toEqual(w);
    for (const lie of [trueY + 1n, trueY - 1n, ys[0]!]) {
      const caught = !checkR1cs(r1cs, claimInvert(w, rsqrt, 0, honest, lie)).ok;
      record("LayerNorm body rsqrt", "hint y shifted, products and slacks to match", caught);
      expect(caught, `y = ${lie} accepted`).toBe(true);
    }
  });
});
