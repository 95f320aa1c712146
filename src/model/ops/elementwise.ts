/**
 * Elementwise ops built from existing primitives, constants folding as usual:
 *   Neg        x · −1 (`affine`, free)
 *   Abs        |x| = 2·relu(x) − x: one ReLU, then free arithmetic (relu(x) + relu(−x) would
 *              cost two, and the second's negation would rescale x first)
 *   Max, Min   two computed operands: max(a, b) = a + relu(b − a), min(a, b) = a − relu(a − b);
 *              a scalar constant c: Clip(x, c, ∞) / Clip(x, −∞, c); a constant tensor c:
 *              max(x, c) = relu(x − c) + c, min(x, c) = x − relu(x − c). Variadic forms fold
 *              their constants together first, then pairwise, left to right.
 *   Pow        a constant exponent, one value for every element: 2 is x · x (`mul`, one
 *              constraint), 3 is (x · x) · x, 0.5, −0.5 and −1 are `invert` (√x, 1/√x, 1/x:
 *              the quantizer checks the base's sign), 1 is x itself and 0 the constant 1;
 *              other exponents are refused by value; constants fold
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { InvertFn, Tensor } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { broadcastBinary, broadcastIndex, broadcastShapes, sameShape, shapeStr } from "../shapes.js";

const MINUS_ONE: Tensor = { shape: [1], data: new Float64Array([-1]) };
const TWO: Tensor = { shape: [1], data: new Float64Array([2]) };
const negated = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map((v) => -v) });

export const Neg: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  if (x.constant) {
    ctx.setConstant(node.outputs[0]!, { ...negated(x.constant), dataType: x.constant.dataType });
    return;
  }
  ctx.emit(node, { kind: "affine", mul: MINUS_ONE, add: null }, [x], x.shape, node.outputs[0]!);
};

export const Abs: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  if (x.constant) {
    const data = x.constant.data.map(Math.abs);
    ctx.setConstant(node.outputs[0]!, { shape: x.shape, data, dataType: x.constant.dataType });
    return;
  }
  const r = ctx.emit(node, { kind: "relu" }, [x], x.shape);
  const r2 = ctx.emit(node, { kind: "affine", mul: TWO, add: null }, [r], x.shape);
  ctx.emit(node, { kind: "add", sign: -1 }, [r2, x], x.shape, node.outputs[0]!);
};

type Extreme = "max" | "min";

/** max or min of two operands, at least one computed. */
function extreme(ctx: ImportContext, node: OnnxNode, which: Extreme, a: Operand, b: Operand, name?: string): Operand {
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw ctx.error(node, `operand shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not broadcast`);
  const [x, c] = a.constant ? [b, a.constant] : [a, b.constant];
  if (!c) {
    // max(a, b) = a + relu(b − a); min(a, b) = a − relu(a − b)
    const d =
      which === "max"
        ? ctx.emit(node, { kind: "add", sign: -1 }, [b, a], shape)
        : ctx.emit(node, { kind: "add", sign: -1 }, [a, b], shape);
    const r = ctx.emit(node, { kind: "relu" }, [d], shape);
    return ctx.emit(node, { kind: "add", sign: which === "max" ? 1 : -1 }, [a, r], shape, name);
  }
  if (c.data.length === 1 && sameShape(shape, x.shape)) {
    const v = c.data[0]!;
    const [lo, hi] = which === "max" ? [v, Infinity] : [-Infinity, v];
    return ctx.emit(node, { kind: "clip", lo, hi }, [x], shape, name);
  }
  // max(x, c) = relu(x − c) + c; min(x, c) = x − relu(x − c)
  const d = ctx.emit(node, { kind: "affine", mul: null, add: negated(c) }, [x], shape);
  const r = ctx.emit(node, { kind: "relu" }, [d], shape);
  if (which === "max") return ctx.emit(node, { kind: "affine", mul: null, add: c }, [r], shape, name);
  return ctx.emit(node, { kind: "add", sign: -1 }, [x, r], shape, name);
}

