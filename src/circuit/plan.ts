/**
 * The witness plan: what the witness backends execute. It is an ordered list of tensor-level
 * steps over integer tensors, never a walk over constraints. Compute steps are the quantized
 * graph's ops; gadget steps additionally write the wires their gadget allocated (bits of a
 * decomposition, ReLU outputs, comparison results) straight into the witness buffer.
 *
 * Every step has its integer meaning in `quantize/reference.ts` (compute) and its wire rule
 * next to its constraints in `circuit/gadgets/` (the js backend is the oracle for the rest).
 */
import type { Conv2dParams, Groups, InvertFn, Shape } from "../model/graph.js";
import { isWideAbs, type Activation, type QOp } from "../quantize/qgraph.js";
import type { SaltRole } from "../meta/model.js";

export type TensorId = number;

/** Linear ops: no wires of their own. */
export type LinearQOp = Extract<QOp, { kind: "gemm" | "conv" | "affine" | "reshape" | "select" | "add" | "sum" }>;

/** A product of two computed tensors: elementwise, a batched matmul, or a convolution whose kernel is computed (private weights). */
export type ProductOp = "mul" | "matmul" | { readonly conv: Conv2dParams };

/** The wires an activation adds after its requant's decomposition (per element, consecutive). */
export type ActivationWires =
  | { readonly kind: "none" }
  /** relu and leaky: one wire per element, [q ≥ 0]·q */
  | { readonly kind: "relu"; readonly wire: number }
  /** lower clamp: one wire per element (-1: none); upper clamp: a signed decomposition and one wire per element */
  | { readonly kind: "clip"; readonly loWire: number; readonly hiBits: BitsLayout | null; readonly hiWire: number }
  /** per element: 2^t - 2 one-hot products, then d Horner products */
  | { readonly kind: "poly"; readonly wire: number; readonly perElement: number };

export type PlanStep =
  /** writes the quantized input to `wire..` and the range-check bits of (x + rangeOffset) */
  | {
      readonly kind: "input";
      readonly tensor: TensorId;
      /** the value wires (a public input); null for a private input, which is its bits alone */
      readonly wire: number | null;
      readonly range: BitsLayout;
    }
  | { readonly kind: "linear"; readonly op: LinearQOp; readonly inputs: readonly TensorId[]; readonly output: TensorId }
  /** output = act(requant(input)); bits of (input + offset), then the activation's wires */
  | {
      readonly kind: "requant";
      readonly input: TensorId;
      readonly output: TensorId;
      readonly shift: number;
      readonly act: Activation;
      readonly bits: BitsLayout;
      readonly actWires: ActivationWires;
      /** a window the decomposition holds the input to (inputs outside it have no witness), and the node, for errors */
      readonly window: { readonly lo: number; readonly hi: number; readonly at: string } | null;
    }
  /** products of two computed tensors: one wire per multiply (mul: per output element; matmul: per (batch, i, j, k); conv: per term) */
  | {
      readonly kind: "product";
      readonly op: ProductOp;
      readonly inputs: readonly [TensorId, TensorId];
      readonly output: TensorId;
      readonly wire: number;
    }
  /** a model parameter the prover supplies (private/hashed params): its values into wires, and their range bits */
  | {
      readonly kind: "param";
      readonly tensor: TensorId;
      readonly data: Float64Array;
      readonly wire: number;
      readonly range: BitsLayout;
    }
  /**
   * a Poseidon commitment to tensors, packed into slots [lo, lo + 2^bits) (gadgets/pack.ts): a
   * part's range-check bits when packing needed them, the salt into its private input wire,
   * S-box wires from `wire`, the hash into `outWire`
   */
  | {
      readonly kind: "commit";
      readonly parts: readonly CommitPart[];
      readonly salt: { readonly role: SaltRole; readonly wire: number } | null;
      readonly wire: number;
      readonly outWire: number;
    }
  /** output = round(a·2^shift / b): per element a quotient wire, a product wire, and two range decompositions */
  | {
      readonly kind: "div";
      readonly inputs: readonly [TensorId, TensorId];
      readonly output: TensorId;
      readonly shift: number;
      readonly quotient: BitsLayout;
      readonly productWire: number;
      readonly remainder: BitsLayout;
      readonly slack: BitsLayout;
    }
  /** output = invertInt(fn, k, input) (gadgets/invert.ts): per element y's bits, 1 or 2 product wires, two slack decompositions */
  | {
      readonly kind: "invert";
      readonly fn: InvertFn;
      readonly k: number;
      readonly input: TensorId;
      readonly output: TensorId;
      readonly y: BitsLayout;
      readonly productWire: number;
      readonly e1: BitsLayout;
      readonly e2: BitsLayout;
    }
  /** output[g] = first position of the maximum: per element a one-hot wire, a product wire and a gap decomposition */
  | {
      readonly kind: "argmax";
      readonly input: TensorId;
      readonly output: TensorId;
      readonly groups: Groups;
      readonly onehotWire: number;
      readonly productWire: number;
      readonly gap: BitsLayout;
    }
  /** output[g] = max over groups; each comparison writes the nBits bits of (a - b + 2^(nBits-1)), then max(a, b) */
  | {
      readonly kind: "max";
      readonly input: TensorId;
      readonly output: TensorId;
      readonly groups: Groups;
      readonly nBits: number;
      readonly wire: number;
    }
  /** wires[wire + i] = tensor[i] (graph outputs, materialized linear combinations) */
  | { readonly kind: "emit"; readonly tensor: TensorId; readonly wire: number };

/** One committed tensor: its slot, and the bits of (value - lo) when the packing had to range-check it. */
export interface CommitPart {
  readonly tensor: TensorId;
  readonly lo: number;
  readonly bits: number;
  readonly check: BitsLayout | null;
}

/** One bit decomposition per element: bit j of (value_i + offset) is wire + i·nBits + j. */
export interface BitsLayout {
  readonly offset: number;
  readonly nBits: number;
  readonly wire: number;
}

/** A tensor of the plan: its shape and integer bounds (kernels pick their number formats from them). */
export interface PlanTensor {
  readonly shape: Shape;
  readonly lo: number;
  readonly hi: number;
  /** a bound on the partial sums computing it, when those pass 2^53 and its values do not (quantize/context.ts) */
  readonly mag?: number;
}

/** The largest magnitude a plan tensor's values reach (what number formats are sized by). */
export function tensorAbs(t: PlanTensor): number {
  return Math.max(Math.abs(t.lo), Math.abs(t.hi));
}

/** Whether a plan tensor's values, or the partial sums computing them, may leave the doubles' exact integers: the witness holds it as BigInt. */
export function isWide(t: PlanTensor): boolean {
  return isWideAbs(Math.max(tensorAbs(t), t.mag ?? 0));
}

/** The salts a witness needs besides its input: one per salted commitment (random field elements). */
export type Salts = Readonly<Partial<Record<SaltRole, bigint>>>;

export interface WitnessPlan {
  readonly nWires: number;
  readonly tensors: readonly PlanTensor[];
  readonly steps: readonly PlanStep[];
  readonly input: TensorId;
  readonly outputs: readonly TensorId[];
}
