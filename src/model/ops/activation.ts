/** Activations: Relu, Clip, HardSigmoid, HardSwish, LeakyRelu, the smooth functions, and Softmax. */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { ScalarFn } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { axisGroups } from "../indexing.js";
import { normAxis } from "./layout.js";

export const Relu: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  ctx.emit(node, { kind: "relu" }, [x], x.shape, node.outputs[0]!);
};

export const Clip: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  let lo = -Infinity,
    hi = Infinity;
  if (ctx.opset >= 11) {
    const bound = (i: number, what: string) => {
      const op = ctx.optionalOperand(node, i);
      if (!op) return undefined;
      if (!op.constant) throw ctx.unsupported(node, `a computed ${what} bound`);
      return op.constant.data[0];
    };
    lo = bound(1, "min") ?? lo;
    hi = bound(2, "max") ?? hi;
  } else {
    lo = ctx.float(node, "min", lo);
    hi = ctx.float(node, "max", hi);
  }
  if (!(lo <= hi)) throw ctx.error(node, `min ${lo} is above max ${hi}`);
  ctx.emit(node, { kind: "clip", lo, hi }, [x], x.shape, node.outputs[0]!);
};

/** clip(α·x + β, 0, 1): an `affine` (free, or folded into the Conv/Gemm before it), then a `clip`. */
function hardSigmoid(ctx: ImportContext, node: OnnxNode, x: Operand, alpha: number, beta: number, name?: string) {
  const mul = { shape: [1], data: new Float64Array([alpha]) };
  const add = { shape: [1], data: new Float64Array([beta]) };
  const a = ctx.emit(node, { kind: "affine", mul, add }, [x], x.shape);
  return ctx.emit(node, { kind: "clip", lo: 0, hi: 1 }, [a], x.shape, name);
}

export const HardSigmoid: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  hardSigmoid(ctx, node, x, ctx.float(node, "alpha", 0.2), ctx.float(node, "beta", 0.5), node.outputs[0]!);
};

/** HardSwish (opset 14): x · HardSigmoid(x) with α = 1/6, β = 1/2; the product is a `mul`. */
export const HardSwish: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const h = hardSigmoid(ctx, node, x, 1 / 6, 0.5);
  ctx.emit(node, { kind: "mul" }, [x, h], x.shape, node.outputs[0]!);
};

export const LeakyRelu: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  ctx.emit(node, { kind: "leaky", alpha: ctx.float(node, "alpha", 0.01) }, [x], x.shape, node.outputs[0]!);
};

function scalar(fn: ScalarFn): OpHandler {
  return (ctx, node) => {
    const x = ctx.operand(node, 0);
    ctx.emit(node, { kind: "fn", fn }, [x], x.shape, node.outputs[0]!);
  };
}

export const Sigmoid = scalar("sigmoid");
export const Tanh = scalar("tanh");
export const Exp = scalar("exp");
export const Erf = scalar("erf");

/** Gelu (opset 20): exact (erf) or its tanh approximation. */
export const Gelu: OpHandler = (ctx, node) => {
  const approximate = ctx.string(node, "approximate", "none");
  if (approximate !== "none" && approximate !== "tanh") throw ctx.error(node, `unknown approximate="${approximate}"`);
  scalar(approximate === "tanh" ? "gelu_tanh" : "gelu")(ctx, node);
};

/**
 * Softmax = exp(x - max) / Σ exp(x - max) over the axis (opset ≥ 13) or over all axes from
 * `axis` on (opset < 13, default 1). Kept whole (not lowered to max/exp/sum/div here) so the
 * quantizer knows x - max ≤ 0 and that each sum holds an exp(0) = 1.
 */
export const Softmax: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  const axis = normAxis(ctx, node, ctx.int(node, "axis", ctx.opset >= 13 ? -1 : 1), r);
  const axes = ctx.opset >= 13 ? [axis] : [...Array(r).keys()].slice(axis);
  const { groups } = axisGroups(x.shape, axes);
  ctx.emit(node, { kind: "softmax", groups }, [x], x.shape, node.outputs[0]!);
};
