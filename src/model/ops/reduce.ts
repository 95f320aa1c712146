/** Reductions: ReduceSum, ReduceMean (`sum`), ReduceMax (`max`), ArgMax (`argmax`). */
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

function reduce(kind: "sum" | "mean" | "max", axesSince: number): OpHandler {
  return (ctx, node) => {
    const x = ctx.operand(node, 0);
    const axes = reduceAxes(ctx, node, axesSince, x.shape.length);
    if (axes.length === 0) {
      ctx.alias(node.outputs[0]!, x);
      return;
    }
    const { groups, keptShape } = axisGroups(x.shape, axes);
    const keep = ctx.int(node, "keepdims", 1) === 1;
    const shape = keep ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
    const n = axes.reduce((a, ax) => a * x.shape[ax]!, 1);
    const op =
      kind === "max"
        ? { kind: "max" as const, groups }
        : {
            kind: "sum" as const,
            groups,
            mult: kind === "mean" ? new Float64Array(groups.start.length - 1).fill(1 / n) : null,
          };
    ctx.emit(node, op, [x], shape.length ? shape : [1], node.outputs[0]!);
  };
}

export const ReduceSum = reduce("sum", 13);
export const ReduceMean = reduce("mean", 18);
export const ReduceMax = reduce("max", 18);

export const ArgMax: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  if (ctx.int(node, "select_last_index", 0) !== 0) throw ctx.unsupported(node, "select_last_index=1");
  const axis = normAxis(ctx, node, ctx.int(node, "axis", 0), x.shape.length);
  const { groups, keptShape } = axisGroups(x.shape, [axis]);
  const shape = ctx.int(node, "keepdims", 1) === 1 ? keptShape : x.shape.filter((_, i) => i !== axis);
  ctx.emit(node, { kind: "argmax", groups }, [x], shape.length ? shape : [1], node.outputs[0]!);
};
