/**
 * "Any ONNX model made of the supported ops": each small test model is compiled with
 * calibration data, its witness must satisfy its R1CS for fresh inputs, and the quantized
 * output must be close to onnxruntime's.
 */
import { afterAll, describe, expect, it } from "vitest";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { computeWitness } from "../../src/witness/witness.js";
import { quantizeInput, dequantize } from "../../src/quantize/input.js";
import { qinputOf } from "../../src/quantize/input.js";
import { readR1cs } from "../../src/formats/r1cs.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { checkR1cs } from "../../src/witness/check.js";
import { P } from "../../src/field.js";
import { encodeOnnx, randomInput, rng, runOrt } from "../helpers/onnx.js";
import { OP_CASES } from "../helpers/models.js";

const worst = new Map<string, number>();
const bounds = new Map<string, number>();

describe("compiling small models of every supported op", () => {
  afterAll(() => {
    // the per-op accuracy table (quoted in the docs)
    for (const [name, err] of worst)
      console.log(`${name}: max |error| ${err.toExponential(2)}, reported bound ${bounds.get(name)!.toExponential(2)}`);
  });

  for (const [i, c] of OP_CASES.entries()) {
    it(c.name, async () => {
      const r = rng(2000 + i);
      const model = encodeOnnx({ inputs: [{ name: "x", shape: c.inShape }], ...c.build(r) });
      const calibration = {
        inputs: Array.from({ length: 8 }, () => Array.from(randomInput(c.inShape, r, ...(c.range ?? [-1, 1])))),
      };
      const compiled = compileModel(model, calibration, DEFAULT_COMPILE, { model: c.name, calibration: "random" });
      const r1cs = readR1cs(compiled.r1csBytes);
      const plan = compiled.circuit.plan;
      // every wire (outputs, range-checked inputs, internal) is used by some constraint
      const used = new Set<number>();
      for (const lcs of r1cs.constraints) for (const lc of lcs) for (const w of lc.wires) used.add(w);
      const firstInternal = 1 + r1cs.nPubOut + r1cs.nPubIn + r1cs.nPrvIn;
      for (let w = 1; w < r1cs.nWires; w++) expect(used.has(w), `wire ${w} is unconstrained`).toBe(true);
      for (let k = 0; k < 3; k++) {
        const x = randomInput(c.inShape, r, ...(c.range ?? [-1, 1]));
        const q = quantizeInput(Array.from(x), qinputOf(compiled.meta.input), true);
        const { wtns, outputs } = await computeWitness(plan, q.tensor);
        const w = witnessValues(readWtns(wtns));
        expect(checkR1cs(r1cs, w).ok).toBe(true);
        if (k === 0) {
          // tamper: sampled single-wire changes of outputs and internal wires are all rejected
          const candidates = [...Array(r1cs.nWires).keys()].filter(
            (i) => (i >= 1 && i <= r1cs.nPubOut) || i >= firstInternal,
          );
          for (let t = 0; t < 25; t++) {
            const wire = candidates[Math.floor(r() * candidates.length)]!;
            const bad = [...w];
            bad[wire] = (bad[wire]! + 1n) % P;
            expect(checkR1cs(r1cs, bad).ok, `changing wire ${wire} was accepted`).toBe(false);
          }
        }
        const want = await runOrt(model, x, c.inShape);
        compiled.meta.outputs.forEach((o, k) => {
          const got = dequantize(outputs[k]!, o.scale);
          let err = 0;
          for (let j = 0; j < got.length; j++) err = Math.max(err, Math.abs(got[j]! - want[k]![j]!));
          if (o.errorBound === null) {
            expect(got).toEqual(Array.from(want[k]!)); // discrete outputs (argmax) are exact
          } else {
            // onnxruntime computes in float32: allow its own rounding on top of our bound
            const f32 = 1e-5 * Math.max(1, ...Array.from(want[k]!, Math.abs));
            expect(err, `output ${k}: error ${err} vs reported bound ${o.errorBound}`).toBeLessThanOrEqual(
              o.errorBound + f32,
            );
            worst.set(c.name, Math.max(worst.get(c.name) ?? 0, err));
            bounds.set(c.name, Math.max(bounds.get(c.name) ?? 0, o.errorBound));
          }
        });
      }
    });
  }
});
