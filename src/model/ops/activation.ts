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

/**
 * clip(α·x + β, 0, 1) = α·clip(x, −β/α, (1 − β)/α) + β (α > 0; the bounds swap for α < 0): the
 * `clip` comes first, so the multiplication by α (an `affine`, free) meets a value already
 * bounded to a few units, not x's whole interval, which can be wide after a few layers (the
 * other order multiplies x's interval by α's integer first).
 */
function hardSigmoid(ctx: ImportContext, node: OnnxNode, x: Operand, alpha: number, beta: number, name?: string) {
  const add = { shape: [1], data: new Float64Array([Math.min(Math.max(beta, 0), 1)]) };
  if (alpha === 0)
    return ctx.emit(
      node,
      { kind: "affine", mul: { shape: [1], data: new Float64Array([0]) }, add },
      [x],
      x.shape,
      name,
    );
  const [lo, hi] = [-beta / alpha, (1 - beta) / alpha].sort((a, b) => a - b) as [number, number];
  const c = ctx.emit(node, { kind: "clip", lo, hi }, [x], x.shape);
  const mul = { shape: [1], data: new Float64Array([alpha]) };
  return ctx.emit(
    node,
    { kind: "affine", mul, add: { shape: [1], data: new Float64Array([beta]) } },
    [c],
    x.shape,
    name,
  );
}

export const HardSigmoid: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  hardSigmoid(ctx, node, x, ctx.float(node, "alpha", 0.2), ctx.float(node, "beta", 0.5), node.outputs[0]!);
};

/** HardSwish (opset 14): x · HardSigmoid(x) with α = 1/6, β = 1/2 (a clip to [−3, 3]); the product is a `mul`. */
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
