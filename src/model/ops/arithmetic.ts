/** Add, Sub, Mul, Div where one operand is a constant: the `affine` primitive (x·mul + add). */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { Tensor } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { broadcastShapes, shapeStr } from "../shapes.js";

function operands(ctx: ImportContext, node: OnnxNode): { x: Operand; c: Tensor; constFirst: boolean; shape: number[] } {
  const a = ctx.operand(node, 0);
  const b = ctx.operand(node, 1);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw ctx.error(node, `operand shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not broadcast`);
  if (a.constant && b.constant) return { x: a, c: b.constant, constFirst: false, shape };
  if (b.constant) return { x: a, c: b.constant, constFirst: false, shape };
  if (a.constant) return { x: b, c: a.constant, constFirst: true, shape };
  throw ctx.unsupported(node, `both operands ("${a.name}", "${b.name}") are computed; one must be a constant in this version`);
}

const neg = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map((v) => -v) });

export const Add: OpHandler = (ctx, node) => {
  const { x, c, shape } = operands(ctx, node);
  ctx.emit(node, { kind: "affine", mul: null, add: c }, [x], shape, node.outputs[0]!);
};

export const Sub: OpHandler = (ctx, node) => {
  const { x, c, constFirst, shape } = operands(ctx, node);
  const op = constFirst
    ? { kind: "affine" as const, mul: { shape: [1], data: new Float64Array([-1]) }, add: c }
    : { kind: "affine" as const, mul: null, add: neg(c) };
  ctx.emit(node, op, [x], shape, node.outputs[0]!);
};

export const Mul: OpHandler = (ctx, node) => {
  const { x, c, shape } = operands(ctx, node);
  ctx.emit(node, { kind: "affine", mul: c, add: null }, [x], shape, node.outputs[0]!);
};

export const Div: OpHandler = (ctx, node) => {
  const { x, c, constFirst, shape } = operands(ctx, node);
  if (constFirst && !x.constant) throw ctx.unsupported(node, "division by a computed tensor is not supported");
  if (c.data.some((v) => v === 0)) throw ctx.error(node, "division by a constant that contains zero");
  ctx.emit(node, { kind: "affine", mul: { shape: c.shape, data: c.data.map((v) => 1 / v) }, add: null }, [x], shape, node.outputs[0]!);
};
