/** A dry compile (no constraints; used by the benchmarks) lays out exactly the real plan. */
import { describe, expect, it } from "vitest";
import { compileCircuit } from "../../src/circuit/compile.js";
import { serializePlan } from "../../src/circuit/plan-json.js";
import { loadModel, MODELS } from "../helpers/fixtures.js";

describe("dry compile", () => {
  for (const m of MODELS) {
    it(`${m}: same plan as the real compile, no constraints`, () => {
      const { q } = loadModel(m);
      const real = compileCircuit(q, { inputVisibility: "private" });
      const dry = compileCircuit(q, { inputVisibility: "private", dry: true });
      expect(dry.r1cs.constraints).toHaveLength(0);
      expect(serializePlan(dry.plan)).toBe(serializePlan(real.plan));
    });
  }
});
