/**
 * The `js` backend: the plan on the reference executor (reference.ts), step by step. Simple on
 * purpose: it is the oracle every other backend is checked against, byte for byte.
 */
import type { Salts, WitnessPlan } from "../../../circuit/plan.js";
import type { IntTensor, PlanValue } from "../../../quantize/qgraph.js";
import { ZkError } from "../../../errors.js";
import { WtnsSink } from "../../sink.js";
import type { WitnessBackend, WitnessResult } from "../../backend.js";
import { WindowError } from "../../../quantize/window.js";
import { planOutputs, runPlanJs } from "./reference.js";

function jsWitness(plan: WitnessPlan, input: IntTensor, salts: Salts): WitnessResult {
  const sink = new WtnsSink(plan.nWires);
  let values: PlanValue[];
  try {
    values = runPlanJs(plan, input, sink, salts);
  } catch (e) {
    // a WindowError is the input's fault and is named as such one level up (witness.ts)
    if (e instanceof RangeError && !(e instanceof WindowError)) {
      throw new ZkError(
        "UNSATISFIED",
        `witness generation failed: ${e.message} (the plan does not match this input's range; recompile)`,
      );
    }
    throw e;
  }
  const missing = sink.firstUnwritten();
  if (missing >= 0) {
    throw new ZkError(
      "UNSATISFIED",
      `witness plan left wire ${missing} unassigned (plan.json is inconsistent with the circuit; recompile)`,
    );
  }
  return { wtns: sink.bytes, outputs: planOutputs(plan, values) };
}

export const jsBackend: WitnessBackend = {
  name: "js",
  summary: "the plain-TypeScript reference (the oracle the others are checked against)",
  supports: () => false,
  open: async (plan) => ({
    witness: async (input, salts = {}) => jsWitness(plan, input, salts),
    close: async () => undefined,
  }),
};
