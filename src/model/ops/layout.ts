/** Ops that only rename or reshape a value: Identity, Dropout, Flatten, Reshape, Squeeze, Unsqueeze. */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { shapeStr, sizeOf } from "../shapes.js";

export const Identity: OpHandler = (ctx, node) => ctx.alias(node.outputs[0]!, ctx.operand(node, 0));

/** Dropout is the identity at inference; its optional mask output is not supported. */
export const Dropout: OpHandler = (ctx, node) => {
  if (node.outputs.length > 1 && node.outputs[1]) throw ctx.unsupported(node, "the mask output is not supported");
  ctx.alias(node.outputs[0]!, ctx.operand(node, 0));
};

function reshapeTo(ctx: ImportContext, node: OnnxNode, x: Operand, shape: number[]): void {
  if (sizeOf(shape) !== sizeOf(x.shape)) {
    throw ctx.error(node, `cannot reshape ${shapeStr(x.shape)} (${sizeOf(x.shape)} values) to ${shapeStr(shape)}`);
  }
  ctx.emit(node, { kind: "reshape" }, [x], shape, node.outputs[0]!);
}

function normAxis(ctx: ImportContext, node: OnnxNode, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw ctx.error(node, `axis ${axis} is out of range for rank ${rank}`);
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
  const spec = Array.from(ctx.constant(node, 1, "the target shape").data);
  const allowZero = ctx.int(node, "allowzero", 0) === 1;
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? (x.shape[i] ?? NaN) : d));
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw ctx.error(node, `target shape [${spec.join(", ")}] has more than one -1`);
  if (unknown === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    const total = sizeOf(x.shape);
    if (known === 0 || total % known !== 0) throw ctx.error(node, `cannot reshape ${shapeStr(x.shape)} to [${spec.join(", ")}]`);
    shape[shape.indexOf(-1)] = total / known;
  }
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw ctx.error(node, `invalid target shape [${spec.join(", ")}] for input ${shapeStr(x.shape)}`);
  reshapeTo(ctx, node, x, shape);
};

/** Squeeze/Unsqueeze take axes as an attribute before opset 13 and as input 2 from 13 on. */
function axesOf(ctx: ImportContext, node: OnnxNode): number[] | null {
  if (ctx.opset >= 13 && node.inputs.length > 1 && node.inputs[1]) return Array.from(ctx.constant(node, 1, "axes").data);
  return ctx.ints(node, "axes", null);
}

export const Squeeze: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const axes = axesOf(ctx, node);
  const drop = new Set((axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis(ctx, node, a, x.shape.length)));
  for (const a of drop) if (x.shape[a] !== 1) throw ctx.error(node, `cannot squeeze axis ${a} of size ${x.shape[a]}`);
  reshapeTo(ctx, node, x, x.shape.filter((_, i) => !drop.has(i)));
};

export const Unsqueeze: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const axes = axesOf(ctx, node);
  if (!axes) throw ctx.error(node, "axes are required");
  const rank = x.shape.length + axes.length;
  const ins = new Set(axes.map((a) => normAxis(ctx, node, a, rank)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(ins.has(i) ? 1 : x.shape[j++]!);
  reshapeTo(ctx, node, x, shape);
};
