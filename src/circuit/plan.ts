/**
 * The witness plan: what the witness backends execute. It is an ordered list of tensor-level
 * steps over integer tensors, never a walk over constraints. Compute steps are the quantized
 * graph's ops; gadget steps additionally write the wires their gadget allocated (bits of a
 * decomposition, ReLU outputs, comparison results) straight into the witness buffer.
 *
 * Every step has its integer meaning in `quantize/reference.ts` (compute) and its wire rule
 * next to its constraints in `circuit/gadgets/` (the js backend is the oracle for the rest).
 */
import type { Groups, Shape } from "../model/graph.js";
import type { QOp } from "../quantize/qgraph.js";

export type TensorId = number;

/** Linear ops: no wires of their own. */
export type LinearQOp = Extract<QOp, { kind: "gemm" | "conv" | "affine" | "reshape" }>;

export type PlanStep =
  /** writes the quantized input to `wire..` and the range-check bits of (x + rangeOffset) */
  | { readonly kind: "input"; readonly tensor: TensorId; readonly wire: number; readonly range: BitsLayout }
  | { readonly kind: "linear"; readonly op: LinearQOp; readonly input: TensorId; readonly output: TensorId }
  /** output = requant(input); bits of (input + offset); ReLU outputs at `reluWire` (-1: none) */
  | {
      readonly kind: "requant"; readonly input: TensorId; readonly output: TensorId;
      readonly shift: number; readonly relu: boolean; readonly bits: BitsLayout; readonly reluWire: number;
    }
  /** output[g] = max over groups; each comparison writes the nBits bits of (a - b + 2^(nBits-1)), then max(a, b) */
  | { readonly kind: "max"; readonly input: TensorId; readonly output: TensorId; readonly groups: Groups; readonly nBits: number; readonly wire: number }
  /** wires[wire + i] = tensor[i] (graph outputs, materialized linear combinations) */
  | { readonly kind: "emit"; readonly tensor: TensorId; readonly wire: number };

/** One bit decomposition per element: bit j of (value_i + offset) is wire + i·nBits + j. */
export interface BitsLayout {
  readonly offset: number;
  readonly nBits: number;
  readonly wire: number;
}

export interface WitnessPlan {
  readonly nWires: number;
  readonly tensors: readonly { readonly shape: Shape }[];
  readonly steps: readonly PlanStep[];
  readonly input: TensorId;
  readonly outputs: readonly TensorId[];
}
