/**
 * "Any ONNX model made of the supported ops": each small test model is compiled with
 * calibration data, its witness must satisfy its R1CS for fresh inputs, and the quantized
 * output must be close to onnxruntime's.
 */
import { describe, expect, it } from "vitest";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { computeWitness } from "../../src/witness/witness.js";
import { quantizeInput, dequantize } from "../../src/quantize/input.js";
import { qinputOf } from "../../src/prove/prove.js";
import { readR1cs } from "../../src/formats/r1cs.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { checkR1cs } from "../../src/witness/check.js";
import { encodeOnnx, randomInput, rng, runOrt } from "../helpers/onnx.js";
import { OP_CASES } from "../helpers/models.js";

describe("compiling small models of every supported op", () => {
  for (const [i, c] of OP_CASES.entries()) {
    it(c.name, async () => {
      const r = rng(2000 + i);
      const model = encodeOnnx({ inputs: [{ name: "x", shape: c.inShape }], ...c.build(r) });
      const calibration = { inputs: Array.from({ length: 8 }, () => Array.from(randomInput(c.inShape, r))) };
      const compiled = compileModel(model, calibration, DEFAULT_COMPILE, { model: c.name, calibration: "random" });
      const r1cs = readR1cs(compiled.r1csBytes);
      const plan = compiled.circuit.plan;
      for (let k = 0; k < 3; k++) {
        const x = randomInput(c.inShape, r);
        const q = quantizeInput(Array.from(x), qinputOf(compiled.meta), true);
        const { wtns, outputs } = computeWitness(plan, q.tensor);
        expect(checkR1cs(r1cs, witnessValues(readWtns(wtns))).ok).toBe(true);
        const [want] = await runOrt(model, x, c.inShape);
        const got = dequantize(outputs[0]!, compiled.meta.outputs[0]!.scale);
        const range = Math.max(...Array.from(want!, Math.abs), 1e-3);
        let err = 0;
        for (let j = 0; j < got.length; j++) err = Math.max(err, Math.abs(got[j]! - want![j]!));
        expect(err / range, `max error ${err} vs output range ${range}`).toBeLessThan(0.02);
      }
    });
  }
});
