/** Conv (2-D, NCHW) with constant weights and bias: the `conv` primitive. */
import type { OpHandler } from "../context.js";
import { shapeStr, windowOutSize } from "../shapes.js";
import { pair, quantizedWeight, require4d, windowPads } from "./util.js";

export const Conv: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const [B, C, H, W] = require4d(ctx, node, x.shape, "input X");
  const weight = ctx.constant(node, 1, "W (the kernel)");
  if (weight.shape.length !== 4)
    throw ctx.error(node, `W must be 4-D [M, C/group, kH, kW], got ${shapeStr(weight.shape)}`);
  const [M, Cg, KH, KW] = weight.shape as [number, number, number, number];
  const group = ctx.int(node, "group", 1);
  if (group < 1 || C % group !== 0 || M % group !== 0 || C / group !== Cg) {
    throw ctx.error(node, `group=${group} does not fit input channels ${C} and W ${shapeStr(weight.shape)}`);
  }
  const ks = ctx.ints(node, "kernel_shape", null);
  if (ks && (ks[0] !== KH || ks[1] !== KW))
    throw ctx.error(node, `kernel_shape [${ks.join(", ")}] disagrees with W ${shapeStr(weight.shape)}`);
  const strides = pair(ctx.ints(node, "strides", null), 1, ctx, node, "strides");
  const dilations = pair(ctx.ints(node, "dilations", null), 1, ctx, node, "dilations");
  const pads = windowPads(ctx, node, [H, W], [KH, KW], strides, dilations);
  const b = ctx.optionalOperand(node, 2);
  if (b && !b.constant) throw ctx.unsupported(node, `bias B ("${b.name}") must be a constant`);
  if (b?.constant && b.constant.data.length !== M)
    throw ctx.error(node, `bias has ${b.constant.data.length} values for ${M} output channels`);
  const OH = windowOutSize(H, KH, strides[0], pads[0], pads[2], dilations[0]);
  const OW = windowOutSize(W, KW, strides[1], pads[1], pads[3], dilations[1]);
  const params = { pads, strides, dilations, group };
  const q = quantizedWeight(weight, 0);
  if (q) {
    // QDQ: the model's integer weights as given, then each channel's scale (and the bias) after
    const y = ctx.emit(node, { kind: "conv", weight: q.ints, bias: null, params }, [x], [B, M, OH, OW]);
    const mul = { shape: [M, 1, 1], data: q.scales };
    const add = b?.constant ? { shape: [M, 1, 1], data: b.constant.data } : null;
    ctx.emit(node, { kind: "affine", mul, add, pinned: true }, [y], [B, M, OH, OW], node.outputs[0]!);
    return;
  }
  ctx.emit(
    node,
    { kind: "conv", weight, bias: b?.constant ? { shape: [M], data: b.constant.data } : null, params },
    [x],
    [B, M, OH, OW],
    node.outputs[0]!,
  );
};
