/**
 * The one fallback every backend shares: a plan step its kernels do not cover runs on the js
 * reference (backends/js/reference.ts), reading its input tensors from the backend and writing
 * its output tensor back, its wires through the backend's sink. Same code, same bytes.
 */
import type { PlanStep, Salts, WitnessPlan } from "../circuit/plan.js";
import type { Ints, PlanValue } from "../quantize/qgraph.js";
import type { WireSink } from "../circuit/wires.js";
import { runStep } from "./backends/js/reference.js";
import { stepInputs, stepOutput } from "./lowering.js";

/**
 * How a backend hands tensors to the reference and takes them back: as the plan holds them,
 * doubles for a narrow tensor and BigInt for a wide one (plan.ts isWide).
 */
export interface TensorIO {
  read(t: number): PlanValue;
  write(t: number, data: Ints): void;
}

export function runReference(plan: WitnessPlan, step: PlanStep, io: TensorIO, sink: WireSink, salts: Salts): void {
  const values: PlanValue[] = [];
  for (const t of stepInputs(step)) values[t] = io.read(t);
  runStep(plan, step, values, sink, salts);
  const out = stepOutput(step);
  if (out !== null) io.write(out, values[out]!.data);
}
