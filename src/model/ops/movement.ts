/**
 * More data movement, each output element one input element (free in the circuit):
 *   Split   one `select` (a slice) per output;
 *   Expand  numpy broadcasting to the given shape, a select;
 *   Tile    output coordinate c along an axis of size d reads c mod d, a select;
 *   Where   with a constant condition, each element picks X or Y: one select over the computed
 *           operands, a constant operand riding along as in Concat (`pick`).
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { broadcastIndex, broadcastShapes, sameShape, shapeStr, sizeOf } from "../shapes.js";
import { axisMap } from "../indexing.js";
import { normAxis } from "./layout.js";
import { pick } from "./util.js";

/** An integer list from a constant input, or null where the input is absent. */
function intsInput(ctx: ImportContext, node: OnnxNode, i: number, role: string): number[] | null {
  if (!node.inputs[i]) return null;
  const v = Array.from(ctx.constant(node, i, role).data);
  if (v.some((d) => !Number.isInteger(d))) throw ctx.error(node, `${role} must be integers, got [${v.join(", ")}]`);
  return v;
}

/** The part sizes: `split` (an attribute before opset 13, an input since), else num_outputs (18) or equal parts. */
function splitSizes(ctx: ImportContext, node: OnnxNode, d: number, parts: number): number[] {
  // opset 1 took split as an attribute or a second input
  const given =
    ctx.opset >= 13
      ? intsInput(ctx, node, 1, "split")
      : (ctx.ints(node, "split", null) ?? intsInput(ctx, node, 1, "split"));
  if (given) {
    if (given.length !== parts || given.some((s) => s < 0) || given.reduce((a, b) => a + b, 0) !== d)
      throw ctx.error(node, `split [${given.join(", ")}] does not cut an axis of ${d} into ${parts} outputs`);
    return given;
  }
  const n = ctx.opset >= 18 ? ctx.int(node, "num_outputs", parts) : parts;
  if (n !== parts) throw ctx.error(node, `num_outputs=${n} but the node has ${parts} outputs`);
  if (ctx.opset < 18 && d % n !== 0) throw ctx.error(node, `an axis of ${d} does not split into ${n} equal parts`);
  // opset 18: ceil(d / n) each, the last part smaller
  const size = Math.ceil(d / n);
  return Array.from({ length: n }, (_, k) => Math.max(0, Math.min(size, d - k * size)));
}

export const Split: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const axis = normAxis(ctx, node, ctx.int(node, "axis", 0), x.shape.length);
  const sizes = splitSizes(ctx, node, x.shape[axis]!, node.outputs.length);
  let begin = 0;
  node.outputs.forEach((out, k) => {
    const size = sizes[k]!;
    const coords = x.shape.map((d) => Int32Array.from({ length: d }, (_, i) => i));
    coords[axis] = Int32Array.from({ length: size }, (_, i) => begin + i);
    begin += size;
    if (!out) return;
    const shape = coords.map((c) => c.length);
    // an empty part (split 0) has no values: a constant, as an empty Slice is
    if (size === 0) ctx.setConstant(out, { shape, data: new Float64Array(0) });
    else ctx.emit(node, { kind: "select", map: axisMap(x.shape, coords).map, fill: 0 }, [x], shape, out);
  });
};

export const Expand: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const target = intsInput(ctx, node, 1, "shape")!;
  const shape = broadcastShapes(x.shape, target);
  if (!shape) throw ctx.error(node, `input ${shapeStr(x.shape)} does not broadcast to [${target.join(", ")}]`);
  if (sameShape(shape, x.shape)) ctx.alias(node.outputs[0]!, x);
  else {
    ctx.checkSize(node, shape);
    ctx.emit(node, { kind: "select", map: broadcastIndex(x.shape, shape), fill: 0 }, [x], shape, node.outputs[0]!);
  }
};

/** Tile's repeats: an input since opset 6; before, a count and an axis (inputs 2 and 3). */
function repeatsOf(ctx: ImportContext, node: OnnxNode, rank: number): number[] {
  if (ctx.opset >= 6) return intsInput(ctx, node, 1, "repeats") ?? [];
  const tiles = intsInput(ctx, node, 1, "tiles") ?? [];
  const axis = intsInput(ctx, node, 2, "axis") ?? [];
  if (tiles.length !== 1 || axis.length !== 1) throw ctx.error(node, "tiles and axis must be scalars");
  const repeats = new Array<number>(rank).fill(1);
  repeats[normAxis(ctx, node, axis[0]!, rank)] = tiles[0]!;
  return repeats;
}

export const Tile: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const repeats = repeatsOf(ctx, node, x.shape.length);
  if (repeats.length !== x.shape.length || repeats.some((r) => r < 0))
    throw ctx.error(node, `repeats [${repeats.join(", ")}] must be ${x.shape.length} non-negative integers`);
  const coords = x.shape.map((d, a) => Int32Array.from({ length: d * repeats[a]! }, (_, c) => c % d));
  const shape = coords.map((c) => c.length);
  if (sizeOf(shape) === 0) {
    ctx.setConstant(node.outputs[0]!, { shape, data: new Float64Array(0) });
    return;
  }
  ctx.checkSize(node, shape);
  ctx.emit(node, { kind: "select", map: axisMap(x.shape, coords).map, fill: 0 }, [x], shape, node.outputs[0]!);
};

export const Where: OpHandler = (ctx, node) => {
  const cond = ctx.operand(node, 0);
  if (!cond.constant)
    throw ctx.unsupported(node, `a computed condition ("${cond.name}"); only a constant condition is supported`);
  const operands: Operand[] = [ctx.operand(node, 1), ctx.operand(node, 2)];
  const shape = [cond, ...operands].reduce<number[] | null>((s, t) => s && broadcastShapes(s, t.shape), []);
  if (!shape)
    throw ctx.error(node, `shapes ${[cond, ...operands].map((t) => shapeStr(t.shape)).join(", ")} do not broadcast`);
  ctx.checkSize(node, shape);
  const ci = broadcastIndex(cond.shape, shape);
  const [xi, yi] = operands.map((t) => broadcastIndex(t.shape, shape)) as [Int32Array, Int32Array];
  const from = new Int32Array(ci.length);
  const at = new Int32Array(ci.length);
  for (let i = 0; i < ci.length; i++) {
    const takeX = cond.constant.data[ci[i]!] !== 0;
    from[i] = takeX ? 0 : 1;
    at[i] = takeX ? xi[i]! : yi[i]!;
  }
  pick(ctx, node, operands, from, at, shape, node.outputs[0]!);
};
