/**
 * Ops that move data without arithmetic. Identity, Dropout, Flatten, Reshape, Squeeze and
 * Unsqueeze only rename or reshape; Transpose, Slice, Gather, Concat and Pad are `select`
 * maps (free in the circuit: each output is one of the inputs, or the pad value).
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { shapeStr, sizeOf } from "../shapes.js";
import { axisMap, transposeMap } from "../indexing.js";
import { pick } from "./util.js";

export const Identity: OpHandler = (ctx, node) => ctx.alias(node.outputs[0]!, ctx.operand(node, 0));

/**
 * Dropout is the identity at inference; its optional mask output is not supported. From opset
 * 12 a training_mode input set to true (with a non-zero ratio) makes it random: refused, not
 * silently treated as the identity.
 */
export const Dropout: OpHandler = (ctx, node) => {
  if (node.outputs.length > 1 && node.outputs[1]) throw ctx.unsupported(node, "the mask output is not supported");
  const training = ctx.opset >= 12 ? ctx.optionalOperand(node, 2) : null;
  if (training) {
    if (!training.constant) throw ctx.unsupported(node, "a computed training_mode");
    const ratio = ctx.optionalOperand(node, 1);
    const zeroRatio = ratio?.constant ? ratio.constant.data[0] === 0 : false;
    if (training.constant.data[0] !== 0 && !zeroRatio)
      throw ctx.unsupported(node, "training_mode=true (random dropout)");
  }
  ctx.alias(node.outputs[0]!, ctx.operand(node, 0));
};

function reshapeTo(ctx: ImportContext, node: OnnxNode, x: Operand, shape: number[]): void {
  if (sizeOf(shape) !== sizeOf(x.shape)) {
    throw ctx.error(node, `cannot reshape ${shapeStr(x.shape)} (${sizeOf(x.shape)} values) to ${shapeStr(shape)}`);
  }
  ctx.emit(node, { kind: "reshape" }, [x], shape, node.outputs[0]!);
}

export function normAxis(ctx: ImportContext, node: OnnxNode, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank)
    throw ctx.error(node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export const Flatten: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  let axis = ctx.int(node, "axis", 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) throw ctx.error(node, `axis ${ctx.int(node, "axis", 1)} is out of range for rank ${r}`);
  reshapeTo(ctx, node, x, [sizeOf(x.shape.slice(0, axis)), sizeOf(x.shape.slice(axis))]);
};

export const Reshape: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  // before opset 5 the target shape was an attribute
  const spec =
    ctx.opset >= 5 ? Array.from(ctx.constant(node, 1, "the target shape").data) : ctx.ints(node, "shape", null);
  if (!spec) throw ctx.error(node, "the target shape is required");
  const allowZero = ctx.int(node, "allowzero", 0) === 1;
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? (x.shape[i] ?? NaN) : d));
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw ctx.error(node, `target shape [${spec.join(", ")}] has more than one -1`);
  if (unknown === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    const total = sizeOf(x.shape);
    if (known === 0 || total % known !== 0)
      throw ctx.error(node, `cannot reshape ${shapeStr(x.shape)} to [${spec.join(", ")}]`);
    shape[shape.indexOf(-1)] = total / known;
  }
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw ctx.error(node, `invalid target shape [${spec.join(", ")}] for input ${shapeStr(x.shape)}`);
  reshapeTo(ctx, node, x, shape);
};

/** Squeeze/Unsqueeze (and others) take axes as an attribute in old opsets and as input 2 in new ones. */
export function axesOf(ctx: ImportContext, node: OnnxNode, inputIndex: number, sinceOpset: number): number[] | null {
  if (ctx.opset >= sinceOpset) {
    return node.inputs.length > inputIndex && node.inputs[inputIndex]
      ? Array.from(ctx.constant(node, inputIndex, "axes").data)
      : null;
  }
  return ctx.ints(node, "axes", null);
}

