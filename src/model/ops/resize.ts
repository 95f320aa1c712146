/**
 * Resize and Upsample. Mode "nearest": each output element is one input element, so the
 * whole op is one `select` (free in the circuit). Along each axis, output coordinate x maps
 * to an input coordinate by the node's coordinate_transformation_mode, rounded by its
 * nearest_mode and clamped to the axis (tf_crop_and_resize: outside the axis is the
 * extrapolation_value, the select's fill). The arithmetic is float32, as onnxruntime's, so
 * ties round the way it rounds them.
 *
 * Modes "linear" and "cubic": each output element is a fixed weighted sum of 2 (4) input
 * elements along each axis, so the op is, axis by axis from the last, a constant matrix
 * product along that axis (a `gemm` between two transposing `select`s: no constraints but its
 * rescale), as ONNX's reference interpolates the inner axes first. Weights follow the
 * reference: the taps nearest x (x itself counts as the right one, weight 1), edge values past
 * the ends, cubic_coeff_a, exclude_outside; tf_crop_and_resize's outside is the gemm's bias.
 * antialias (opset 18) is refused by name.
 *
 * Opsets: Upsample 1 (height_scale, width_scale), 7 (scales attribute), 9 (scales input);
 * Resize 10 (scales), 11 and 13 (roi, scales, sizes; the modes), 18 (axes,
 * keep_aspect_ratio_policy; antialias only affects linear and cubic), 19 (half_pixel_symmetric).
 * Before Resize 11 (and in every Upsample) the coordinates are "asymmetric" and rounding is
 * onnxruntime's: truncation when enlarging an axis, ceil when shrinking it.
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { axisMap, transposeMap } from "../indexing.js";
import { normAxis } from "./layout.js";

const f = Math.fround;

/** x_original as a function of x_resized (ONNX's coordinate_transformation_mode), in float32. */
type CoordFn = (x: number, scale: number, lenOut: number, lenIn: number, roiStart: number, roiEnd: number) => number;

const COORDINATES: Record<string, CoordFn> = {
  half_pixel: (x, s) => f(f(f(x + 0.5) / s) - 0.5),
  half_pixel_symmetric: (x, s, lenOut, lenIn) => {
    const adjustment = f(lenOut / f(s * lenIn));
    const offset = f(f(lenIn / 2) * f(1 - adjustment));
    return f(offset + f(f(f(x + 0.5) / s) - 0.5));
  },
  pytorch_half_pixel: (x, s, lenOut) => (lenOut > 1 ? f(f(f(x + 0.5) / s) - 0.5) : 0),
  align_corners: (x, _s, lenOut, lenIn) => (lenOut === 1 ? 0 : f(f(x * (lenIn - 1)) / (lenOut - 1))),
  asymmetric: (x, s) => f(x / s),
  tf_half_pixel_for_nn: (x, s) => f(f(x + 0.5) / s),
  tf_crop_and_resize: (x, _s, lenOut, lenIn, a, b) =>
    lenOut > 1
      ? f(f(a * (lenIn - 1)) + f(f(f(x * f(b - a)) * (lenIn - 1)) / (lenOut - 1)))
      : f(f(0.5 * f(a + b)) * (lenIn - 1)),
};

const away = (v: number) => Math.sign(v) * Math.round(Math.abs(v)); // C's round: halves away from zero

/** ONNX's nearest_mode, plus onnxruntime's rounding before Resize 11 ("simple"). */
const ROUNDINGS: Record<string, (v: number, shrinking: boolean) => number> = {
  round_prefer_floor: (v) => (v === Math.trunc(v) + 0.5 ? Math.floor(v) : away(v)),
  round_prefer_ceil: away,
  floor: Math.floor,
  ceil: Math.ceil,
  simple: (v, shrinking) => (shrinking ? Math.ceil(v) : Math.trunc(v)),
};

interface Nearest {
  /** per axis: the scale and the output length */
  readonly scales: readonly number[];
  readonly sizes: readonly number[];
  /** [starts..., ends...] (tf_crop_and_resize), else null */
  readonly roi: readonly number[] | null;
  readonly coordinates: string;
  readonly rounding: string;
  readonly extrapolation: number;
}

