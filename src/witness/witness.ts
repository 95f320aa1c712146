/**
 * The witness stage's face: run a plan on a quantized input with a chosen backend, getting
 * the complete .wtns file and the output tensors.
 */
import type { WitnessPlan } from "../circuit/plan.js";
import type { IntTensor } from "../quantize/qgraph.js";
import { runPlanJs } from "./backends/js.js";
import { WtnsSink } from "./sink.js";
import { ZkError } from "../errors.js";

export const BACKENDS = ["js"] as const;
export type Backend = (typeof BACKENDS)[number];

export function parseBackend(v: string | undefined): Backend {
  const b = v ?? "js";
  if (!(BACKENDS as readonly string[]).includes(b)) throw new ZkError("BAD_OPTION", `unknown backend "${b}" (available: ${BACKENDS.join(", ")})`);
  return b as Backend;
}

export interface WitnessResult {
  readonly wtns: Uint8Array;
  readonly outputs: readonly IntTensor[];
}

export function computeWitness(plan: WitnessPlan, input: IntTensor, _backend: Backend = "js"): WitnessResult {
  const sink = new WtnsSink(plan.nWires);
  let values: IntTensor[];
  try {
    values = runPlanJs(plan, input, sink);
  } catch (e) {
    if (e instanceof RangeError) throw new ZkError("UNSATISFIED", `witness generation failed: ${e.message} (the plan does not match this input's range; recompile)`);
    throw e;
  }
  const missing = sink.firstUnwritten();
  if (missing >= 0) throw new ZkError("UNSATISFIED", `witness plan left wire ${missing} unassigned (plan.json is inconsistent with the circuit; recompile)`);
  return { wtns: sink.bytes, outputs: plan.outputs.map((t) => values[t]!) };
}

/** Outputs only, no wires: what `zkinfer run` needs. */
export function runPlan(plan: WitnessPlan, input: IntTensor, _backend: Backend = "js"): IntTensor[] {
  const values = runPlanJs(plan, input);
  return plan.outputs.map((t) => values[t]!);
}
