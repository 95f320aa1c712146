/**
 * The plans every witness backend is checked on, byte for byte against the js reference: every
 * op model of the ops tests (OP_CASES) and every bundled fixture, two of them also with hashed
 * input, params and output and with private params (the steps the kernels leave to the
 * reference). Each comes with its input's shape and accepted range, for random inputs.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { expect } from "vitest";
import { compileModel, DEFAULT_COMPILE, type CompileModelOptions } from "../../src/circuit/compile-model.js";
import type { WitnessPlan } from "../../src/circuit/plan.js";
import { sizeOf } from "../../src/model/shapes.js";
import type { WitnessGenerator } from "../../src/witness/witness.js";
import { encodeOnnx, randomInput, rng } from "./onnx.js";
import { OP_CASES } from "./models.js";
import { fixture, MODELS } from "./fixtures.js";

export interface WitnessCase {
  readonly name: string;
  readonly plan: WitnessPlan;
  readonly range: readonly [number, number];
  readonly shape: readonly number[];
  /** a bundled fixture (not an op model) */
  readonly fixture: boolean;
}

/** The suffix of the cases whose accumulators are wide (32-bit weights and activations). */
export const WIDE = " (32-bit weights and activations)";

export function witnessCases(): WitnessCase[] {
  const out: WitnessCase[] = OP_CASES.map((c, i) => {
    const r = rng(4000 + i);
    const model = encodeOnnx({ inputs: [{ name: "x", shape: c.inShape }], ...c.build(r) });
    const calibration = {
      inputs: Array.from({ length: 6 }, () => Array.from(randomInput(c.inShape, r, ...(c.range ?? [-1, 1])))),
    };
    const m = compileModel(model, calibration, DEFAULT_COMPILE, { model: c.name, calibration: "random" });
    return { name: c.name, plan: m.circuit.plan, range: m.meta.input.range, shape: m.meta.input.shape, fixture: false };
  });
  const variants: [string, Partial<CompileModelOptions>][] = [
    ["", {}],
    [
      " (hashed input and params, hashed output)",
      { inputVisibility: "hashed", paramVisibility: "hashed", outputVisibility: "hashed" },
    ],
    [" (private params)", { paramVisibility: "private" }],
    // accumulators past 2^53 (BigInt on the reference, i64 kernels to 2^60) and past 2^60 (BigInt everywhere)
    [WIDE, { activationBits: 32, weightBits: 32 }],
    [`${WIDE}, hashed output`, { activationBits: 32, weightBits: 32, outputVisibility: "hashed" }],
    [" (28-bit weights and activations)", { activationBits: 28, weightBits: 28 }],
  ];
  for (const m of MODELS) {
    for (const [suffix, opts] of variants) {
      const wide = suffix.startsWith(WIDE) || suffix.includes("28-bit");
      // (cancer_logreg's sigmoid table caps its input at 2^20 values: it has no wide variant)
      if (wide ? m === "cancer_logreg" : suffix && m !== "cancer_logreg" && m !== "digits_cnn") continue;
      const c = compileModel(
        readFileSync(fixture(m, "model.onnx")),
        JSON.parse(readFileSync(fixture(m, "calibration.json"), "utf8")),
        { ...DEFAULT_COMPILE, ...opts },
        { model: m, calibration: "c" },
      );
      out.push({
        name: m + suffix,
        plan: c.circuit.plan,
        range: c.meta.input.range,
        shape: c.meta.input.shape,
        fixture: true,
      });
    }
  }
  return out;
}

/**
 * Checks that every generator gives the first one's .wtns and outputs (or the same window
 * refusal), for `numRuns` random
 * inputs anywhere in the accepted range (fast-check, fixed seed).
 */
export async function expectSameWitnesses(c: WitnessCase, gens: WitnessGenerator[], numRuns: number): Promise<void> {
  const n = sizeOf(c.shape);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: c.range[0], max: c.range[1] }), { minLength: n, maxLength: n }),
      async (xs) => {
        const input = { shape: c.shape, data: Float64Array.from(xs) };
        // a witness, or for an input outside a rescale's window the same refusal, from every backend
        const [ref, ...others] = await Promise.all(
          gens.map(async (g) => {
            try {
              const r = await g.witness(input, { input: 987654321n, output: 123456789n });
              return { wtns: r.wtns.slice(), outputs: r.outputs.map((t) => [...t.data]), error: null };
            } catch (e) {
              expect((e as Error).message).toMatch(/the window the circuit holds it to/);
              return { wtns: new Uint8Array(0), outputs: [], error: (e as Error).message };
            }
          }),
        );
        for (const o of others) {
          expect(o.error).toBe(ref!.error);
          expect(Buffer.compare(Buffer.from(o.wtns), Buffer.from(ref!.wtns))).toBe(0);
          // the same integers: the js reference's float64 products give −0 for a negative times 0
          // (wide outputs are BigInt: exact, and no −0)
          const ints = (ts: (number | bigint)[][]) => ts.map((t) => t.map((v) => (typeof v === "number" ? v + 0 : v)));
          expect(ints(o.outputs)).toEqual(ints(ref!.outputs));
        }
      },
    ),
    { numRuns, seed: 17 },
  );
}