/** The select that reads each output element's nearest input element. */
function emitNearest(ctx: ImportContext, node: OnnxNode, x: Operand, p: Nearest): void {
  const r = x.shape.length;
  const coord = COORDINATES[p.coordinates];
  const round = ROUNDINGS[p.rounding];
  if (!coord) throw ctx.unsupported(node, `coordinate_transformation_mode "${p.coordinates}"`);
  if (!round) throw ctx.unsupported(node, `nearest_mode "${p.rounding}"`);
  const crop = p.coordinates === "tf_crop_and_resize";
  ctx.checkSize(node, p.sizes);
  const coords = x.shape.map((lenIn, a) => {
    const lenOut = p.sizes[a]!;
    const [start, end] = p.roi ? [p.roi[a]!, p.roi[a + r]!] : [0, 1];
    // onnxruntime leaves an axis of scale 1 as it is whatever the mode (tf_half_pixel_for_nn with
    // round_prefer_ceil would move every element by one); tf_crop_and_resize crops it by its roi
    if (!crop && p.scales[a] === 1 && lenOut === lenIn) return Int32Array.from({ length: lenIn }, (_, o) => o);
    return Int32Array.from({ length: lenOut }, (_, o) => {
      const v = coord(o, p.scales[a]!, lenOut, lenIn, start, end);
      if (crop && (v < 0 || v > lenIn - 1)) return -1;
      return Math.min(Math.max(round(v, p.scales[a]! < 1), 0), lenIn - 1);
    });
  });
  if (coords.some((c) => c.length === 0)) throw ctx.error(node, `an empty output [${p.sizes.join(", ")}]`);
  const { map, shape } = axisMap(x.shape, coords);
  ctx.emit(node, { kind: "select", map, fill: p.extrapolation }, [x], shape, node.outputs[0]!);
}

/** The interpolation's weights along one axis: W [lenIn, lenOut] and, cropping, the outside's bias. */
function axisWeights(
  lenIn: number,
  lenOut: number,
  coordAt: (o: number) => number,
  p: Interpolation,
): { weight: Float64Array; bias: Float64Array | null } {
  const weight = new Float64Array(lenIn * lenOut);
  let bias: Float64Array | null = null;
  for (let o = 0; o < lenOut; o++) {
    const x = coordAt(o);
    if (p.crop && (x < 0 || x > lenIn - 1)) {
      (bias ??= new Float64Array(lenOut))[o] = p.extrapolation;
      continue;
    }
    // the reference prefers the pixel on the left: an integer x is the right tap, ratio 1
    let left = Math.floor(x),
      r = x - left;
    if (r === 0) [left, r] = [left - 1, 1];
    const cs = p.mode === "linear" ? [1 - r, r] : cubicCoeffs(r, p.cubicA);
    const first = p.mode === "linear" ? left : left - 1;
    if (p.excludeOutside) {
      cs.forEach((_, j) => (first + j < 0 || first + j >= lenIn) && (cs[j] = 0));
      const s = cs.reduce((a, c) => a + c, 0);
      cs.forEach((c, j) => (cs[j] = c / s));
    }
    cs.forEach((c, j) => (weight[Math.min(Math.max(first + j, 0), lenIn - 1) * lenOut + o] += c));
  }
  return { weight, bias };
}

/** Keys' cubic convolution weights of the 4 taps around ratio r ∈ (0, 1] (ONNX's, with A = cubic_coeff_a). */
function cubicCoeffs(r: number, A: number): number[] {
  const far = (d: number) => ((A * d - 5 * A) * d + 8 * A) * d - 4 * A; // 1 ≤ d < 2
  const near = (d: number) => ((A + 2) * d - (A + 3)) * d * d + 1; // 0 ≤ d ≤ 1
  return [far(r + 1), near(r), near(1 - r), far(2 - r)];
}

interface Interpolation {
  readonly mode: "linear" | "cubic";
  readonly cubicA: number;
  readonly excludeOutside: boolean;
  readonly crop: boolean;
  readonly extrapolation: number;
}

