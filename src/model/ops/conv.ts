/**
 * Conv with constant weights and bias over 1, 2 or 3 spatial axes, all lowered to the 2-D
 * `conv` primitive (free in the circuit):
 *   1-D  N×C×L is N×C×1×L: the kernel, strides, dilations and pads gain a leading 1 / 0;
 *   3-D  each output depth d reads kD input depth planes: a `select` lays them side by side as
 *        channels (channel c·kD + kd, zero where the depth is padding), so the weight
 *        [M, C/g, kD, kH, kW] is the 2-D weight [M, C/g·kD, kH, kW] as it is stored; one 2-D
 *        conv over the N·OD "images", and a select puts the depth axis back after the channels.
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { Conv2dParams, Tensor } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { shapeStr, windowOutSize } from "../shapes.js";
import { transposeMap } from "../indexing.js";
import { quantizedWeight, reshapeConstant, spatialDims, spatialInts, windowOf } from "./util.js";

/** A convolution's spatial parameters, any number of spatial axes (pads: begins, then ends). */
export interface ConvParams {
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
  readonly group: number;
}

/** The output spatial sizes of a convolution. */
function convOut(inSp: readonly number[], kernel: readonly number[], p: ConvParams): number[] {
  const n = inSp.length;
  return inSp.map((d, a) => windowOutSize(d, kernel[a]!, p.strides[a]!, p.pads[a]!, p.pads[a + n]!, p.dilations[a]!));
}

/** x ⊛ weight + bias, x N×C×spatial (1-3 axes), weight [M, C/group, ...kernel], lowered to the 2-D primitive. */
export function emitConv(
  ctx: ImportContext,
  node: OnnxNode,
  x: Operand,
  weight: Tensor,
  bias: Tensor | null,
  p: ConvParams,
  name?: string,
): Operand {
  const [N, C, ...inSp] = x.shape as number[];
  const [M, Cg, ...kernel] = weight.shape as number[];
  const outSp = convOut(inSp, kernel, p);
  if (outSp.some((d) => !(d > 0)))
    throw ctx.error(node, `the kernel ${shapeStr(kernel)} does not fit the (padded) input ${shapeStr(x.shape)}`);
  const out = [N!, M!, ...outSp];
  if (inSp.length === 2) {
    const params: Conv2dParams = {
      pads: p.pads as [number, number, number, number],
      strides: p.strides as [number, number],
      dilations: p.dilations as [number, number],
      group: p.group,
    };
    return ctx.emit(node, { kind: "conv", weight, bias, params }, [x], out, name);
  }
  if (inSp.length === 1) {
    const x4 = ctx.emit(node, { kind: "reshape" }, [x], [N!, C!, 1, inSp[0]!]);
    const w4 = reshapeConstant(weight, [M!, Cg!, 1, kernel[0]!]);
    const lifted = {
      strides: [1, p.strides[0]!],
      dilations: [1, p.dilations[0]!],
      pads: [0, p.pads[0]!, 0, p.pads[1]!],
    };
    const y = emitConv(ctx, node, x4, w4, bias, { ...lifted, group: p.group });
    return ctx.emit(node, { kind: "reshape" }, [y], out, name);
  }
  // 3-D: depth planes as channels
  const [, H, W] = inSp as [number, number, number];
  const [kD, kH, kW] = kernel as [number, number, number];
  const OD = outSp[0]!;
  // [N, OD, C, kD, H, W] read from x [N, C, D, H, W] (the coordinates of each output axis in x)
  const depth = (od: number, kd: number) => od * p.strides[0]! - p.pads[0]! + kd * p.dilations[0]!;
  const planes = stackedPlanes(x.shape, OD, kD, depth);
  const xs = ctx.emit(node, { kind: "select", map: planes, fill: 0 }, [x], [N! * OD, C! * kD, H, W]);
  const w2 = reshapeConstant(weight, [M!, Cg! * kD, kH, kW]);
  const p2 = {
    strides: p.strides.slice(1),
    dilations: p.dilations.slice(1),
    pads: [p.pads[1]!, p.pads[2]!, p.pads[4]!, p.pads[5]!],
    group: p.group,
  };
  const y = emitConv(ctx, node, xs, w2, bias, p2); // [N·OD, M, OH, OW]
  const { map } = transposeMap([N!, OD, M!, outSp[1]!, outSp[2]!], [0, 2, 1, 3, 4]);
  return ctx.emit(node, { kind: "select", map, fill: 0 }, [y], out, name);
}

