/** Small helpers shared by op handlers. */
import type { Tensor } from "../graph.js";
import type { ImportContext } from "../context.js";
import type { OnnxNode } from "../onnx.js";

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

/**
 * Spatial pads [top, left, bottom, right] for a 2-D window op, from `pads` or `auto_pad`
 * (ONNX: SAME_UPPER puts the extra pad at the end, SAME_LOWER at the beginning).
 */
export function windowPads(
  ctx: ImportContext,
  node: OnnxNode,
  inHW: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
): [number, number, number, number] {
  const autoPad = ctx.string(node, "auto_pad", "NOTSET");
  if (autoPad === "NOTSET") {
    const p = ctx.ints(node, "pads", [0, 0, 0, 0])!;
    if (p.length !== 4) throw ctx.error(node, `pads must have 4 values for a 2-D window, got [${p.join(", ")}]`);
    if (p.some((v) => v < 0)) throw ctx.unsupported(node, `negative pads [${p.join(", ")}]`);
    return [p[0]!, p[1]!, p[2]!, p[3]!];
  }
  if (autoPad === "VALID") return [0, 0, 0, 0];
  if (autoPad !== "SAME_UPPER" && autoPad !== "SAME_LOWER") throw ctx.error(node, `unknown auto_pad "${autoPad}"`);
  const pads: [number, number, number, number] = [0, 0, 0, 0];
  for (let a = 0; a < 2; a++) {
    const out = Math.ceil(inHW[a]! / strides[a]!);
    const total = Math.max(0, (out - 1) * strides[a]! + dilations[a]! * (kernel[a]! - 1) + 1 - inHW[a]!);
    const small = Math.floor(total / 2);
    const [begin, end] = autoPad === "SAME_UPPER" ? [small, total - small] : [total - small, small];
    pads[a] = begin;
    pads[a + 2] = end;
  }
  return pads;
}

export function pair(
  v: number[] | null,
  dflt: number,
  ctx: ImportContext,
  node: OnnxNode,
  name: string,
): [number, number] {
  if (!v) return [dflt, dflt];
  if (v.length !== 2) throw ctx.unsupported(node, `${name} [${v.join(", ")}]: only 2-D windows are supported`);
  if (v.some((x) => !Number.isInteger(x) || x < 1))
    throw ctx.error(node, `${name} must be positive integers, got [${v.join(", ")}]`);
  return [v[0]!, v[1]!];
}

export function require4d(
  ctx: ImportContext,
  node: OnnxNode,
  shape: readonly number[],
  what: string,
): [number, number, number, number] {
  if (shape.length !== 4)
    throw ctx.unsupported(node, `${what} has shape [${shape.join(", ")}]; only 4-D NCHW tensors are supported`);
  return shape as [number, number, number, number];
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