/** Linear or cubic: along each resized axis, last first, a constant matrix product. */
function emitInterpolated(ctx: ImportContext, node: OnnxNode, x: Operand, p: Nearest, ip: Interpolation): void {
  const r = x.shape.length;
  const coord = COORDINATES[p.coordinates];
  if (!coord) throw ctx.unsupported(node, `coordinate_transformation_mode "${p.coordinates}"`);
  ctx.checkSize(node, p.sizes);
  if (p.sizes.some((s) => s === 0)) throw ctx.error(node, `an empty output [${p.sizes.join(", ")}]`);
  const axes = [...x.shape.keys()].filter((a) => ip.crop || p.scales[a] !== 1 || p.sizes[a] !== x.shape[a]).reverse();
  let cur = x;
  axes.forEach((a, k) => {
    const lenIn = cur.shape[a]!,
      lenOut = p.sizes[a]!;
    const [start, end] = p.roi ? [p.roi[a]!, p.roi[a + r]!] : [0, 1];
    // align_corners maps through the output's integer length, as onnxruntime and PyTorch do (ONNX
    // 1.12's reference takes scale · lenIn instead: two of its downsampling cases differ)
    const { weight, bias } = axisWeights(lenIn, lenOut, (o) => coord(o, p.scales[a]!, lenOut, lenIn, start, end), ip);
    const gemm = {
      kind: "gemm" as const,
      weight: { shape: [lenIn, lenOut], data: weight },
      bias: bias && { shape: [lenOut], data: bias },
    };
    const last = k === axes.length - 1 ? node.outputs[0]! : undefined;
    if (a === r - 1) {
      cur = ctx.emit(node, gemm, [cur], [...cur.shape.slice(0, -1), lenOut], last);
      return;
    }
    // move axis a last, interpolate along it, move it back
    const perm = [...[...cur.shape.keys()].filter((i) => i !== a), a];
    const t = transposeMap(cur.shape, perm);
    const moved = ctx.emit(node, { kind: "select", map: t.map, fill: 0 }, [cur], t.shape);
    const y = ctx.emit(node, gemm, [moved], [...t.shape.slice(0, -1), lenOut]);
    const back = perm.map((_, i) => perm.indexOf(i));
    const u = transposeMap(y.shape, back);
    cur = ctx.emit(node, { kind: "select", map: u.map, fill: 0 }, [y], u.shape, last);
  });
  // every axis keeps its length and scale: the identity
  if (axes.length === 0) ctx.emit(node, { kind: "reshape" }, [x], x.shape, node.outputs[0]!);
}

/** The node's mode and what linear and cubic read (antialias, opset 18, is refused). */
function modeOf(ctx: ImportContext, node: OnnxNode, extrapolation: number, crop: boolean): Interpolation | null {
  const mode = ctx.string(node, "mode", "nearest");
  if (mode === "nearest") return null;
  if (mode !== "linear" && mode !== "cubic" && mode !== "bilinear")
    throw ctx.unsupported(node, `mode "${mode}" (nearest, linear and cubic are supported)`);
  if (ctx.opset >= 18 && ctx.int(node, "antialias", 0) !== 0)
    throw ctx.unsupported(node, `antialias=1 (a ${mode} filter widened when shrinking)`);
  return {
    mode: mode === "cubic" ? "cubic" : "linear",
    cubicA: ctx.float(node, "cubic_coeff_a", -0.75),
    excludeOutside: ctx.int(node, "exclude_outside", 0) !== 0,
    crop,
    extrapolation,
  };
}

/** A float list from an optional constant input; null when absent or empty. */
function floatsInput(ctx: ImportContext, node: OnnxNode, i: number, role: string): number[] | null {
  if (!node.inputs[i]) return null;
  const v = Array.from(ctx.constant(node, i, role).data);
  return v.length ? v : null;
}

/** Output lengths from scales: floor(length · scale), in float32 (times the roi's extent when cropping). */
function sizesFromScales(shape: readonly number[], scales: readonly number[], roi: readonly number[] | null): number[] {
  const r = shape.length;
  return shape.map((d, a) => Math.floor(f(f(roi ? f(d * f(roi[a + r]! - roi[a]!)) : d) * scales[a]!)));
}

