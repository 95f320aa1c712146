/** Activations: Relu, Clip, HardSigmoid, HardSwish, LeakyRelu, the smooth functions, Softmax and LogSoftmax. */
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
/** The quantizer checks that the input is bounded above 0 (and names the node if not). */
export const Log = scalar("log");
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
  const { groups } = axisGroups(x.shape, softmaxAxes(ctx, node, x));
  ctx.emit(node, { kind: "softmax", groups }, [x], x.shape, node.outputs[0]!);
};

/** Softmax's and LogSoftmax's axes: one (opset ≥ 13) or all from `axis` on (opset < 13, default 1). */
function softmaxAxes(ctx: ImportContext, node: OnnxNode, x: Operand): number[] {
  const r = x.shape.length;
  const axis = normAxis(ctx, node, ctx.int(node, "axis", ctx.opset >= 13 ? -1 : 1), r);
  return ctx.opset >= 13 ? [axis] : [...Array(r).keys()].slice(axis);
}

const NEG: { shape: number[]; data: Float64Array } = { shape: [1], data: new Float64Array([-1]) };

/**
 * LogSoftmax = (x − max) − log Σ exp(x − max), from primitives, each step giving the quantizer
 * the bound it needs: r = relu(max − x) is x's distance below its group's maximum (≥ 0, one
 * ReLU per element, so exp's table covers only (0, 1]); s = Σ exp(−r) is at least 1 (the
 * maximum's own exp(0)) and at most n, which a clip to [1, n] states (one per group; it changes
 * the value only by the exp table's error; its window reaches [1, n] even where calibration saw
 * less, so a flat input is not refused); log s is a table on [1, n]; the output is −r − log s.
 */
export const LogSoftmax: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const { groups, keptShape } = axisGroups(x.shape, softmaxAxes(ctx, node, x));
  const m = ctx.emit(node, { kind: "max", groups }, [x], keptShape);
  const d = ctx.emit(node, { kind: "add", sign: -1 }, [m, x], x.shape);
  const r = ctx.emit(node, { kind: "relu" }, [d], x.shape);
  const negR = ctx.emit(node, { kind: "affine", mul: NEG, add: null }, [r], x.shape);
  const e = ctx.emit(node, { kind: "fn", fn: "exp" }, [negR], x.shape);
  const s = ctx.emit(node, { kind: "sum", groups, mult: null }, [e], keptShape);
  const n = groups.start[1]! - groups.start[0]!;
  const c = ctx.emit(node, { kind: "clip", lo: 1, hi: n }, [s], keptShape);
  const l = ctx.emit(node, { kind: "fn", fn: "log" }, [c], keptShape);
  ctx.emit(node, { kind: "add", sign: -1 }, [negR, l], x.shape, node.outputs[0]!);
};