function variadic(which: Extreme): OpHandler {
  return (ctx, node) => {
    const all = node.inputs.flatMap((_, i) => ctx.optionalOperand(node, i) ?? []);
    if (all.length === 0) throw ctx.error(node, "needs at least one input");
    const out = node.outputs[0]!;
    const f = which === "max" ? Math.max : Math.min;
    // the constants first, folded into one (numpy broadcasting)
    let c: Tensor | null = null;
    for (const t of all.filter((t) => t.constant)) {
      if (!c) c = t.constant;
      else {
        const shape = broadcastShapes(c.shape, t.shape);
        if (!shape)
          throw ctx.error(node, `operand shapes ${shapeStr(c.shape)} and ${shapeStr(t.shape)} do not broadcast`);
        c = { shape, data: broadcastBinary(c, t.constant!, shape, f), dataType: c.dataType };
      }
    }
    const computed = all.filter((t) => !t.constant);
    if (computed.length === 0) {
      ctx.setConstant(out, c!);
      return;
    }
    if (computed.length === 1 && !c) {
      ctx.alias(out, computed[0]!);
      return;
    }
    let acc = computed[0]!;
    const rest: Operand[] = [
      ...computed.slice(1),
      ...(c ? [{ name: `${node.name} constants`, shape: c.shape, constant: c }] : []),
    ];
    rest.forEach((t, i) => (acc = extreme(ctx, node, which, acc, t, i === rest.length - 1 ? out : undefined)));
  };
}

export const Max = variadic("max");
export const Min = variadic("min");

/** The exponents Pow lowers, and to what (see the header). */
const POW_FORMS: ReadonlyMap<number, "one" | "identity" | "square" | "cube" | InvertFn> = new Map([
  [0, "one"],
  [1, "identity"],
  [2, "square"],
  [3, "cube"],
  [0.5, "sqrt"],
  [-0.5, "rsqrt"],
  [-1, "recip"],
] as const);

export const Pow: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const e = ctx.operand(node, 1);
  const out = node.outputs[0]!;
  const shape = broadcastShapes(x.shape, e.shape);
  if (!shape) throw ctx.error(node, `operand shapes ${shapeStr(x.shape)} and ${shapeStr(e.shape)} do not broadcast`);
  if (!e.constant) throw ctx.unsupported(node, `a computed exponent ("${e.name}")`);
  if (x.constant) {
    const data = broadcastBinary(x.constant, e.constant, shape, Math.pow);
    ctx.setConstant(out, { shape, data, dataType: x.constant.dataType });
    return;
  }
  const p = e.constant.data[0];
  const form = p === undefined ? undefined : POW_FORMS.get(p);
  if (!form || e.constant.data.some((v) => v !== p)) {
    const shown = [...new Set(e.constant.data)].slice(0, 4).join(", ");
    throw ctx.unsupported(
      node,
      `exponent ${shown}: a constant exponent must be one of ${[...POW_FORMS.keys()].join(", ")} for every element`,
    );
  }
  if (form === "one") {
    ctx.setConstant(out, { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1) });
    return;
  }
  // an exponent that broadcasts x to a larger shape: spread x first
  const base = sameShape(shape, x.shape)
    ? x
    : ctx.emit(node, { kind: "select", map: broadcastIndex(x.shape, shape), fill: 0 }, [x], shape);
  switch (form) {
    case "identity":
      ctx.alias(out, base);
      return;
    case "square":
      ctx.emit(node, { kind: "mul" }, [base, base], shape, out);
      return;
    case "cube": {
      const sq = ctx.emit(node, { kind: "mul" }, [base, base], shape);
      ctx.emit(node, { kind: "mul" }, [sq, base], shape, out);
      return;
    }
    default:
      ctx.emit(node, { kind: "invert", fn: form }, [base], shape, out);
  }
};
