/**
 * ConvTranspose (1-, 2- or 3-D; groups, strides, pads, output_padding, output_shape, auto_pad,
 * dilations) as a plain convolution, free in the circuit like Conv:
 *
 *   y = conv(z, W'), stride 1, the same dilations, no pads, where
 *   z  is x with s − 1 zeros inserted between neighbours along each axis (stride s), then
 *      padded by d·(k − 1) − pad_begin before and d·(k − 1) − pad_end + output_padding after
 *      (a negative pad crops): one `select`, each z element an x element or 0;
 *   W' is W [C, M/g, k…] with input and output channels swapped within each group and every
 *      spatial axis flipped: W'[g·M/g + m, c, κ] = W[g·C/g + c, m, k − 1 − κ].
 *
 * This is ONNX's definition read backwards: x[i] contributes W[κ]·x[i] to y[i·s + κ·d − pad_begin];
 * in z, x[i] sits at i·s + d(k − 1) − pad_begin, and the stride-1 conv at output o reads z[o + κ'·d]
 * with W'[κ'] = W[k − 1 − κ'], which meets x[i] exactly when o = i·s + κ·d − pad_begin.
 * Output size: s·(n − 1) + output_padding + d·(k − 1) + 1 − pad_begin − pad_end.
 */
import type { ImportContext, OpHandler } from "../context.js";
import type { Tensor } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { shapeStr, sizeOf } from "../shapes.js";
import { axisMap } from "../indexing.js";
import { unflatten } from "../windows.js";
import { convBias, emitConv } from "./conv.js";
import { spatialDims, spatialInts } from "./util.js";

export const ConvTranspose: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const dims = spatialDims(ctx, node, x.shape, "input X");
  const n = dims.length;
  const w = ctx.constant(node, 1, "W (the kernel)");
  if (w.shape.length !== x.shape.length)
    throw ctx.error(node, `W ${shapeStr(w.shape)} must have the rank of X ${shapeStr(x.shape)}`);
  const [C, , ...kernel] = w.shape as number[];
  const group = ctx.int(node, "group", 1);
  if (group < 1 || C !== x.shape[1] || C! % group !== 0)
    throw ctx.error(node, `group=${group} does not fit input channels ${x.shape[1]} and W ${shapeStr(w.shape)}`);
  const ks = ctx.ints(node, "kernel_shape", null);
  if (ks && (ks.length !== n || ks.some((k, a) => k !== kernel[a])))
    throw ctx.error(node, `kernel_shape [${ks.join(", ")}] disagrees with W ${shapeStr(w.shape)}`);
  const strides = spatialInts(ctx, node, "strides", n, 1);
  const dilations = spatialInts(ctx, node, "dilations", n, 1);
  const outPad = ctx.ints(node, "output_padding", new Array<number>(n).fill(0))!;
  if (outPad.length !== n || outPad.some((v) => !Number.isInteger(v) || v < 0))
    throw ctx.error(node, `output_padding [${outPad.join(", ")}] must be ${n} non-negative integers`);
  const pads = transposePads(ctx, node, dims, kernel, strides, dilations, outPad);
  const coords = [x.shape[0]!, C!].map((d) => Int32Array.from({ length: d }, (_, i) => i));
  dims.forEach((len, a) => {
    const span = dilations[a]! * (kernel[a]! - 1);
    const before = span - pads[a]!;
    const total = (len - 1) * strides[a]! + 1 + before + span - pads[a + n]! + outPad[a]!;
    if (total <= span) throw ctx.error(node, `pads [${pads.join(", ")}] leave no output along spatial axis ${a}`);
    coords.push(
      Int32Array.from({ length: total }, (_, p) => {
        const src = p - before;
        return src >= 0 && src % strides[a]! === 0 && src / strides[a]! < len ? src / strides[a]! : -1;
      }),
    );
  });
  ctx.checkSize(
    node,
    coords.map((c) => c.length),
  );
  const { map, shape } = axisMap(x.shape, coords);
  const z = ctx.emit(node, { kind: "select", map, fill: 0 }, [x], shape);
  const p = { strides: new Array<number>(n).fill(1), dilations, pads: new Array<number>(2 * n).fill(0), group };
  const weight = flipTransposed(w, group);
  emitConv(ctx, node, z, weight, convBias(ctx, node, weight.shape[0]!), p, node.outputs[0]!);
};

/**
 * ConvTranspose's pads: `pads`, or from `output_shape` / `auto_pad` (SAME_*: output = input ·
 * stride), whose total padding s·(n − 1) + output_padding + d·(k − 1) + 1 − output is split
 * as ONNX says: SAME_UPPER puts the odd one at the end, otherwise at the beginning. A negative
 * total (an output_shape longer than the pads-free output) extends the end.
 */
function transposePads(
  ctx: ImportContext,
  node: OnnxNode,
  dims: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  outPad: readonly number[],
): number[] {
  const n = dims.length;
  const autoPad = ctx.string(node, "auto_pad", "NOTSET");
  if (!["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].includes(autoPad))
    throw ctx.error(node, `unknown auto_pad "${autoPad}"`);
  let target = ctx.ints(node, "output_shape", null);
  if (target && target.length === n + 2) target = target.slice(2);
  if (target && target.length !== n)
    throw ctx.error(node, `output_shape [${target.join(", ")}] must have ${n} values for ${n} spatial axes`);
  if (!target && autoPad.startsWith("SAME")) target = dims.map((d, a) => d * strides[a]!);
  if (!target) {
    if (autoPad === "VALID") return new Array<number>(2 * n).fill(0);
    const pads = ctx.ints(node, "pads", new Array<number>(2 * n).fill(0))!;
    if (pads.length !== 2 * n || pads.some((v) => v < 0))
      throw ctx.error(node, `pads [${pads.join(", ")}] must be ${2 * n} non-negative values`);
    return pads;
  }
  const pads = new Array<number>(2 * n).fill(0);
  target.forEach((out, a) => {
    const total = strides[a]! * (dims[a]! - 1) + outPad[a]! + dilations[a]! * (kernel[a]! - 1) + 1 - out;
    const half = Math.floor(Math.max(total, 0) / 2);
    const [begin, end] =
      total < 0 ? [0, total] : autoPad === "SAME_UPPER" ? [half, total - half] : [total - half, half];
    pads[a] = begin;
    pads[a + n] = end;
  });
  return pads;
}

/** W [C, M/g, k…] → W' [M, C/g, k…]: channels swapped within each group, every spatial axis flipped. */
function flipTransposed(w: Tensor, group: number): Tensor {
  const [C, Mg, ...kernel] = w.shape as number[];
  const Cg = C! / group;
  const K = sizeOf(kernel);
  const out = new Float64Array(w.data.length);
  const k = new Array<number>(kernel.length).fill(0);
  const flipped = new Int32Array(K);
  for (let j = 0; j < K; j++) {
    unflatten(j, kernel, k);
    flipped[j] = k.reduce((at, v, a) => at * kernel[a]! + (kernel[a]! - 1 - v), 0);
  }
  for (let g = 0; g < group; g++)
    for (let c = 0; c < Cg; c++)
      for (let m = 0; m < Mg!; m++) {
        const src = ((g * Cg + c) * Mg! + m) * K;
        const dst = ((g * Mg! + m) * Cg + c) * K;
        for (let j = 0; j < K; j++) out[dst + flipped[j]!] = w.data[src + j]!;
      }
  return { shape: [Mg! * group, Cg, ...kernel], data: out };
}
