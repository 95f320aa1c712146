/** MaxPool (2-D): the `max` primitive over window groups (padding is left out of windows). */
import type { OpHandler } from "../context.js";
import { poolGroups, poolOutShape, type Pool2dParams } from "../windows.js";
import { pair, require4d, windowPads } from "./util.js";

export const MaxPool: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const [, , H, W] = require4d(ctx, node, x.shape, "input X");
  if (node.outputs.length > 1 && node.outputs[1]) throw ctx.unsupported(node, "the Indices output is not supported");
  const ks = ctx.ints(node, "kernel_shape", null);
  if (!ks) throw ctx.error(node, "kernel_shape is required");
  const kernel = pair(ks, 1, ctx, node, "kernel_shape");
  const strides = pair(ctx.ints(node, "strides", null), 1, ctx, node, "strides");
  const dilations = pair(ctx.ints(node, "dilations", null), 1, ctx, node, "dilations");
  const pads = windowPads(ctx, node, [H, W], kernel, strides, dilations);
  const p: Pool2dParams = { kernel, strides, pads, dilations, ceilMode: ctx.int(node, "ceil_mode", 0) === 1 };
  const groups = poolGroups(x.shape, p);
  for (let g = 0; g + 1 < groups.start.length; g++) {
    if (groups.start[g + 1] === groups.start[g]) throw ctx.error(node, "a pooling window lies entirely in the padding");
  }
  ctx.emit(node, { kind: "max", groups }, [x], poolOutShape(x.shape, p), node.outputs[0]!);
};
