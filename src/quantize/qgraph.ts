/**
 * The quantized graph: integer tensors with per-tensor fixed-point scales. A value `v` with
 * scale exponent `s` stands for the real number v / 2^s. Rescaling is explicit (`requant`
 * nodes), and every value carries bounds [lo, hi] that hold for *every* input the circuit
 * accepts, not just the calibration set (the compiler sizes its range checks from them), and
 * `err`, a bound on how far v / 2^s can be from the float model's value.
 */
import type { Conv2dParams, Groups, InvertFn, ScalarFn, Shape, Tensor } from "../model/graph.js";
import type { Window } from "./window.js";

/**
 * An integer tensor held in a Float64Array: exact while every value (and every partial sum
 * computing it) stays below 2^53 in magnitude, which the plan's bounds say per tensor.
 */
export type IntTensor = Tensor;

/**
 * An integer tensor whose bounds reach 2^53 or more (deep accumulations at many bits): its
 * values held exactly, as BigInt. The witness keeps every narrow tensor a fast IntTensor and
 * only these wide ones (and the steps that touch them) in BigInt.
 */
export interface WideTensor {
  readonly shape: Shape;
  readonly data: readonly bigint[];
}

/** What the witness holds per plan tensor: narrow tensors as doubles, wide ones as BigInt. */
export type PlanValue = IntTensor | WideTensor;

/** Integer values as either representation (the witness twins of gadgets take both). */
export type Ints = ArrayLike<number | bigint>;

/** A value the next stage reads as doubles (a split segment's input): a wide one is refused by name. */
export function asNarrow(v: PlanValue, what: string): IntTensor {
  if (v.data instanceof Float64Array) return v as IntTensor;
  throw new Error(`${what} holds values past 2^53, which only a circuit's own tensors may (a compiler bug)`);
}

/** Whether magnitude `abs` leaves the doubles' exact integers (|v| ≤ 2^53 − 1). */
export function isWideAbs(abs: number): boolean {
  return !(abs <= Number.MAX_SAFE_INTEGER);
}

export interface QValue {
  readonly name: string;
  readonly shape: Shape;
  /** real = int / 2^scale */
  readonly scale: number;
  /** integer bounds, valid for every accepted input */
  readonly lo: number;
  readonly hi: number;
  /** a bound on the partial sums computing it, when those pass 2^53 and its values do not */
  readonly mag?: number;
  /** bound on |int / 2^scale - float value|; null where the value is discrete (argmax) */
  readonly err: number | null;
}

/**
 * A smooth function as a piecewise polynomial over the integer input q ∈ [qMin, qMin + 2^(t+w)):
 * z = q - qMin, segment s = z >> w (its top t bits), u = z mod 2^w (its low w bits), and
 *   y = Σ_j coeffs[s·(d+1) + j] · u^j · 2^(w·(d-j)),
 * an integer at scale `outScale` (Horner's rule keeps every step an integer).
 */
export interface PolyTable {
  readonly fn: ScalarFn;
  readonly qMin: number;
  readonly t: number;
  readonly w: number;
  readonly d: number;
  readonly coeffs: Float64Array;
  readonly outScale: number;
  /** the largest |y / 2^outScale - fn(q / 2^inScale)| over every input in bounds, measured */
  readonly maxError: number;
}

/** What a `requant` does after rescaling (all fused into its one bit decomposition). */
export type Activation =
  | { readonly kind: "none" }
  | { readonly kind: "relu" }
  /** y = q if q ≥ 0, else alpha·q / 2^alphaShift; the output keeps scale + alphaShift (exact) */
  | { readonly kind: "leaky"; readonly alpha: number; readonly alphaShift: number }
  /** clamp to [lo, hi] (integers at the output scale; null = unbounded) */
  | { readonly kind: "clip"; readonly lo: number | null; readonly hi: number | null }
  | { readonly kind: "poly"; readonly table: PolyTable };

/** The integer ops. The linear ones have the same meaning as their float primitives. */
export type QOp =
  | { readonly kind: "gemm"; readonly weight: IntTensor; readonly bias: IntTensor | null }
  | {
      readonly kind: "conv";
      readonly weight: IntTensor;
      readonly bias: IntTensor | null;
      readonly params: Conv2dParams;
    }
  | { readonly kind: "affine"; readonly mul: IntTensor | null; readonly add: IntTensor | null }
  | { readonly kind: "reshape" }
  /** y[i] = (inputs, each times 2^shifts[k], laid end to end)[map[i]], or fill */
  | { readonly kind: "select"; readonly map: Int32Array; readonly fill: number; readonly shifts: readonly number[] }
  /** y = x0·2^shifts[0] + sign·x1·2^shifts[1] (broadcast) */
  | { readonly kind: "add"; readonly sign: 1 | -1; readonly shifts: readonly [number, number] }
  /** y[g] = mult[g] · Σ x over group g (mult null = 1) */
  | { readonly kind: "sum"; readonly groups: Groups; readonly mult: Float64Array | null }
  | { readonly kind: "max"; readonly groups: Groups }
  /** y = x0 · x1 (broadcast): one constraint per element */
  | { readonly kind: "mul" }
  /** batched x0 @ x1: one constraint per multiply */
  | { readonly kind: "matmul" }
  /** y = round(x0 · 2^shift / x1) (x1 ≥ 1; shift < 0 multiplies x1 instead) */
  | { readonly kind: "div"; readonly shift: number }
  /** y = ⌊√(x·2^k)⌋ (x ≥ 0), ⌊√(2^k / x)⌋ or ⌊2^k / x⌋ (x ≥ 1): see invertInt */
  | { readonly kind: "invert"; readonly fn: InvertFn; readonly k: number }
  /** y[g] = position of the first maximum in group g */
  | { readonly kind: "argmax"; readonly groups: Groups }
  /**
   * q = floor((x + 2^(shift-1)) / 2^shift) (round half up), then the activation. `window`, when
   * set, is narrower than x's interval bound: the decomposition holds x inside it (the calibrated
   * range widened by the activation margin), and everything downstream is bounded from it.
   */
  | { readonly kind: "requant"; readonly shift: number; readonly act: Activation; readonly window: Window | null };

export type QKind = QOp["kind"];

export interface QNode {
  readonly name: string;
  /** the ONNX op this came from ("" for inserted rescales) */
  readonly source: string;
  readonly op: QOp;
  readonly inputs: readonly string[];
  readonly output: string;
  /** its constants are the model's parameters (weights, biases, scales): what --param-visibility hides */
  readonly param?: boolean;
}

export interface QInput extends QValue {
  /** the accepted float range the integer range was derived from */
  readonly floatLo: number;
  readonly floatHi: number;
}

export interface QGraph {
  readonly input: QInput;
  readonly outputs: readonly QValue[];
  readonly nodes: readonly QNode[];
  readonly values: ReadonlyMap<string, QValue>;
}
