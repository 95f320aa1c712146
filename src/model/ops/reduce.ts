/**
 * Reductions: ReduceSum, ReduceMean, ReduceSumSquare (`sum`), ReduceL2 (the sum of squares, then
 * `invert` √), ReduceMax (`max`), ArgMax, ArgMin (`argmax`).
 */
import type { ImportContext, OpHandler } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { axisGroups } from "../indexing.js";
import { axesOf, normAxis } from "./layout.js";

/** Axes as input 2 from this opset on (ReduceSum moved at 13, the others at 18). */
function reduceAxes(ctx: ImportContext, node: OnnxNode, sinceOpset: number, rank: number): number[] {
  const axes = axesOf(ctx, node, 1, sinceOpset);
  if (!axes || axes.length === 0) {
    if (ctx.int(node, "noop_with_empty_axes", 0) === 1) return [];
    return [...Array(rank).keys()];
  }
  return [...new Set(axes.map((a) => normAxis(ctx, node, a, rank)))];
}

function reduce(kind: "sum" | "mean" | "max" | "sumsquare" | "l2", axesSince: number): OpHandler {
  return (ctx, node) => {
    const input = ctx.operand(node, 0);
    const out = node.outputs[0]!;
    // ReduceSumSquare and ReduceL2: x · x (one constraint each), then the sum (and its √)
    const squares = kind === "sumsquare" || kind === "l2";
    const x = squares ? ctx.emit(node, { kind: "mul" }, [input, input], input.shape) : input;
    const axes = reduceAxes(ctx, node, axesSince, x.shape.length);
    const { groups, keptShape } = axisGroups(x.shape, axes);
    const keep = ctx.int(node, "keepdims", 1) === 1;
    const reduced = keep ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
    const shape = axes.length === 0 ? x.shape : reduced.length ? reduced : [1];
    const n = axes.reduce((a, ax) => a * x.shape[ax]!, 1);
    const op =
      kind === "max"
        ? { kind: "max" as const, groups }
        : {
            kind: "sum" as const,
            groups,
            mult: kind === "mean" ? new Float64Array(groups.start.length - 1).fill(1 / n) : null,
          };
    const r = axes.length === 0 ? x : ctx.emit(node, op, [x], shape, kind === "l2" ? undefined : out);
    if (kind === "l2") ctx.emit(node, { kind: "invert", fn: "sqrt" }, [r], shape, out);
    else if (axes.length === 0) ctx.alias(out, r);
  };
}

export const ReduceSum = reduce("sum", 13);
export const ReduceMean = reduce("mean", 18);
export const ReduceMax = reduce("max", 18);
export const ReduceSumSquare = reduce("sumsquare", 18);
export const ReduceL2 = reduce("l2", 18);

/**
 * ArgMax and ArgMin (`argmax`, which finds the first maximum; ArgMin is ArgMax of −x). With
 * select_last_index=1 each group lists its axis backwards, so the first maximum found is the
 * last one, at position p from the end: the index is n − 1 − p (an `affine`, exact).
 */
function argReduce(negate: boolean): OpHandler {
  return (ctx, node) => {
    const input = ctx.operand(node, 0);
    const x = negate
      ? ctx.emit(
          node,
          { kind: "affine", mul: { shape: [1], data: new Float64Array([-1]) }, add: null },
          [input],
          input.shape,
        )
      : input;
    const axis = normAxis(ctx, node, ctx.int(node, "axis", 0), x.shape.length);
    const last = ctx.int(node, "select_last_index", 0) === 1;
    const { groups, keptShape } = axisGroups(x.shape, [axis]);
    const shape = ctx.int(node, "keepdims", 1) === 1 ? keptShape : x.shape.filter((_, i) => i !== axis);
    const out = shape.length ? shape : [1];
    if (!last) {
      ctx.emit(node, { kind: "argmax", groups }, [x], out, node.outputs[0]!);
      return;
    }
    const n = x.shape[axis]!;
    const reversed = groups.indices.slice();
    for (let g = 0; g + 1 < groups.start.length; g++)
      reversed.subarray(groups.start[g]!, groups.start[g + 1]!).reverse();
    const p = ctx.emit(node, { kind: "argmax", groups: { start: groups.start, indices: reversed } }, [x], out);
    const mul = { shape: [1], data: new Float64Array([-1]) };
    const add = { shape: [1], data: new Float64Array([n - 1]) };
    ctx.emit(node, { kind: "affine", mul, add }, [p], out, node.outputs[0]!);
  };
}

export const ArgMax = argReduce(false);
export const ArgMin = argReduce(true);
