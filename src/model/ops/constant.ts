/** Constant, ConstantOfShape, Range, Shape, Size and Cast: values known at import time. */
import type { ImportContext, OpHandler } from "../context.js";
import { DataType, type OnnxNode } from "../onnx.js";
import { sizeOf } from "../shapes.js";

export const Constant: OpHandler = (ctx, node) => {
  const out = node.outputs[0]!;
  const t = ctx.tensorAttr(node, "value");
  if (t) {
    ctx.setConstant(out, t);
    return;
  }
  const f = node.attrs.get("value_float");
  const fs = node.attrs.get("value_floats");
  const i = node.attrs.get("value_int");
  const is = node.attrs.get("value_ints");
  if (typeof f === "number" || typeof i === "number") {
    ctx.setConstant(out, { shape: [], data: new Float64Array([(f ?? i) as number]) });
  } else if (Array.isArray(fs) || Array.isArray(is)) {
    const v = ((fs ?? is) as number[]).map(Number);
    ctx.setConstant(out, { shape: [v.length], data: Float64Array.from(v) });
  } else {
    throw ctx.unsupported(
      node,
      `only tensor, float and int constants are supported (attributes: ${[...node.attrs.keys()].join(", ") || "none"})`,
    );
  }
};

export const Shape: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const r = x.shape.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clamp(ctx.int(node, "start", 0));
  const end = clamp(ctx.int(node, "end", r));
  const dims = x.shape.slice(start, end);
  ctx.setConstant(node.outputs[0]!, { shape: [dims.length], data: Float64Array.from(dims), dataType: DataType.INT64 });
};

/** Size: the input's element count, an int64 scalar (shapes are static, so it is a constant). */
export const Size: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  ctx.setConstant(node.outputs[0]!, { shape: [], data: Float64Array.of(sizeOf(x.shape)), dataType: DataType.INT64 });
};

/**
 * ConstantOfShape: a tensor of the given (constant) shape filled with `value` (default float
 * 0). PyTorch's F.pad builds its pads list with it.
 */
export const ConstantOfShape: OpHandler = (ctx, node) => {
  const dims = Array.from(ctx.constant(node, 0, "the shape").data);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw ctx.error(node, `invalid shape [${dims.join(", ")}]`);
  ctx.checkSize(node, dims);
  const value = ctx.tensorAttr(node, "value");
  if (value && value.data.length !== 1) throw ctx.error(node, `value must hold one element, not ${value.data.length}`);
  const data = new Float64Array(sizeOf(dims)).fill(value?.data[0] ?? 0);
  ctx.setConstant(node.outputs[0]!, { shape: dims, data, dataType: value?.dataType ?? DataType.FLOAT });
};

/** Cast's `to` before opset 6 was a type name ("FLOAT", "INT64"), from 6 on the enum value. */
function castTarget(ctx: ImportContext, node: OnnxNode): number {
  const to = node.attrs.get("to");
  if (typeof to !== "string") return ctx.int(node, "to", DataType.FLOAT);
  const type = (DataType as Record<string, number>)[to.toUpperCase()];
  if (type === undefined) throw ctx.unsupported(node, `cast to type "${to}"`);
  return type;
}

/** Cast: numeric casts of constants (shape arithmetic); a computed tensor may only be cast to a float type. */
export const Cast: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const to = castTarget(ctx, node);
  const FLOATS = [1, 10, 11, 16];
  if (x.constant) {
    const data = FLOATS.includes(to)
      ? x.constant.data
      : x.constant.data.map((v) => (to === 9 ? (v !== 0 ? 1 : 0) : Math.trunc(v)));
    ctx.setConstant(node.outputs[0]!, { shape: x.shape, data, dataType: to });
  } else if (FLOATS.includes(to)) {
    ctx.alias(node.outputs[0]!, x);
  } else {
    throw ctx.unsupported(node, `casting a computed tensor to type ${to} (only to float types)`);
  }
};

/** Range (opset 11): start, start + delta, … up to (not including) limit, from constant scalars. */
export const Range: OpHandler = (ctx, node) => {
  const [start, limit, delta] = ["start", "limit", "delta"].map((role, i) => {
    const op = ctx.operand(node, i);
    if (!op.constant)
      throw ctx.unsupported(
        node,
        `${role} ("${op.name}") is computed from the model input: the output's length would depend on the input, and a circuit's shapes are static`,
      );
    const t = op.constant;
    if (t.data.length !== 1) throw ctx.error(node, `${role} must be a scalar, got ${t.data.length} values`);
    return { value: t.data[0]!, type: t.dataType };
  }) as [{ value: number; type?: number }, { value: number }, { value: number }];
  if (delta.value === 0) throw ctx.error(node, "delta is 0");
  const n = Math.max(Math.ceil((limit.value - start.value) / delta.value), 0);
  ctx.checkSize(node, [n]);
  const data = Float64Array.from({ length: n }, (_, i) => start.value + i * delta.value);
  ctx.setConstant(node.outputs[0]!, { shape: [n], data, dataType: start.type ?? DataType.FLOAT });
};
