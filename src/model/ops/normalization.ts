/** BatchNormalization (inference): a per-channel `affine`, folded into a preceding Conv/Gemm by fold.ts. */
import type { OpHandler } from "../context.js";

export const BatchNormalization: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  if (ctx.int(node, "training_mode", 0) !== 0) throw ctx.unsupported(node, "training_mode=1");
  // before opset 9, spatial=0 meant one parameter per element of [C, H, W], not per channel
  if (ctx.opset < 9 && ctx.int(node, "spatial", 1) !== 1)
    throw ctx.unsupported(node, "spatial=0 (per-element parameters)");
  if (node.outputs.slice(1).some((o) => o)) throw ctx.unsupported(node, "the running mean/var outputs (training mode)");
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) =>
    ctx.constant(node, i, ["scale", "B", "mean", "var"][i - 1]!),
  );
  const eps = ctx.float(node, "epsilon", 1e-5);
  const C = x.shape[1];
  if (x.shape.length < 2 || [scale, bias, mean, variance].some((t) => t!.data.length !== C)) {
    throw ctx.error(node, `parameters must have one value per channel (${C})`);
  }
  const mul = new Float64Array(C!),
    add = new Float64Array(C!);
  for (let c = 0; c < C!; c++) {
    mul[c] = scale!.data[c]! / Math.sqrt(variance!.data[c]! + eps);
    add[c] = bias!.data[c]! - mean!.data[c]! * mul[c]!;
  }
  const shape = [C!, ...x.shape.slice(2).map(() => 1)];
  ctx.emit(
    node,
    { kind: "affine", mul: { shape, data: mul }, add: { shape, data: add } },
    [x],
    x.shape,
    node.outputs[0]!,
  );
};
