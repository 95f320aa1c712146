/**
 * Add, Sub, Mul, Div. With a constant operand they are the `affine` primitive (free in the
 * circuit); with two computed operands Add/Sub are `add` (also free) and Mul is `mul` (one
 * constraint per element). Division by a constant is an affine; by a computed tensor it is the
 * division gadget, and a constant over a computed tensor is its reciprocal. Sqrt and Reciprocal
 * are `invert` (gadgets/invert.ts).
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { Tensor } from "../graph.js";
import { isIntegerType, type OnnxNode } from "../onnx.js";
import { broadcastBinary, broadcastShapes, shapeStr } from "../shapes.js";
import { normAxis } from "./layout.js";

interface Operands {
  a: Operand;
  b: Operand;
  shape: number[];
}

function operands(ctx: ImportContext, node: OnnxNode): Operands {
  const a = ctx.operand(node, 0);
  const b = legacyBroadcast(ctx, node, a, ctx.operand(node, 1));
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw ctx.error(node, `operand shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not broadcast`);
  return { a, b, shape };
}

/**
 * Before opset 7 these ops broadcast only with broadcast=1, and then B's shape lines up with
 * A's from `axis` on (numpy lines it up with A's last axes): giving B trailing 1s makes numpy
 * broadcasting read the same elements. Without broadcast=1 the shapes are equal, where numpy
 * agrees anyway.
 */
function legacyBroadcast(ctx: ImportContext, node: OnnxNode, a: Operand, b: Operand): Operand {
  if (ctx.opset >= 7 || ctx.int(node, "broadcast", 0) !== 1 || !node.attrs.has("axis")) return b;
  const axis = normAxis(ctx, node, ctx.int(node, "axis", 0), a.shape.length);
  const trailing = a.shape.length - axis - b.shape.length;
  if (trailing < 0)
    throw ctx.error(node, `B ${shapeStr(b.shape)} does not fit A ${shapeStr(a.shape)} from axis ${axis}`);
  if (trailing === 0) return b;
  const shape = [...b.shape, ...new Array<number>(trailing).fill(1)];
  if (b.constant) return { name: b.name, shape, constant: { ...b.constant, shape } };
  return ctx.emit(node, { kind: "reshape" }, [b], shape);
}

const isOne = (t: Tensor): boolean => t.data.every((v) => v === 1);
const neg = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map((v) => -v) });
const MINUS_ONE: Tensor = { shape: [1], data: new Float64Array([-1]) };

export const Add: OpHandler = (ctx, node) => {
  const { a, b, shape } = operands(ctx, node);
  const out = node.outputs[0]!;
  if (b.constant) ctx.emit(node, { kind: "affine", mul: null, add: b.constant }, [a], shape, out);
  else if (a.constant) ctx.emit(node, { kind: "affine", mul: null, add: a.constant }, [b], shape, out);
  else ctx.emit(node, { kind: "add", sign: 1 }, [a, b], shape, out);
};

export const Sub: OpHandler = (ctx, node) => {
  const { a, b, shape } = operands(ctx, node);
  const out = node.outputs[0]!;
  if (b.constant) ctx.emit(node, { kind: "affine", mul: null, add: neg(b.constant) }, [a], shape, out);
  else if (a.constant) ctx.emit(node, { kind: "affine", mul: MINUS_ONE, add: a.constant }, [b], shape, out);
  else ctx.emit(node, { kind: "add", sign: -1 }, [a, b], shape, out);
};

export const Mul: OpHandler = (ctx, node) => {
  const { a, b, shape } = operands(ctx, node);
  const out = node.outputs[0]!;
  if (b.constant) ctx.emit(node, { kind: "affine", mul: b.constant, add: null }, [a], shape, out);
  else if (a.constant) ctx.emit(node, { kind: "affine", mul: a.constant, add: null }, [b], shape, out);
  else ctx.emit(node, { kind: "mul" }, [a, b], shape, out);
};

export const Div: OpHandler = (ctx, node) => {
  const { a, b, shape } = operands(ctx, node);
  const out = node.outputs[0]!;
  if (!b.constant) {
    // by a computed tensor: the quantizer checks that it is bounded away from 0 (and names it if not)
    if (!a.constant) {
      ctx.emit(node, { kind: "div" }, [a, b], shape, out);
      return;
    }
    // a constant over a computed tensor: its reciprocal, times the constant (1: the reciprocal)
    const direct = isOne(a.constant) && shapeStr(shape) === shapeStr(b.shape);
    const r = ctx.emit(node, { kind: "invert", fn: "recip" }, [b], b.shape, direct ? out : undefined);
    if (!direct) ctx.emit(node, { kind: "affine", mul: a.constant, add: null }, [r], shape, out);
    return;
  }
  if (b.constant.data.some((v) => v === 0)) throw ctx.error(node, "division by a constant that contains zero");
  if (a.constant && isIntegerType(a.constant.dataType)) {
    // ONNX divides integers with truncation: shape arithmetic such as chunk's (C + 1) / 2 must
    // give 24 for C = 48, not the 24.5 that multiplying by 1/2 would (a 25-channel slice)
    const data = broadcastBinary(a.constant, b.constant, shape, (x, y) => Math.trunc(x / y));
    ctx.setConstant(node.outputs[0]!, { shape, data, dataType: a.constant.dataType });
    return;
  }
  ctx.emit(
    node,
    { kind: "affine", mul: { shape: b.constant.shape, data: b.constant.data.map((v) => 1 / v) }, add: null },
    [a],
    shape,
    node.outputs[0]!,
  );
};

/** √x: the quantizer checks x ≥ 0 for every accepted input (and names the node if not). */
export const Sqrt: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  ctx.emit(node, { kind: "invert", fn: "sqrt" }, [x], x.shape, node.outputs[0]!);
};

/** 1/x: the quantizer checks that x is bounded above 0. */
export const Reciprocal: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  ctx.emit(node, { kind: "invert", fn: "recip" }, [x], x.shape, node.outputs[0]!);
};
