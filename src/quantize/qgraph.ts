/**
 * The quantized graph: integer tensors with per-tensor fixed-point scales. A value `v` with
 * scale exponent `s` stands for the real number v / 2^s. Rescaling is explicit (`requant`
 * nodes), and every value carries bounds [lo, hi] that hold for *every* input the circuit
 * accepts, not just the calibration set: the compiler sizes its range checks from them.
 */
import type { Conv2dParams, Groups, Shape, Tensor } from "../model/graph.js";

/**
 * An integer tensor. Data is held in a Float64Array: every value the compiler allows is an
 * integer below 2^53 in magnitude, so doubles hold them exactly and sums of them are exact.
 */
export type IntTensor = Tensor;

export interface QValue {
  readonly name: string;
  readonly shape: Shape;
  /** real = int / 2^scale */
  readonly scale: number;
  /** integer bounds, valid for every accepted input */
  readonly lo: number;
  readonly hi: number;
}

/** The integer ops. The linear ones have the same meaning as their float primitives. */
export type QOp =
  | { readonly kind: "gemm"; readonly weight: IntTensor; readonly bias: IntTensor | null }
  | { readonly kind: "conv"; readonly weight: IntTensor; readonly bias: IntTensor | null; readonly params: Conv2dParams }
  | { readonly kind: "affine"; readonly mul: IntTensor | null; readonly add: IntTensor | null }
  | { readonly kind: "reshape" }
  | { readonly kind: "max"; readonly groups: Groups }
  /** q = floor((x + 2^(shift-1)) / 2^shift) (round half up), then max(q, 0) if relu */
  | { readonly kind: "requant"; readonly shift: number; readonly relu: boolean };

export type QKind = QOp["kind"];

export interface QNode {
  readonly name: string;
  /** the ONNX op this came from ("" for inserted rescales) */
  readonly source: string;
  readonly op: QOp;
  readonly inputs: readonly string[];
  readonly output: string;
}

export interface QInput extends QValue {
  /** the calibrated float range the accepted integer range was derived from */
  readonly floatLo: number;
  readonly floatHi: number;
}

export interface QGraph {
  readonly input: QInput;
  readonly outputs: readonly QValue[];
  readonly nodes: readonly QNode[];
  readonly values: ReadonlyMap<string, QValue>;
}
