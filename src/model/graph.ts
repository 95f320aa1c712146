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
  /** the ONNX element type it was stored as, when it came from the model (QDQ needs it) */
  readonly dataType?: number;
  /** for a dequantized constant (QDQ weights): data = ints · scale (per `axis`, or one scale) */
  readonly quantized?: { readonly ints: Float64Array; readonly scale: Float64Array; readonly axis: number };
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

/** Smooth scalar functions, compiled as piecewise polynomials (see docs/ops.md). */
export type ScalarFn = "sigmoid" | "tanh" | "exp" | "log" | "erf" | "gelu" | "gelu_tanh";

/** Inverses of monotone products, each a hint checked by products and two range checks (gadgets/invert.ts). */
export type InvertFn = "sqrt" | "rsqrt" | "recip";

/**
 * The primitive ops. Constant operands live inside the op; `inputs` are computed values.
 * Binary ops broadcast their inputs with numpy's rules.
 */
export type PrimOp =
  /** y[..., n] = Σ_k x[..., k] · weight[k, n] + bias[n] */
  | { readonly kind: "gemm"; readonly weight: Tensor; readonly bias: Tensor | null }
  /** 2-D convolution, NCHW, weight [M, C/group, kh, kw] */
  | { readonly kind: "conv"; readonly weight: Tensor; readonly bias: Tensor | null; readonly params: Conv2dParams }
  /**
   * y = x · mul + add, both optional constants broadcast (numpy rules) with x. `pinned`
   * affines (a QDQ weight's scale after its integer weights) are never folded into the op before.
   */
  | { readonly kind: "affine"; readonly mul: Tensor | null; readonly add: Tensor | null; readonly pinned?: boolean }
  /** same data, new shape */
  | { readonly kind: "reshape" }
  /** y[i] = (inputs concatenated, flat)[map[i]], or `fill` where map[i] < 0: transpose, slice, gather, concat, pad */
  | { readonly kind: "select"; readonly map: Int32Array; readonly fill: number }
  /** y = x0 + sign · x1 */
  | { readonly kind: "add"; readonly sign: 1 | -1 }
  /** y = x0 · x1 */
  | { readonly kind: "mul" }
  /** softmax over each group: exp(x - max) / Σ exp(x - max) */
  | { readonly kind: "softmax"; readonly groups: Groups }
  /** batched matrix product x0 @ x1 (numpy matmul broadcasting of the batch dimensions) */
  | { readonly kind: "matmul" }
  /** y[g] = max over x[i] for i in group g (max pooling, reduce-max); groups are never empty */
  | { readonly kind: "max"; readonly groups: Groups }
  /** y[g] = mult[g] · Σ x[i] over group g (average pooling, reduce-sum/mean); mult null = 1 */
  | { readonly kind: "sum"; readonly groups: Groups; readonly mult: Float64Array | null }
  /** y[g] = position of the first maximum within group g (groups list an axis in order) */
  | { readonly kind: "argmax"; readonly groups: Groups }
  | { readonly kind: "relu" }
  /** min(max(x, lo), hi); either bound may be infinite */
  | { readonly kind: "clip"; readonly lo: number; readonly hi: number }
  | { readonly kind: "leaky"; readonly alpha: number }
  | { readonly kind: "fn"; readonly fn: ScalarFn }
  /** √x (x ≥ 0), 1/√x (x > 0) or 1/x (x bounded away from 0) */
  | { readonly kind: "invert"; readonly fn: InvertFn }
  /** y = x0 / x1, where x1 is bounded away from 0 */
  | { readonly kind: "div" }
  /** ONNX QuantizeLinear then DequantizeLinear: scale · (clamp(round(x/scale) + zp, qmin, qmax) - zp) */
  | {
      readonly kind: "fakequant";
      readonly scale: number;
      readonly zeroPoint: number;
      readonly qmin: number;
      readonly qmax: number;
    };

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