export const Resize: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  const legacy = ctx.opset < 11;
  const coordinates = legacy ? "asymmetric" : ctx.string(node, "coordinate_transformation_mode", "half_pixel");
  const rounding = legacy ? "simple" : ctx.string(node, "nearest_mode", "round_prefer_floor");
  // axes (opset 18): scales and sizes list only these axes; the others keep scale 1
  const axes = ctx.opset >= 18 ? ctx.ints(node, "axes", null)?.map((a) => normAxis(ctx, node, a, r)) : null;
  const full = (v: number[] | null, what: string, fill: number): number[] | null => {
    if (!v) return null;
    const n = axes?.length ?? r;
    if (v.length !== n) throw ctx.error(node, `${what} has ${v.length} values for ${n} axes`);
    if (!axes) return v;
    const out = new Array<number>(r).fill(fill);
    axes.forEach((ax, i) => (out[ax] = v[i]!));
    return out;
  };
  let roi: number[] | null = null;
  if (!legacy && coordinates === "tf_crop_and_resize") {
    const given = floatsInput(ctx, node, 1, "roi");
    if (given && axes) {
      roi = [...new Array<number>(r).fill(0), ...new Array<number>(r).fill(1)];
      axes.forEach((ax, i) => ([roi![ax], roi![ax + r]] = [given[i]!, given[i + axes.length]!]));
    } else roi = given;
    if (!roi || roi.length !== 2 * r) throw ctx.error(node, `tf_crop_and_resize needs a roi of ${2 * r} values`);
  }
  let scales = full(floatsInput(ctx, node, legacy ? 1 : 2, "scales"), "scales", 1)?.map(f) ?? null;
  let sizes = legacy ? null : full(floatsInput(ctx, node, 3, "sizes"), "sizes", 0);
  if (sizes && axes) sizes = sizes.map((s, a) => (axes.includes(a) ? s : x.shape[a]!));
  if (scales && sizes) throw ctx.error(node, "scales and sizes are both given");
  if (sizes) {
    const policy = ctx.opset >= 18 ? ctx.string(node, "keep_aspect_ratio_policy", "stretch") : "stretch";
    if (policy !== "stretch") {
      if (policy !== "not_larger" && policy !== "not_smaller")
        throw ctx.error(node, `unknown keep_aspect_ratio_policy "${policy}"`);
      const ratios = (axes ?? [...Array(r).keys()]).map((a) => f(sizes![a]! / x.shape[a]!));
      const s = policy === "not_larger" ? Math.min(...ratios) : Math.max(...ratios);
      const scaled = new Set(axes ?? [...Array(r).keys()]);
      sizes = x.shape.map((d, a) => (scaled.has(a) ? away(f(s * d)) : d));
    }
    scales = sizes.map((s, a) => f(s / x.shape[a]!));
  } else if (scales) {
    if (scales.some((s) => !(s > 0))) throw ctx.error(node, `scales [${scales.join(", ")}] must be positive`);
    sizes = sizesFromScales(x.shape, scales, roi);
  } else throw ctx.error(node, "neither scales nor sizes is given");
  const extrapolation = ctx.float(node, "extrapolation_value", 0);
  const p = { scales, sizes, roi, coordinates, rounding, extrapolation };
  const ip = modeOf(ctx, node, extrapolation, coordinates === "tf_crop_and_resize");
  if (ip) emitInterpolated(ctx, node, x, p, ip);
  else emitNearest(ctx, node, x, p);
};

/** Upsample (deprecated at opset 10): Resize with asymmetric coordinates. */
export const Upsample: OpHandler = (ctx, node) => {
  const ip = modeOf(ctx, node, 0, false);
  const x = ctx.operand(node, 0);
  let scales: number[] | null;
  if (ctx.opset >= 9) scales = floatsInput(ctx, node, 1, "scales");
  else if (ctx.opset >= 7) scales = ctx.floats(node, "scales", null);
  else scales = [1, 1, ctx.float(node, "height_scale", 1), ctx.float(node, "width_scale", 1)];
  if (!scales || scales.length !== x.shape.length)
    throw ctx.error(node, `scales must have ${x.shape.length} values, one per axis`);
  const s = scales.map(f);
  if (s.some((v) => !(v > 0))) throw ctx.error(node, `scales [${s.join(", ")}] must be positive`);
  const sizes = sizesFromScales(x.shape, s, null);
  const p = { scales: s, sizes, roi: null, coordinates: "asymmetric", rounding: "simple", extrapolation: 0 };
  if (ip) emitInterpolated(ctx, node, x, p, ip);
  else emitNearest(ctx, node, x, p);
};