export const Squeeze: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const axes = axesOf(ctx, node, 1, 13);
  const drop = new Set(
    (axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis(ctx, node, a, x.shape.length)),
  );
  for (const a of drop) if (x.shape[a] !== 1) throw ctx.error(node, `cannot squeeze axis ${a} of size ${x.shape[a]}`);
  reshapeTo(
    ctx,
    node,
    x,
    x.shape.filter((_, i) => !drop.has(i)),
  );
};

export const Unsqueeze: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const axes = axesOf(ctx, node, 1, 13);
  if (!axes) throw ctx.error(node, "axes are required");
  const rank = x.shape.length + axes.length;
  const ins = new Set(axes.map((a) => normAxis(ctx, node, a, rank)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(ins.has(i) ? 1 : x.shape[j++]!);
  reshapeTo(ctx, node, x, shape);
};

export const Transpose: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  const perm = ctx.ints(node, "perm", null) ?? [...Array(r).keys()].reverse();
  if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) {
    throw ctx.error(node, `perm [${perm.join(", ")}] is not a permutation of ${r} axes`);
  }
  const { map, shape } = transposeMap(x.shape, perm);
  ctx.emit(node, { kind: "select", map, fill: 0 }, [x], shape, node.outputs[0]!);
};

/** Coordinates 0..n-1 along every axis: the identity for axisMap. */
function identityCoords(shape: readonly number[]): Int32Array[] {
  return shape.map((d) => Int32Array.from({ length: d }, (_, i) => i));
}

export const Slice: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  const vals = (i: number, attr: string): number[] | null =>
    ctx.opset >= 10
      ? node.inputs[i]
        ? Array.from(ctx.constant(node, i, attr).data)
        : null
      : ctx.ints(node, attr, null);
  const starts = vals(1, "starts");
  const ends = vals(2, "ends");
  if (!starts || !ends || starts.length !== ends.length)
    throw ctx.error(node, "starts and ends are required and must have the same length");
  const axes = (vals(3, "axes") ?? starts.map((_, i) => i)).map((a) => normAxis(ctx, node, a, r));
  const steps = vals(4, "steps") ?? starts.map(() => 1);
  // a fraction here means the shape arithmetic that computed it went wrong: say so, do not round
  const fraction = [...starts, ...ends, ...steps].find((v) => !Number.isInteger(v));
  if (fraction !== undefined) throw ctx.error(node, `starts, ends and steps must be integers, got ${fraction}`);
  const coords = identityCoords(x.shape);
  axes.forEach((ax, i) => {
    const d = x.shape[ax]!;
    const step = steps[i]!;
    if (step === 0) throw ctx.error(node, "a slice step of 0");
    // ONNX clamping: negative indices count from the end; starts/ends clamp to the valid range
    const norm = (v: number) => (v < 0 ? v + d : v);
    let s = norm(starts[i]!),
      e = norm(ends[i]!);
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    const idx: number[] = [];
    for (let c = s; step > 0 ? c < e : c > e; c += step) idx.push(c);
    coords[ax] = Int32Array.from(idx);
  });
  if (coords.some((c) => c.length === 0)) {
    // an empty result is legal ONNX (a start past the end); having no values, it is a
    // constant whatever the input, and Concat drops it
    ctx.setConstant(node.outputs[0]!, { shape: coords.map((c) => c.length), data: new Float64Array(0) });
    return;
  }
  const { map, shape } = axisMap(x.shape, coords);
  ctx.emit(node, { kind: "select", map, fill: 0 }, [x], shape, node.outputs[0]!);
};

