/**
 * The input file circom's witness calculator reads for an exported model: the quantized input,
 * the salts, and the prover-supplied parameters (their values are in plan.json).
 */
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import type { IntTensor } from "../quantize/qgraph.js";
import { INPUT_SIGNAL, paramSignal, saltSignal } from "./circom.js";
import { ZkError } from "../errors.js";

export type CircomInput = Record<string, string | string[]>;

export function circomInput(plan: WitnessPlan, input: IntTensor, salts: Salts = {}): CircomInput {
  const out: CircomInput = { [INPUT_SIGNAL]: Array.from(input.data, (v) => BigInt(v).toString()) };
  for (const step of plan.steps) {
    if (step.kind === "param") out[paramSignal(step.tensor)] = Array.from(step.data, (v) => BigInt(v).toString());
    if (step.kind === "commit" && step.salt) {
      const s = salts[step.salt.role];
      if (s === undefined)
        throw new ZkError(
          "BAD_INPUT",
          `the ${step.salt.role} commitment is salted but no ${step.salt.role} salt was given`,
        );
      out[saltSignal(step.salt.role)] = s.toString();
    }
  }
  return out;
}
