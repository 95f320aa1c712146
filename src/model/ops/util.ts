/** Small helpers shared by op handlers. */
import type { Shape, Tensor } from "../graph.js";
import type { ImportContext, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { shapeStr, sizeOf } from "../shapes.js";

/** The 2-D transpose of a constant matrix. */
export function transpose2d(t: Tensor): Tensor {
  const [r, c] = t.shape as [number, number];
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j]!;
  return { shape: [c, r], data: out };
}

export function scaleTensor(t: Tensor, k: number): Tensor {
  return k === 1 ? t : { shape: t.shape, data: t.data.map((v) => v * k) };
}

/** The sizes of the spatial axes of an N×C×spatial tensor: 1, 2 or 3 of them. */
export function spatialDims(ctx: ImportContext, node: OnnxNode, shape: Shape, what: string): number[] {
  if (shape.length < 3 || shape.length > 5)
    throw ctx.unsupported(
      node,
      `${what} has shape ${shapeStr(shape)}; only N×C×L, N×C×H×W and N×C×D×H×W tensors are supported`,
    );
  return shape.slice(2);
}

/** A per-spatial-axis attribute (kernel_shape, strides, dilations): n positive integers, default all `dflt`. */
export function spatialInts(ctx: ImportContext, node: OnnxNode, name: string, n: number, dflt: number): number[] {
  const v = ctx.ints(node, name, null);
  if (!v) return new Array<number>(n).fill(dflt);
  if (v.length !== n) throw ctx.error(node, `${name} [${v.join(", ")}] must have ${n} values for ${n} spatial axes`);
  if (v.some((x) => !Number.isInteger(x) || x < 1))
    throw ctx.error(node, `${name} must be positive integers, got [${v.join(", ")}]`);
  return v;
}

/** The window of a convolution or pooling node: kernel, strides, dilations, pads (begins, then ends). */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
}

/**
 * A window op's strides, dilations and pads for input spatial sizes `inSizes`: pads from
 * `pads` or `auto_pad` (ONNX: SAME_UPPER puts the extra pad at the end, SAME_LOWER at the
 * beginning).
 */
export function windowOf(
  ctx: ImportContext,
  node: OnnxNode,
  inSizes: readonly number[],
  kernel: readonly number[],
): Window {
  const n = inSizes.length;
  const strides = spatialInts(ctx, node, "strides", n, 1);
  const dilations = spatialInts(ctx, node, "dilations", n, 1);
  const autoPad = ctx.string(node, "auto_pad", "NOTSET");
  if (autoPad === "NOTSET") {
    const pads = ctx.ints(node, "pads", new Array<number>(2 * n).fill(0))!;
    if (pads.length !== 2 * n)
      throw ctx.error(node, `pads must have ${2 * n} values for ${n} spatial axes, got [${pads.join(", ")}]`);
    if (pads.some((v) => v < 0)) throw ctx.unsupported(node, `negative pads [${pads.join(", ")}]`);
    return { kernel, strides, dilations, pads };
  }
  if (autoPad === "VALID") return { kernel, strides, dilations, pads: new Array<number>(2 * n).fill(0) };
  if (autoPad !== "SAME_UPPER" && autoPad !== "SAME_LOWER") throw ctx.error(node, `unknown auto_pad "${autoPad}"`);
  const pads = new Array<number>(2 * n).fill(0);
  for (let a = 0; a < n; a++) {
    const out = Math.ceil(inSizes[a]! / strides[a]!);
    const total = Math.max(0, (out - 1) * strides[a]! + dilations[a]! * (kernel[a]! - 1) + 1 - inSizes[a]!);
    const small = Math.floor(total / 2);
    [pads[a], pads[a + n]] = autoPad === "SAME_UPPER" ? [small, total - small] : [total - small, small];
  }
  return { kernel, strides, dilations, pads };
}

/**
 * Output element i is element at[i] of operand from[i] (an index into that operand's own flat
 * data). Computed operands become one `select` over their data laid end to end; constant
 * operands, which a select cannot read, leave its fill value at their positions, which an
 * `affine` after it adds back (free too), unless they are all one value, which becomes the fill.
 * With only constant operands the select folds to a constant.
 */
export function pick(
  ctx: ImportContext,
  node: OnnxNode,
  operands: readonly Operand[],
  from: Int32Array,
  at: Int32Array,
  shape: readonly number[],
  name?: string,
): Operand {
  const used = new Set(from);
  const mixed =
    operands.some((t, k) => used.has(k) && !t.constant) && operands.some((t, k) => used.has(k) && t.constant);
  const isSource = (t: Operand, k: number) => used.has(k) && !(mixed && t.constant);
  const sources = operands.filter(isSource);
  // where each operand's data starts among the sources laid end to end (-1: a constant of a mixed pick)
  const offsets = new Int32Array(operands.length);
  let base = 0;
  operands.forEach((t, k) => {
    offsets[k] = isSource(t, k) ? base : -1;
    if (offsets[k]! >= 0) base += t.constant ? t.constant.data.length : sizeOf(t.shape);
  });
  const map = new Int32Array(from.length);
  const constants = mixed ? new Float64Array(from.length) : null;
  for (let i = 0; i < map.length; i++) {
    const k = from[i]!;
    if (offsets[k]! >= 0) map[i] = offsets[k]! + at[i]!;
    else {
      map[i] = -1;
      constants![i] = operands[k]!.constant!.data[at[i]!]!;
    }
  }
  if (!constants) return ctx.emit(node, { kind: "select", map, fill: 0 }, sources, shape, name);
  const values = constants.filter((_, i) => map[i]! < 0);
  if (values.every((v) => v === values[0]))
    return ctx.emit(node, { kind: "select", map, fill: values[0]! }, sources, shape, name);
  const y = ctx.emit(node, { kind: "select", map, fill: 0 }, sources, shape);
  return ctx.emit(node, { kind: "affine", mul: null, add: { shape, data: constants } }, [y], shape, name);
}

/** A constant with a new shape (same data; a QDQ weight keeps its integers and scales). */
export function reshapeConstant(t: Tensor, shape: readonly number[]): Tensor {
  return { ...t, shape };
}

/**
 * A QDQ weight whose scale is per tensor or per `channelAxis` (the output channels), split
 * into its exact integers and the per-channel scales to apply after the op; null otherwise.
 */
export function quantizedWeight(w: Tensor, channelAxis: number): { ints: Tensor; scales: Float64Array } | null {
  const q = w.quantized;
  if (!q) return null;
  const C = w.shape[channelAxis]!;
  if (q.axis === -1) return { ints: { shape: w.shape, data: q.ints }, scales: new Float64Array(C).fill(q.scale[0]!) };
  if (q.axis !== channelAxis) return null;
  return { ints: { shape: w.shape, data: q.ints }, scales: q.scale };
}