export const Gather: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const idx = ctx.constant(node, 1, "indices");
  const axis = normAxis(ctx, node, ctx.int(node, "axis", 0), x.shape.length);
  const d = x.shape[axis]!;
  ctx.checkSize(node, [...x.shape.slice(0, axis), idx.data.length, ...x.shape.slice(axis + 1)]);
  const flat = Int32Array.from(idx.data, (v) => {
    const i = v < 0 ? v + d : v;
    if (!Number.isInteger(i) || i < 0 || i >= d)
      throw ctx.error(node, `index ${v} is out of range for axis ${axis} of size ${d}`);
    return i;
  });
  const coords = identityCoords(x.shape);
  coords[axis] = flat;
  const { map } = axisMap(x.shape, coords);
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  ctx.emit(node, { kind: "select", map, fill: 0 }, [x], shape, node.outputs[0]!);
};

/**
 * Concat: one `select` (constant operands ride along as in `pick`). Empty operands
 * contribute nothing.
 */
export const Concat: OpHandler = (ctx, node) => {
  const all = node.inputs.map((_, i) => ctx.operand(node, i));
  const r = all[0]!.shape.length;
  const axis = normAxis(ctx, node, ctx.int(node, "axis", ctx.opset < 4 ? 1 : 0), r); // axis defaulted to 1 before opset 4
  for (const t of all) {
    if (t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== all[0]!.shape[i])) {
      throw ctx.error(node, `inputs ${all.map((t) => shapeStr(t.shape)).join(", ")} differ outside axis ${axis}`);
    }
  }
  const ins = all.filter((t) => sizeOf(t.shape) > 0);
  if (ins.length === 0) throw ctx.unsupported(node, "every input is empty");
  const shape = [...ins[0]!.shape];
  shape[axis] = ins.reduce((n, t) => n + t.shape[axis]!, 0);
  const from = new Int32Array(sizeOf(shape));
  const at = new Int32Array(from.length);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  let o = 0;
  for (let a = 0; a < outer; a++) {
    ins.forEach((t, k) => {
      const chunk = t.shape[axis]! * inner;
      for (let j = 0; j < chunk; j++, o++) {
        from[o] = k;
        at[o] = a * chunk + j;
      }
    });
  }
  pick(ctx, node, ins, from, at, shape, node.outputs[0]!);
};

export const Pad: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  const mode = ctx.string(node, "mode", "constant");
  if (mode !== "constant") throw ctx.unsupported(node, `pad mode "${mode}" (only constant)`);
  let pads: number[];
  let value = 0;
  let axes = [...Array(r).keys()];
  if (ctx.opset >= 11) {
    pads = Array.from(ctx.constant(node, 1, "pads").data);
    const v = ctx.optionalOperand(node, 2);
    if (v) {
      if (!v.constant) throw ctx.unsupported(node, "a computed pad value");
      value = v.constant.data[0] ?? 0;
    }
    if (node.inputs[3]) axes = Array.from(ctx.constant(node, 3, "axes").data).map((a) => normAxis(ctx, node, a, r));
  } else {
    pads = ctx.ints(node, ctx.opset >= 2 ? "pads" : "paddings", null) ?? []; // renamed at opset 2
    value = ctx.float(node, "value", 0);
  }
  if (pads.length !== 2 * axes.length) throw ctx.error(node, `pads has ${pads.length} values for ${axes.length} axes`);
  const padded = [...x.shape];
  axes.forEach((ax, i) => (padded[ax] = x.shape[ax]! + pads[i]! + pads[i + axes.length]!));
  if (padded.some((d) => !(d > 0))) throw ctx.error(node, `pads [${pads.join(", ")}] leave an empty axis`);
  ctx.checkSize(node, padded);
  const coords = identityCoords(x.shape);
  axes.forEach((ax, i) => {
    const before = pads[i]!,
      after = pads[i + axes.length]!;
    const d = x.shape[ax]!;
    const idx: number[] = [];
    for (let c = -before; c < d + after; c++) idx.push(c >= 0 && c < d ? c : -1);
    if (idx.length <= 0) throw ctx.error(node, `pads remove all of axis ${ax}`);
    coords[ax] = Int32Array.from(idx);
  });
  const { map, shape } = axisMap(x.shape, coords);
  ctx.emit(node, { kind: "select", map, fill: value }, [x], shape, node.outputs[0]!);
};
