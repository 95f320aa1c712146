/** Pooling: MaxPool and GlobalMaxPool (`max` over windows), AveragePool and GlobalAveragePool (`sum` × 1/count). */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { poolGroups, poolOutShape, type Pool2dParams } from "../windows.js";
import { axisGroups } from "../indexing.js";
import { pair, require4d, windowPads } from "./util.js";

function poolParams(ctx: ImportContext, node: OnnxNode, x: Operand): Pool2dParams {
  const [, , H, W] = require4d(ctx, node, x.shape, "input X");
  const ks = ctx.ints(node, "kernel_shape", null);
  if (!ks) throw ctx.error(node, "kernel_shape is required");
  const kernel = pair(ks, 1, ctx, node, "kernel_shape");
  const strides = pair(ctx.ints(node, "strides", null), 1, ctx, node, "strides");
  const dilations = pair(ctx.ints(node, "dilations", null), 1, ctx, node, "dilations");
  const pads = windowPads(ctx, node, [H, W], kernel, strides, dilations);
  return { kernel, strides, pads, dilations, ceilMode: ctx.int(node, "ceil_mode", 0) === 1 };
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
  if (p.dilations[0] !== 1 || p.dilations[1] !== 1) throw ctx.unsupported(node, "dilated average pooling");
  const includePad = ctx.int(node, "count_include_pad", 0) === 1;
  const groups = poolGroups(x.shape, p);
  const [, , H, W] = x.shape as [number, number, number, number];
  const [, , OH, OW] = poolOutShape(x.shape, p) as [number, number, number, number];
  const mult = new Float64Array(groups.start.length - 1);
  for (let g = 0; g < mult.length; g++) {
    let count = groups.start[g + 1]! - groups.start[g]!;
    if (includePad) {
      // the window clipped to the padded input (ceil_mode windows may run past even that)
      const oy = Math.floor(g / OW) % OH,
        ox = g % OW;
      const y0 = oy * p.strides[0] - p.pads[0],
        x0 = ox * p.strides[1] - p.pads[1];
      const y1 = Math.min(y0 + p.kernel[0], H + p.pads[2]),
        x1 = Math.min(x0 + p.kernel[1], W + p.pads[3]);
      count = (y1 - y0) * (x1 - x0);
    }
    if (count === 0) throw ctx.error(node, "a pooling window lies entirely in the padding");
    mult[g] = 1 / count;
  }
  ctx.emit(node, { kind: "sum", groups, mult }, [x], poolOutShape(x.shape, p), node.outputs[0]!);
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