/** The select map of [N, OD, C, kD, H, W] ← x [N, C, D, H, W], element (n, od, c, kd, h, w) = x[n, c, depth(od, kd), h, w]. */
function stackedPlanes(
  xShape: readonly number[],
  OD: number,
  kD: number,
  depth: (od: number, kd: number) => number,
): Int32Array {
  const [N, C, D, H, W] = xShape as [number, number, number, number, number];
  const plane = H * W;
  const map = new Int32Array(N * OD * C * kD * plane);
  let i = 0;
  for (let n = 0; n < N; n++)
    for (let od = 0; od < OD; od++)
      for (let c = 0; c < C; c++)
        for (let kd = 0; kd < kD; kd++) {
          const d = depth(od, kd);
          const base = d < 0 || d >= D ? -1 : ((n * C + c) * D + d) * plane;
          for (let j = 0; j < plane; j++) map[i++] = base < 0 ? -1 : base + j;
        }
  return map;
}

/** Checks group against the channels and returns it. */
export function convGroup(ctx: ImportContext, node: OnnxNode, C: number, wIn: number, M: number, what: string): number {
  const group = ctx.int(node, "group", 1);
  if (group < 1 || C % group !== 0 || M % group !== 0 || C / group !== wIn)
    throw ctx.error(node, `group=${group} does not fit input channels ${C} and ${what}`);
  return group;
}

/** The optional constant bias (input 3) with one value per output channel. */
export function convBias(ctx: ImportContext, node: OnnxNode, M: number): Tensor | null {
  const b = ctx.optionalOperand(node, 2);
  if (!b) return null;
  if (!b.constant) throw ctx.unsupported(node, `bias B ("${b.name}") must be a constant`);
  if (b.constant.data.length !== M)
    throw ctx.error(node, `bias has ${b.constant.data.length} values for ${M} output channels`);
  return { shape: [M], data: b.constant.data };
}

export const Conv: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const dims = spatialDims(ctx, node, x.shape, "input X");
  const weight = ctx.constant(node, 1, "W (the kernel)");
  if (weight.shape.length !== x.shape.length)
    throw ctx.error(node, `W ${shapeStr(weight.shape)} must have the rank of X ${shapeStr(x.shape)}`);
  const [M, Cg, ...kernel] = weight.shape as number[];
  const group = convGroup(ctx, node, x.shape[1]!, Cg!, M!, `W ${shapeStr(weight.shape)}`);
  const ks = spatialInts(ctx, node, "kernel_shape", dims.length, 1);
  if (ctx.ints(node, "kernel_shape", null) && ks.some((k, a) => k !== kernel[a]))
    throw ctx.error(node, `kernel_shape [${ks.join(", ")}] disagrees with W ${shapeStr(weight.shape)}`);
  const p = { ...windowOf(ctx, node, dims, kernel), group };
  const bias = convBias(ctx, node, M!);
  const q = quantizedWeight(weight, 0);
  if (!q) {
    emitConv(ctx, node, x, weight, bias, p, node.outputs[0]!);
    return;
  }
  // QDQ: the model's integer weights as given, then each channel's scale (and the bias) after
  const y = emitConv(ctx, node, x, q.ints, null, p);
  const perChannel = [M!, ...dims.map(() => 1)];
  const mul = { shape: perChannel, data: q.scales };
  const add = bias ? { shape: perChannel, data: bias.data } : null;
  ctx.emit(node, { kind: "affine", mul, add, pinned: true }, [y], y.shape, node.outputs[0]!);
};
