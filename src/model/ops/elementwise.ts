/**
 * Elementwise ops built from existing primitives, constants folding as usual:
 *   Neg        x · −1 (`affine`, free)
 *   Abs        |x| = 2·relu(x) − x: one ReLU, then free arithmetic (relu(x) + relu(−x) would
 *              cost two, and the second's negation would rescale x first)
 *   Max, Min   two computed operands: max(a, b) = a + relu(b − a), min(a, b) = a − relu(a − b);
 *              a scalar constant c: Clip(x, c, ∞) / Clip(x, −∞, c); a constant tensor c:
 *              max(x, c) = relu(x − c) + c, min(x, c) = x − relu(x − c). Variadic forms fold
 *              their constants together first, then pairwise, left to right.
 *   Pow        a constant exponent: an integer n with 2 ≤ |n| ≤ 16 is x^|n| by squaring (`mul`,
 *              one constraint per element each; 2 is x · x, 3 is (x · x) · x), and 1/that
 *              for a negative n; 0.5, −0.5 and −1 are `invert` (√x, 1/√x, 1/x: the quantizer
 *              checks the base's sign), 1 is x itself and 0 the constant 1. Exponents that
 *              differ between elements: each distinct one over the elements that have it
 *              (selects, free), then one select puts them back in place. Other exponents
 *              are refused by value; constants fold
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

/** The exponents Pow lowers besides integers (see the header). */
const POW_INVERTS: ReadonlyMap<number, InvertFn> = new Map([
  [0.5, "sqrt"],
  [-0.5, "rsqrt"],
  [-1, "recip"],
] as const);
/** The largest |integer exponent|: x^16 is four squarings. */
const MAX_POW = 16;

function powSupported(p: number): boolean {
  return POW_INVERTS.has(p) || (Number.isInteger(p) && Math.abs(p) <= MAX_POW);
}

/** x^p for a supported p ≠ 0 (powSupported), into `name` if given. */
function power(ctx: ImportContext, node: OnnxNode, x: Operand, p: number, name?: string): Operand {
  const inv = POW_INVERTS.get(p);
  if (inv) return ctx.emit(node, { kind: "invert", fn: inv }, [x], x.shape, name);
  const n = Math.abs(p);
  if (n === 1 && name === undefined) return x;
  // binary exponentiation: x^n from the squares x, x², x⁴, … for n's bits, low first
  let result: Operand | null = null,
    sq = x;
  for (let k = n; k > 0; k >>= 1) {
    if (k & 1) {
      const last = k === 1 && p > 0 ? name : undefined;
      result = result ? ctx.emit(node, { kind: "mul" }, [sq, result], x.shape, last) : sq;
    }
    if (k > 1) sq = ctx.emit(node, { kind: "mul" }, [sq, sq], x.shape);
  }
  if (p < 0) return ctx.emit(node, { kind: "invert", fn: "recip" }, [result!], x.shape, name);
  if (name !== undefined && result!.name !== name) ctx.alias(name, result!);
  return result!;
}

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
  // the exponent per output element (broadcast to the output's shape)
  const exps = Float64Array.from(broadcastIndex(e.shape, shape), (i) => e.constant!.data[i]!);
  const distinct = [...new Set(exps)];
  const bad = distinct.filter((p) => !powSupported(p));
  if (bad.length > 0)
    throw ctx.unsupported(
      node,
      `exponent ${bad.slice(0, 4).join(", ")}: a constant exponent must be an integer in −${MAX_POW}..${MAX_POW}, 0.5 or −0.5`,
    );
  const n = exps.length;
  if (distinct.length === 1 && distinct[0] === 0) {
    ctx.setConstant(out, { shape, data: new Float64Array(n).fill(1) });
    return;
  }
  // an exponent that broadcasts x to a larger shape: spread x first
  const xAt = broadcastIndex(x.shape, shape);
  if (distinct.length === 1) {
    const base = sameShape(shape, x.shape) ? x : ctx.emit(node, { kind: "select", map: xAt, fill: 0 }, [x], shape);
    power(ctx, node, base, distinct[0]!, out);
    return;
  }
  // exponents that differ: each over its own elements, then one select puts them in place
  // (x^0 = 1 is the select's fill)
  const map = new Int32Array(n).fill(-1);
  const parts: Operand[] = [];
  let offset = 0;
  for (const p of distinct.filter((v) => v !== 0)) {
    const at = [...exps.keys()].filter((i) => exps[i] === p);
    const picked = ctx.emit(
      node,
      { kind: "select", map: Int32Array.from(at, (i) => xAt[i]!), fill: 0 },
      [x],
      [at.length],
    );
    parts.push(power(ctx, node, picked, p));
    at.forEach((i, k) => (map[i] = offset + k));
    offset += at.length;
  }
  ctx.emit(node, { kind: "select", map, fill: 1 }, parts, shape, out);
};
