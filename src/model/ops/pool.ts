/**
 * Pooling over 1, 2 or 3 spatial axes: MaxPool and GlobalMaxPool (`max` over windows),
 * AveragePool and GlobalAveragePool (`sum` × 1/count). The window groups are any-dimensional,
 * so 1-D and 3-D pooling cost what 2-D pooling does: nothing is lifted.
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { poolGroups, poolOutShape, unflatten, type PoolParams } from "../windows.js";
import { axisGroups } from "../indexing.js";
import { spatialDims, spatialInts, windowOf } from "./util.js";

function poolParams(ctx: ImportContext, node: OnnxNode, x: Operand): PoolParams {
  const dims = spatialDims(ctx, node, x.shape, "input X");
  if (!ctx.ints(node, "kernel_shape", null)) throw ctx.error(node, "kernel_shape is required");
  const kernel = spatialInts(ctx, node, "kernel_shape", dims.length, 1);
  return { ...windowOf(ctx, node, dims, kernel), ceilMode: ctx.int(node, "ceil_mode", 0) === 1 };
}

export const MaxPool: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  if (node.outputs.length > 1 && node.outputs[1]) throw ctx.unsupported(node, "the Indices output is not supported");
  const p = poolParams(ctx, node, x);
  const groups = poolGroups(x.shape, p);
  for (let g = 0; g + 1 < groups.start.length; g++) {
    if (groups.start[g + 1] === groups.start[g]) throw ctx.error(node, "a pooling window lies entirely in the padding");
  }
  ctx.emit(node, { kind: "max", groups }, [x], poolOutShape(x.shape, p), node.outputs[0]!);
};

export const AveragePool: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const p = poolParams(ctx, node, x);
  if (p.dilations.some((d) => d !== 1)) throw ctx.unsupported(node, "dilated average pooling");
  const includePad = ctx.int(node, "count_include_pad", 0) === 1;
  const groups = poolGroups(x.shape, p);
  const inSp = x.shape.slice(2);
  const outShape = poolOutShape(x.shape, p);
  const outSp = outShape.slice(2);
  const n = inSp.length;
  const nOut = outSp.reduce((a, b) => a * b, 1);
  const o = new Array<number>(n).fill(0);
  const mult = new Float64Array(groups.start.length - 1);
  for (let g = 0; g < mult.length; g++) {
    let count = groups.start[g + 1]! - groups.start[g]!;
    if (includePad) {
      // the window clipped to the padded input (ceil_mode windows may run past even that)
      unflatten(g % nOut, outSp, o);
      count = 1;
      for (let a = 0; a < n; a++) {
        const begin = o[a]! * p.strides[a]! - p.pads[a]!;
        count *= Math.min(begin + p.kernel[a]!, inSp[a]! + p.pads[a + n]!) - begin;
      }
    }
    if (count === 0) throw ctx.error(node, "a pooling window lies entirely in the padding");
    mult[g] = 1 / count;
  }
  ctx.emit(node, { kind: "sum", groups, mult }, [x], outShape, node.outputs[0]!);
};

function globalPool(kind: "max" | "sum"): OpHandler {
  return (ctx, node) => {
    const x = ctx.operand(node, 0);
    if (x.shape.length < 3) throw ctx.error(node, `input must be N×C×spatial, got rank ${x.shape.length}`);
    const axes = x.shape.map((_, i) => i).slice(2);
    const { groups, keptShape } = axisGroups(x.shape, axes);
    const n = axes.reduce((a, ax) => a * x.shape[ax]!, 1);
    const op =
      kind === "max"
        ? ({ kind, groups } as const)
        : ({ kind, groups, mult: new Float64Array(groups.start.length - 1).fill(1 / n) } as const);
    ctx.emit(node, op, [x], keptShape, node.outputs[0]!);
  };
}

export const GlobalMaxPool = globalPool("max");
export const GlobalAveragePool = globalPool("sum");
