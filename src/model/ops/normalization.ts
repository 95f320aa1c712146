/**
 * BatchNormalization (inference): a per-channel `affine`, folded into a preceding Conv/Gemm by
 * fold.ts. LayerNormalization, InstanceNormalization and GroupNormalization: statistics of the
 * input itself, so a mean, a variance and an inverse square root computed in the circuit.
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { Tensor } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { axisGroups } from "../indexing.js";
import { shapeStr, sizeOf } from "../shapes.js";
import { normAxis } from "./layout.js";

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

/**
 * (x - mean) / √(var + ε) over the given axes of x, as primitives: the mean (a sum), the
 * difference (free), its square (one product per element), the variance (a sum), + ε (free),
 * one inverse square root per group (gadgets/invert.ts: a hint checked by two products and two
 * range checks) and one product per element. Returns the normalized tensor, before any scale.
 */
function normalize(
  ctx: ImportContext,
  node: OnnxNode,
  x: Operand,
  axes: readonly number[],
  eps: number,
): { y: Operand; mean: Operand; invStdDev: Operand } {
  const { groups, keptShape } = axisGroups(x.shape, axes);
  const n = sizeOf(x.shape) / sizeOf(keptShape);
  const mean = { kind: "sum" as const, groups, mult: new Float64Array(groups.start.length - 1).fill(1 / n) };
  const mu = ctx.emit(node, mean, [x], keptShape);
  const d = ctx.emit(node, { kind: "add", sign: -1 }, [x, mu], x.shape);
  const sq = ctx.emit(node, { kind: "mul" }, [d, d], x.shape);
  const v = ctx.emit(node, mean, [sq], keptShape);
  const ve = ctx.emit(
    node,
    { kind: "affine", mul: null, add: { shape: [1], data: new Float64Array([eps]) } },
    [v],
    keptShape,
  );
  const r = ctx.emit(node, { kind: "invert", fn: "rsqrt" }, [ve], keptShape);
  return { y: ctx.emit(node, { kind: "mul" }, [d, r], x.shape), mean: mu, invStdDev: r };
}

/** LayerNormalization (opset 17): normalized over axes axis..r-1, then · Scale + B (broadcast). */
export const LayerNormalization: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  const axis = normAxis(ctx, node, ctx.int(node, "axis", -1), r);
  const axes = [...Array(r).keys()].slice(axis);
  const scale = ctx.constant(node, 1, "Scale");
  const bias = ctx.optionalOperand(node, 2);
  if (bias && !bias.constant) throw ctx.unsupported(node, "a computed B");
  const { y, mean, invStdDev } = normalize(ctx, node, x, axes, ctx.float(node, "epsilon", 1e-5));
  ctx.emit(node, { kind: "affine", mul: scale, add: bias?.constant ?? null }, [y], x.shape, node.outputs[0]!);
  // the optional Mean and InvStdDev outputs (shape [d0, …, d(axis-1), 1, …, 1]) are values it has
  if (node.outputs[1]) ctx.alias(node.outputs[1], mean);
  if (node.outputs[2]) ctx.alias(node.outputs[2], invStdDev);
};

/** Per-channel [C] parameters as [C, 1, ..., 1] against an N×C×… tensor. */
function perChannel(ctx: ImportContext, node: OnnxNode, t: Tensor, what: string, x: Operand): Tensor {
  const C = x.shape[1]!;
  if (t.data.length !== C) throw ctx.error(node, `${what} has ${t.data.length} values; the input has ${C} channels`);
  return { shape: [C, ...x.shape.slice(2).map(() => 1)], data: t.data };
}

/** InstanceNormalization: each (n, c) normalized over its spatial axes, then · scale[c] + B[c]. */
export const InstanceNormalization: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  if (x.shape.length < 3) throw ctx.error(node, `input ${shapeStr(x.shape)} has no spatial axes (N × C × D1 …)`);
  const scale = perChannel(ctx, node, ctx.constant(node, 1, "scale"), "scale", x);
  const bias = perChannel(ctx, node, ctx.constant(node, 2, "B"), "B", x);
  const { y } = normalize(ctx, node, x, [...Array(x.shape.length).keys()].slice(2), ctx.float(node, "epsilon", 1e-5));
  ctx.emit(node, { kind: "affine", mul: scale, add: bias }, [y], x.shape, node.outputs[0]!);
};

/**
 * GroupNormalization (opsets 18 and 21): the C channels in num_groups groups, each group of each
 * sample normalized over its channels and spatial axes (a reshape to N × G × rest), then scale and
 * bias per channel (opset 21), or per group (opset 18's form, which each group's channels share).
 */
export const GroupNormalization: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  if (x.shape.length < 2) throw ctx.error(node, `input ${shapeStr(x.shape)} has no channel axis`);
  if (ctx.int(node, "stash_type", 1) !== 1) throw ctx.unsupported(node, "stash_type other than 1 (float32)");
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const G = ctx.int(node, "num_groups", 0);
  if (!(G >= 1 && C % G === 0)) throw ctx.error(node, `num_groups ${G} does not divide the ${C} channels`);
  const perGroup = (t: Tensor, what: string): Tensor => {
    if (t.data.length === C) return t;
    if (t.data.length !== G)
      throw ctx.error(node, `${what} has ${t.data.length} values: neither C = ${C} nor num_groups = ${G}`);
    return { shape: [C], data: Float64Array.from({ length: C }, (_, c) => t.data[Math.floor(c / (C / G))]!) };
  };
  const scale = perChannel(ctx, node, perGroup(ctx.constant(node, 1, "scale"), "scale"), "scale", x);
  const bias = perChannel(ctx, node, perGroup(ctx.constant(node, 2, "bias"), "bias"), "bias", x);
  const grouped = ctx.emit(node, { kind: "reshape" }, [x], [N, G, sizeOf(x.shape) / (N * G)]);
  const { y } = normalize(ctx, node, grouped, [2], ctx.float(node, "epsilon", 1e-5));
  const back = ctx.emit(node, { kind: "reshape" }, [y], x.shape);
  ctx.emit(node, { kind: "affine", mul: scale, add: bias }, [back], x.shape, node.outputs[0]!);
};
