/**
 * Where a salt sits among the signals: after the model input's wires, public or private. With
 * a public input and a salted commitment (a hashed output) the salt once took the first public
 * input's wire, and no honest witness satisfied the circuit; every visibility of the input
 * beside a salted output now gives a satisfying witness.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { computeWitness } from "../../src/witness/witness.js";
import { checkR1cs } from "../../src/witness/check.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { qinputOf, quantizeInput } from "../../src/quantize/input.js";
import { readR1cs } from "../../src/formats/r1cs.js";
import type { InputVisibility } from "../../src/meta/model.js";
import { fixture, flat, loadSamples } from "../helpers/fixtures.js";

describe("salt wires", () => {
  it.each<InputVisibility>(["public", "private", "hashed"])(
    "input %s, hashed output: the witness satisfies the R1CS",
    async (iv) => {
      const c = compileModel(
        readFileSync(fixture("digits_mlp", "model.onnx")),
        JSON.parse(readFileSync(fixture("digits_mlp", "calibration.json"), "utf8")),
        { ...DEFAULT_COMPILE, inputVisibility: iv, outputVisibility: "hashed" },
        { model: "digits_mlp", calibration: "calibration.json" },
      );
      const salts = { output: 12345n, ...(iv === "hashed" ? { input: 678n } : {}) };
      const q = quantizeInput(flat(loadSamples("digits_mlp").inputs[0]), qinputOf(c.meta.input), false);
      const w = await computeWitness(c.circuit.plan, q.tensor, { backend: "js" }, salts);
      const res = checkR1cs(readR1cs(c.r1csBytes), witnessValues(readWtns(w.wtns)));
      expect(res).toMatchObject({ ok: true });
    },
  );
});
