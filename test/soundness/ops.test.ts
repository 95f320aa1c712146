/**
 * The soundness suite, op by op: every small op model (test/helpers/models.ts) and every
 * bundled model is compiled; for random inputs anywhere in the accepted range (fast-check),
 * the witness satisfies the R1CS, every wire is constrained, and sampled single-wire changes
 * and non-boolean-bit rewrites of every decomposition in the plan are rejected.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { compileModel, DEFAULT_COMPILE, type CompiledModel } from "../../src/circuit/compile-model.js";
import { computeWitness } from "../../src/witness/witness.js";
import { readR1cs, type ParsedR1cs } from "../../src/formats/r1cs.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { checkR1cs } from "../../src/witness/check.js";
import { sizeOf } from "../../src/model/shapes.js";
import type { PlanStep } from "../../src/circuit/plan.js";
import { encodeOnnx, randomInput, rng } from "../helpers/onnx.js";
import { OP_CASES } from "../helpers/models.js";
import { fixture, MODELS } from "../helpers/fixtures.js";
import { WIDE } from "../helpers/witness-cases.js";
import { bitLayouts, compensatingBitLies, singleWireLies } from "../helpers/tamper.js";
import { record, writeTally } from "../helpers/tamper.js";

afterAll(() => writeTally("ops"));

function compiledCases(): { name: string; compiled: CompiledModel }[] {
  const out = OP_CASES.map((c, i) => {
    const r = rng(3000 + i);
    const model = encodeOnnx({ inputs: [{ name: "x", shape: c.inShape }], ...c.build(r) });
    const calibration = {
      inputs: Array.from({ length: 8 }, () => Array.from(randomInput(c.inShape, r, ...(c.range ?? [-1, 1])))),
    };
    return {
      name: c.name,
      compiled: compileModel(model, calibration, DEFAULT_COMPILE, { model: c.name, calibration: "random" }),
    };
  });
  for (const m of MODELS) {
    const compiled = compileModel(
      readFileSync(fixture(m, "model.onnx")),
      JSON.parse(readFileSync(fixture(m, "calibration.json"), "utf8")),
      DEFAULT_COMPILE,
      { model: m, calibration: "c" },
    );
    out.push({ name: m, compiled });
    // accumulators past 2^53 and 2^60 (BigInt in the witness): their 60-bit-plus decompositions too
    if (m !== "cancer_logreg")
      out.push({
        name: m + WIDE,
        compiled: compileModel(
          readFileSync(fixture(m, "model.onnx")),
          JSON.parse(readFileSync(fixture(m, "calibration.json"), "utf8")),
          { ...DEFAULT_COMPILE, activationBits: 32, weightBits: 32 },
          { model: m, calibration: "c" },
        ),
      });
  }
  return out;
}

/** How many elements a step's decompositions cover (one decomposition per element). */
function covered(plan: CompiledModel["circuit"]["plan"], step: PlanStep): number {
  const size = (t: number) => sizeOf(plan.tensors[t]!.shape);
  switch (step.kind) {
    case "input":
    case "param":
      return size(step.tensor);
    case "requant":
    case "argmax":
      return size(step.input);
    case "div":
      return size(step.output);
    default:
      return 0;
  }
}

describe("soundness of every op's circuit", () => {
  for (const { name, compiled } of compiledCases()) {
    it(name, async () => {
      const r1cs: ParsedR1cs = readR1cs(compiled.r1csBytes);
      const used = new Set<number>();
      for (const c of r1cs.constraints) for (const lc of c) for (const w of lc.wires) used.add(w);
      for (let w = 1; w < r1cs.nWires; w++) expect(used.has(w), `wire ${w} is in no constraint`).toBe(true);
      const plan = compiled.circuit.plan;
      const { range, shape } = compiled.meta.input;
      const n = sizeOf(shape);
      const firstInternal = 1 + r1cs.nPubOut + r1cs.nPubIn + r1cs.nPrvIn;
      let witnessed = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: range[0], max: range[1] }), { minLength: n, maxLength: n }),
          fc.integer(),
          async (xs, seed) => {
            const rand = rng(seed);
            let wtns: Uint8Array;
            try {
              wtns = (await computeWitness(plan, { shape, data: Float64Array.from(xs) }, { backend: "js" })).wtns;
            } catch (e) {
              // an input outside a rescale's window has no witness at all: nothing to lie about
              expect((e as Error).message).toMatch(/the window the circuit holds it to/);
              return;
            }
            witnessed++;
            const w = witnessValues(readWtns(wtns));
            expect(checkR1cs(r1cs, w).ok).toBe(true);
            const candidates = [...Array(r1cs.nWires).keys()].filter(
              (i) => (i >= 1 && i <= r1cs.nPubOut) || i >= firstInternal,
            );
            for (let k = 0; k < 12; k++) {
              const wire = candidates[Math.floor(rand() * candidates.length)]!;
              for (const lie of singleWireLies(w, wire, rand)) {
                const caught = !checkR1cs(r1cs, lie).ok;
                record(name.slice(0, 40), "single-wire change", caught);
                expect(caught, `changing wire ${wire} accepted`).toBe(true);
              }
            }
            for (const step of plan.steps) {
              const count = covered(plan, step);
              for (const { layout } of bitLayouts(step, count)) {
                for (const lie of compensatingBitLies(w, layout, count, 2, rand)) {
                  const caught = !checkR1cs(r1cs, lie).ok;
                  record(name.slice(0, 40), "non-boolean bits, same sum", caught);
                  expect(caught, "non-boolean bits accepted").toBe(true);
                }
              }
            }
          },
        ),
        { numRuns: 3, seed: 42 },
      );
      if (witnessed === 0) {
        // every random input fell outside some window: the calibration inputs are inside all of them
        const cal = compiled.circuit.plan.tensors[plan.input]!;
        const mid = Float64Array.from({ length: n }, () => Math.round((cal.lo + cal.hi) / 2));
        expect(
          checkR1cs(
            r1cs,
            witnessValues(readWtns((await computeWitness(plan, { shape, data: mid }, { backend: "js" })).wtns)),
          ).ok,
        ).toBe(true);
      }
    });
  }
});
