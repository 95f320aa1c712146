/** Activations: Relu, Clip, LeakyRelu, the smooth functions, and Softmax (lowered to max, exp, sum, div). */
import type { OpHandler } from "../context.js";
import type { ScalarFn } from "../graph.js";
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
