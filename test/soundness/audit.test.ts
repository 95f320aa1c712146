/**
 * Audits of every compiled model in every visibility combination, from the R1CS alone
 * (src/circuit/audit.ts):
 *   - determinacy: every wire is fixed by the input, the salts and the prover-supplied
 *     parameters, so a prover has no choice left to exploit;
 *   - opening uniqueness: every value packed into a commitment is forced into its slot, so
 *     each commitment opens to one tuple of values (the class of bug behind the hashed-params
 *     + hashed-output forgery);
 *   - the forced ranges hold: honest witnesses on random inputs lie inside every range the
 *     constraints are said to force (the interval rules are sound, checked on real circuits).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import {
  compileModel,
  DEFAULT_COMPILE,
  type CompileModelOptions,
  type CompiledModel,
} from "../../src/circuit/compile-model.js";
import { auditDeterminacy, auditOpenings, forcedRanges } from "../../src/circuit/audit.js";
import { runPlanJs } from "../../src/witness/backends/js/reference.js";
import { toSigned } from "../../src/field.js";
import type { InputVisibility, OutputVisibility, ParamVisibility } from "../../src/meta/model.js";
import { encodeOnnx, randomInput, rng } from "../helpers/onnx.js";
import { OP_CASES } from "../helpers/models.js";
import { fixture, MODELS } from "../helpers/fixtures.js";
import { ArraySink } from "../helpers/tamper.js";

const INPUTS: InputVisibility[] = ["private", "public", "hashed"];
const PARAMS: ParamVisibility[] = ["fixed", "private", "hashed"];
const OUTPUTS: OutputVisibility[] = ["public", "hashed"];
const COMBOS = INPUTS.flatMap((i) =>
  PARAMS.flatMap((p) => OUTPUTS.map((o) => ({ inputVisibility: i, paramVisibility: p, outputVisibility: o }))),
);

interface Model {
  readonly name: string;
  readonly onnx: Uint8Array;
  readonly calibration: { inputs: number[][] };
  readonly inShape: readonly number[];
  readonly range: readonly [number, number];
}

function models(): Model[] {
  const ops = OP_CASES.map((c, i): Model => {
    const r = rng(3000 + i);
    const onnx = encodeOnnx({ inputs: [{ name: "x", shape: c.inShape }], ...c.build(r) });
    const range = c.range ?? [-1, 1];
    const calibration = { inputs: Array.from({ length: 8 }, () => Array.from(randomInput(c.inShape, r, ...range))) };
    return { name: c.name, onnx, calibration, inShape: c.inShape, range };
  });
  const fixtures = MODELS.map((m): Model => {
    const calibration = JSON.parse(readFileSync(fixture(m, "calibration.json"), "utf8")) as { inputs: number[][] };
    return { name: m, onnx: readFileSync(fixture(m, "model.onnx")), calibration, inShape: [], range: [0, 0] };
  });
  return [...fixtures, ...ops];
}

function compile(m: Model, opts: Partial<CompileModelOptions>): CompiledModel | "no params" {
  try {
    return compileModel(m.onnx, m.calibration, { ...DEFAULT_COMPILE, ...opts }, { model: m.name, calibration: "c" });
  } catch (e) {
    if (/has no parameters/.test((e as Error).message)) return "no params";
    throw e;
  }
}

describe("soundness audits in every visibility combination", () => {
  const all = models();
  for (const m of all) {
    it(`${m.name}: every wire determined, every commitment opens uniquely`, async () => {
      let audited = 0;
      for (const combo of COMBOS) {
        await new Promise((r) => setImmediate(r)); // long synchronous work: let vitest's worker breathe
        const c = compile(m, combo);
        if (c === "no params") {
          expect(combo.paramVisibility).not.toBe("fixed");
          continue;
        }
        const { r1cs, audit } = c.circuit;
        const where = `${m.name} ${combo.inputVisibility}/${combo.paramVisibility}/${combo.outputVisibility}`;
        const det = auditDeterminacy(r1cs, audit);
        expect(det.undetermined.slice(0, 5), `${where}: undetermined wires`).toEqual([]);
        const open = auditOpenings(r1cs, audit);
        expect(open.failures.slice(0, 3), `${where}: packed values not forced into their slots`).toEqual([]);
        const hashes =
          (combo.inputVisibility === "hashed" ? 1 : 0) +
          (combo.outputVisibility === "hashed" ? 1 : 0) +
          (combo.paramVisibility === "hashed" ? 1 : 0);
        expect(audit.commitments.length).toBe(hashes);
        audited++;
      }
      expect(audited).toBeGreaterThanOrEqual(6);
    });
  }

  it("the forced ranges contain every honest witness (random inputs, private and hashed params)", () => {
    for (const m of all.filter((x) => x.inShape.length > 0).slice(0, 12)) {
      for (const paramVisibility of ["fixed", "hashed"] as const) {
        const c = compile(m, { paramVisibility, outputVisibility: "hashed", inputVisibility: "hashed" });
        if (c === "no params") continue;
        const ranges = forcedRanges(c.circuit.r1cs);
        const r = rng(77);
        for (let trial = 0; trial < 3; trial++) {
          const sink = new ArraySink(c.circuit.plan.nWires);
          const x = randomInput([...m.inShape], r, ...m.range);
          const input = c.circuit.plan.tensors[c.circuit.plan.input]!;
          const k = 2 ** c.meta.input.scale;
          const data = Float64Array.from(x, (v) => Math.min(Math.max(Math.round(v * k), input.lo), input.hi));
          runPlanJs(c.circuit.plan, { shape: input.shape, data }, sink, { input: 99n, output: 7n });
          for (let w = 1; w < c.circuit.plan.nWires; w++) {
            const rg = ranges.get(w);
            if (!rg) continue;
            const v = Number(toSigned(sink.w[w]!));
            if (v < rg.lo || v > rg.hi)
              throw new Error(`${m.name}: wire ${w} = ${v} outside its forced range [${rg.lo}, ${rg.hi}]`);
          }
        }
      }
    }
  });
});
