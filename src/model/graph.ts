/**
 * The float graph IR that import produces: every ONNX op is lowered to a small closed set of
 * primitives (tinygrad-style), constants are folded into the ops that use them, and every
 * value has a static shape. Quantize and compile only ever see these primitives.
 */
export type Shape = readonly number[];

/** A float tensor, row-major. */
export interface Tensor {
  readonly shape: Shape;
  readonly data: Float64Array;
}

/** Index lists into a flat input: group g is indices[start[g] .. start[g+1]). */
export interface Groups {
  readonly start: Int32Array;
  readonly indices: Int32Array;
}

export interface Conv2dParams {
  /** [top, left, bottom, right] */
  readonly pads: readonly [number, number, number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly group: number;
}

/** The primitive ops. Constant operands live inside the op; `inputs` are computed values. */
export type PrimOp =
  /** y[..., n] = Σ_k x[..., k] · weight[k, n] + bias[n] */
  | { readonly kind: "gemm"; readonly weight: Tensor; readonly bias: Tensor | null }
  /** 2-D convolution, NCHW, weight [M, C/group, kh, kw] */
  | { readonly kind: "conv"; readonly weight: Tensor; readonly bias: Tensor | null; readonly params: Conv2dParams }
  /** y = x · mul + add, both optional constants broadcast (numpy rules) to x's shape */
  | { readonly kind: "affine"; readonly mul: Tensor | null; readonly add: Tensor | null }
  /** same data, new shape */
  | { readonly kind: "reshape" }
  | { readonly kind: "relu" }
  /** y[g] = max over x[i] for i in group g (max pooling, reduce-max); groups are never empty */
  | { readonly kind: "max"; readonly groups: Groups };

export type PrimKind = PrimOp["kind"];

export interface Node {
  /** the ONNX node's name (or a generated one), for messages */
  readonly name: string;
  /** the ONNX op type this primitive came from, for messages */
  readonly source: string;
  readonly op: PrimOp;
  readonly inputs: readonly string[];
  readonly output: string;
}

export interface ValueSpec {
  readonly name: string;
  readonly shape: Shape;
}

export interface Graph {
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  /** topologically ordered */
  readonly nodes: readonly Node[];
  /** shape of every computed value (graph inputs and node outputs) */
  readonly shapes: ReadonlyMap<string, Shape>;
}
