/**
 * One quantization rule per float primitive: pick the output scale, quantize the constants,
 * compute bounds (quantize/bounds.ts) and the error bound against the float model.
 *
 * Scale discipline: linear ops multiply scales and leave an "accumulator" above its target
 * scale; it is rescaled (`settle`) only when something needs a settled value: a comparison
 * (max, argmax), a product of two computed tensors, a division, or the next multiplication
 * by weights. Activations fuse into the rescale. Adds align the lower scale up (free).
 */
import type { InvertFn, Node, PrimOp, Tensor } from "../model/graph.js";
import { broadcastIndex, sizeOf } from "../model/shapes.js";
import { matmulLayout } from "../model/indexing.js";
import { slopeBound } from "../model/functions.js";
import { ZkError } from "../errors.js";
import type { QuantizeContext, Live } from "./context.js";
import type { Activation } from "./qgraph.js";
import {
  addBounds,
  affineBounds,
  convBounds,
  divBounds,
  freeLinearBounds,
  gemmBounds,
  matmulBounds,
  mulBounds,
  requantBounds,
  selectBounds,
  squareBounds,
  sumBounds,
  type Interval,
  type Bounds,
} from "./bounds.js";
import { admittedRange, constError, dotError, paramScale, quantizeTensor } from "./params.js";
import type { IntTensor } from "./qgraph.js";
import { fitPoly } from "./poly.js";
import { rescale } from "./layout.js";
import { evalPoly, invertInt } from "./reference.js";
import { assertNever } from "../util/never.js";

/** Bits for internal multipliers (QDQ's 1/scale and scale): enough to keep their rounding far below a grid step. */
const MULTIPLIER_BITS = 20;
/** A linear layer takes an input up to this many bits above its target scale without rescaling it first. */
const LINEAR_SLACK = 4;

type Op<K extends PrimOp["kind"]> = Extract<PrimOp, { kind: K }>;

export function quantizeNode(ctx: QuantizeContext, node: Node): void {
  const ins = node.inputs.map((n) => ctx.get(n));
  const shape = ctx.graph.shapes.get(node.output)!;
  const op = node.op;
  switch (op.kind) {
    case "gemm":
    case "conv":
      return linear(ctx, node, op, ins[0]!);
    case "affine":
      return affine(ctx, node, op, ins[0]!, shape);
    case "reshape": {
      const x = ins[0]!;
      ctx.define(
        node,
        node.source,
        { kind: "reshape" },
        [x],
        node.output,
        shape,
        x.scale,
        { lo: x.lo, hi: x.hi, mag: 0 },
        x.err,
        x.target,
      );
      return;
    }
    case "select":
      return select(ctx, node, op, ins, shape);
    case "add":
      return add(ctx, node, op, ins[0]!, ins[1]!, shape);
    case "mul":
    case "matmul":
      return product(ctx, node, op.kind, ins[0]!, ins[1]!, shape);
    case "softmax":
      return softmax(ctx, node, op, ins[0]!, shape);
    case "sum":
      return sum(ctx, node, op, ins[0]!, shape);
    case "max": {
      const x = ctx.settle(ins[0]!, node);
      ctx.define(
        node,
        node.source,
        { kind: "max", groups: op.groups },
        [x],
        node.output,
        shape,
        x.scale,
        { lo: x.lo, hi: x.hi, mag: 0 },
        x.err,
        x.target,
      );
      return;
    }
    case "argmax": {
      const x = ctx.settle(ins[0]!, node);
      let widest = 0;
      for (let g = 0; g + 1 < op.groups.start.length; g++)
        widest = Math.max(widest, op.groups.start[g + 1]! - op.groups.start[g]!);
      ctx.define(
        node,
        node.source,
        { kind: "argmax", groups: op.groups },
        [x],
        node.output,
        shape,
        0,
        { lo: 0, hi: widest - 1, mag: 0 },
        null,
        0,
      );
      return;
    }
    case "relu":
      return activation(ctx, node, ins[0]!, () => ({ kind: "relu" }));
    case "clip":
      return clip(ctx, node, op, ins[0]!);
    case "leaky": {
      const sa = paramScale([op.alpha], ctx.weightBits);
      const alpha = Math.round(op.alpha * 2 ** sa);
      const aErr = constError(alpha, sa, op.alpha);
      return activation(
        ctx,
        node,
        ins[0]!,
        () => ({ kind: "leaky", alpha, alphaShift: sa }),
        (e, X) => Math.max(1, Math.abs(op.alpha) + aErr) * e + aErr * X,
      );
    }
    case "fn":
      return smooth(ctx, node, op, ins[0]!);
    case "fakequant":
      return fakequant(ctx, node, op, ins[0]!, shape);
    case "invert":
      return invert(ctx, node, op, ins[0]!, shape);
    case "div":
      return divide(ctx, node, ins[0]!, ins[1]!, shape);
    default:
      return assertNever(op, "primitive op");
  }
}

function linear(ctx: QuantizeContext, node: Node, op: Op<"gemm"> | Op<"conv">, raw: Live): void {
  const x = ctx.settle(raw, node, LINEAR_SLACK);
  const sw = paramScale(op.weight.data, ctx.weightBits);
  const weight = quantizeTensor(op.weight, sw);
  const bias = op.bias ? quantizeTensor(op.bias, x.scale + sw) : null;
  const b = ctx.opts.freeParams
    ? freeLinearBounds(
        op.kind === "gemm" ? weight.shape[0]! : weight.data.length / weight.shape[0]!,
        admittedRange(weight),
        rangeOf(bias),
        x,
        op.kind === "conv" && op.params.pads.some((p) => p > 0),
      )
    : op.kind === "gemm"
      ? gemmBounds(weight, bias, x)
      : convBounds(weight, bias, op.params, x);
  // error per output channel: Σ |ŵ|·e_x + |ŵ - w|·|x| over the channel's weights, plus the bias rounding
  const X = ctx.floatMax(x);
  const ex = x.err ?? 0;
  let err = 0;
  const channels = op.kind === "gemm" ? op.weight.shape[1]! : op.weight.shape[0]!;
  const per = op.weight.data.length / channels;
  for (let c = 0; c < channels; c++) {
    const e =
      op.kind === "gemm"
        ? dotError(weight.data, op.weight.data, sw, c, per, channels, ex, X)
        : dotError(weight.data, op.weight.data, sw, c * per, per, 1, ex, X);
    err = Math.max(err, e + (bias && op.bias ? constError(bias.data[c]!, x.scale + sw, op.bias.data[c]!) : 0));
  }
  const qop =
    op.kind === "gemm"
      ? { kind: "gemm" as const, weight, bias }
      : { kind: "conv" as const, weight, bias, params: op.params };
  ctx.define(node, node.source, qop, [x], node.output, ctx.graph.shapes.get(node.output)!, x.scale + sw, b, err);
  ctx.markParam();
}

function affine(ctx: QuantizeContext, node: Node, op: Op<"affine">, raw: Live, shape: readonly number[]): void {
  const x = op.mul ? ctx.settle(raw, node) : raw;
  // a QDQ weight scale (pinned) is a precise multiplier, not a weight: give it more bits
  const sm = op.mul ? paramScale(op.mul.data, op.pinned ? MULTIPLIER_BITS : ctx.weightBits) : 0;
  const mul = op.mul ? quantizeTensor(op.mul, sm) : null;
  const add = op.add ? (op.mul ? quantizeTensor(op.add, x.scale + sm) : quantizeOffset(op.add, x.scale)) : null;
  const n = sizeOf(shape);
  const mi = op.mul ? broadcastIndex(op.mul.shape, shape) : null;
  const ai = op.add ? broadcastIndex(op.add.shape, shape) : null;
  const X = ctx.floatMax(x),
    ex = x.err ?? 0;
  let err = 0;
  for (let i = 0; i < n; i++) {
    const e =
      (mul ? dotError(mul.data, op.mul!.data, sm, mi![i]!, 1, 1, ex, X) : ex) +
      (add ? constError(add.data[ai![i]!]!, x.scale + sm, op.add!.data[ai![i]!]!) : 0);
    err = Math.max(err, e);
  }
  const b: Bounds = ctx.opts.freeParams
    ? freeLinearBounds(1, mul ? admittedRange(mul) : { lo: 1, hi: 1 }, rangeOf(add), x, false)
    : affineBounds(mul, add, shape, x);
  ctx.define(
    node,
    node.source,
    { kind: "affine", mul, add },
    [x],
    node.output,
    shape,
    x.scale + sm,
    b,
    err,
    op.mul ? undefined : x.target,
  );
  ctx.markParam();
}

/**
 * A constant added on its own (no multiplier) at the input's scale, a positive one kept at one
 * quantum or more: rounded to 0 it would no longer keep the sum above its input, and that is
 * what lets an inverse square root or a division after it accept every input (LayerNorm's
 * var + ε: ε = 1e-5 at a variance's scale of 2^12 is 0.04 of a quantum). The error bound is
 * computed on the quantized constant, so it counts the difference.
 */
function quantizeOffset(t: Tensor, scale: number): IntTensor {
  const q = quantizeTensor(t, scale);
  return { shape: q.shape, data: q.data.map((v, i) => (v === 0 && t.data[i]! > 0 ? 1 : v)) };
}

/** A prover-supplied parameter's admitted range (see admittedRange), or null for none. */
function rangeOf(t: IntTensor | null) {
  return t ? admittedRange(t) : null;
}

function select(ctx: QuantizeContext, node: Node, op: Op<"select">, xs: Live[], shape: readonly number[]): void {
  // align every input to the largest scale (multiplying by 2^k is exact and free)
  const scale = Math.max(...xs.map((x) => x.scale));
  const shifts = xs.map((x) => scale - x.scale);
  const usesFill = op.map.some((i) => i < 0);
  const fill = Math.round(op.fill * 2 ** scale);
  const b = selectBounds(xs, shifts, usesFill ? fill : null);
  const err = Math.max(...xs.map((x) => x.err ?? 0), usesFill ? constError(fill, scale, op.fill) : 0);
  ctx.define(
    node,
    node.source,
    { kind: "select", map: op.map, fill, shifts },
    xs,
    node.output,
    shape,
    scale,
    b,
    err,
    Math.max(...xs.map((x) => x.target)),
  );
}

function add(ctx: QuantizeContext, node: Node, op: Op<"add">, a: Live, b: Live, shape: readonly number[]): void {
  const scale = Math.max(a.scale, b.scale);
  const shifts: [number, number] = [scale - a.scale, scale - b.scale];
  const err = (a.err ?? 0) + (b.err ?? 0);
  ctx.define(
    node,
    node.source,
    { kind: "add", sign: op.sign, shifts },
    [a, b],
    node.output,
    shape,
    scale,
    addBounds(a, b, op.sign, shifts),
    err,
  );
}

function product(
  ctx: QuantizeContext,
  node: Node,
  kind: "mul" | "matmul",
  ra: Live,
  rb: Live,
  shape: readonly number[],
): void {
  // x·x settles x once (one rescale, and the square's bound knows both factors are one value)
  const a = ctx.settle(ra, node),
    b = rb.name === ra.name ? a : ctx.settle(rb, node);
  const Ah = Math.max(Math.abs(a.lo), Math.abs(a.hi)) / 2 ** a.scale;
  const B = ctx.floatMax(b);
  const one = Ah * (b.err ?? 0) + B * (a.err ?? 0); // |âb̂ - ab| ≤ |â|·e_b + |b|·e_a
  if (kind === "mul") {
    // a square (Pow 2, LayerNorm's variance) is never negative: its bound says so
    const bounds = a.name === b.name ? squareBounds(a) : mulBounds(a, b);
    ctx.define(node, node.source, { kind: "mul" }, [a, b], node.output, shape, a.scale + b.scale, bounds, one);
  } else {
    const K = matmulLayout(a.shape, b.shape)!.K;
    ctx.define(
      node,
      node.source,
      { kind: "matmul" },
      [a, b],
      node.output,
      shape,
      a.scale + b.scale,
      matmulBounds(a, b, K),
      K * one,
    );
  }
}

/**
 * Softmax over groups as five quantized nodes whose bounds use what softmax guarantees (the
 * max gadget makes M exactly the group maximum, so these hold for every satisfying witness):
 *   M = max(x)              d = x - M ∈ [lo - hi, 0]        e = exp(d) ≈ P(d) (a poly table)
 *   S = Σ e ≥ P(0) + (n - 1)·min P   (the maximum's own term is exactly P(0) ≈ 1)
 *   y = round(e · 2^s / S)  ∈ [0, 2^s]
 */
function softmax(ctx: QuantizeContext, node: Node, op: Op<"softmax">, raw: Live, shape: readonly number[]): void {
  const x = ctx.settle(raw, node);
  const { start, indices } = op.groups;
  const nGroups = start.length - 1;
  const groupOf = new Int32Array(indices.length);
  let nMin = Infinity,
    nMax = 0;
  for (let g = 0; g < nGroups; g++) {
    nMin = Math.min(nMin, start[g + 1]! - start[g]!);
    nMax = Math.max(nMax, start[g + 1]! - start[g]!);
    for (let j = start[g]!; j < start[g + 1]!; j++) groupOf[indices[j]!] = g;
  }
  const ex = x.err ?? 0;
  const id = { lo: 0, hi: 0, mag: 0 };
  const M = ctx.define(
    node,
    node.source,
    { kind: "max", groups: op.groups },
    [x],
    ctx.fresh(`${node.output}/max`),
    [nGroups],
    x.scale,
    { ...id, lo: x.lo, hi: x.hi },
    ex,
    x.scale,
  );
  const spread = { kind: "select" as const, map: groupOf, fill: 0, shifts: [0] };
  const Mx = ctx.define(
    node,
    node.source,
    spread,
    [M],
    ctx.fresh(`${node.output}/max_b`),
    shape,
    x.scale,
    { ...id, lo: x.lo, hi: x.hi },
    ex,
    x.scale,
  );
  const d = ctx.define(
    node,
    node.source,
    { kind: "add", sign: -1, shifts: [0, 0] },
    [x, Mx],
    ctx.fresh(`${node.output}/shifted`),
    shape,
    x.scale,
    { lo: x.lo - x.hi, hi: 0, mag: 2 * Math.max(Math.abs(x.lo), Math.abs(x.hi)) },
    2 * ex,
    x.scale,
  );
  const sOut = ctx.targetFor(node.output);
  const table = fitPoly("exp", d.lo, 0, x.scale, 2 ** -(sOut + 2), `node "${node.name}" (${node.source})`);
  const eFine = ctx.requant(d, 0, { kind: "poly", table }, node, ctx.fresh(`${node.output}/exp`), node.source);
  // exp's table output is at a very fine scale; 8 bits past the output's resolution is plenty,
  // and keeps the sum and the division narrow (cheaper range checks, far from 2^50)
  const sE = Math.min(eFine.scale, sOut + 8);
  const e =
    eFine.scale > sE
      ? ctx.requant(eFine, eFine.scale - sE, { kind: "none" }, node, ctx.fresh(`${node.output}/exp_r`), node.source)
      : eFine;
  const p0 = rescale(evalPoly(table, 0), eFine.scale - sE); // P(0), attained by each group's maximum
  const S = ctx.define(
    node,
    node.source,
    { kind: "sum", groups: op.groups, mult: null },
    [e],
    ctx.fresh(`${node.output}/sum`),
    [nGroups],
    e.scale,
    { lo: p0 + (nMin - 1) * Math.min(e.lo, 0), hi: nMax * e.hi, mag: nMax * Math.max(Math.abs(e.lo), Math.abs(e.hi)) },
    null,
    e.scale,
  );
  const Sx = ctx.define(
    node,
    node.source,
    spread,
    [S],
    ctx.fresh(`${node.output}/sum_b`),
    shape,
    e.scale,
    { lo: S.lo, hi: S.hi, mag: S.hi },
    null,
    e.scale,
  );
  if (S.lo < 1)
    throw new ZkError(
      "OVERFLOW",
      `node "${node.name}" (${node.source}): softmax's normalizer could be zero after quantization`,
    );
  // |ŷ - y| ≤ |ŷ - softmax(x̂)| + |softmax(x̂) - softmax(x)|. The second is ≤ e_x / 2: softmax's
  // Jacobian diag(p) - ppᵀ has ∞-norm max 2p(1-p) ≤ 1/2. The first: each exp is off by at most
  // ε (the table's error), the sum by nε, and the sum is ≥ 1 - ε, so ≤ (n + 1)ε / (1 - ε),
  // plus the output's rounding.
  const eps = table.maxError + (e === eFine ? 0 : 2 ** -(sE + 1));
  const err = ex / 2 + ((nMax + 1) * eps) / Math.max(1 - eps, 1e-9) + 2 ** -(sOut + 1);
  ctx.define(
    node,
    node.source,
    { kind: "div", shift: sOut },
    [e, Sx],
    node.output,
    shape,
    sOut,
    divBounds(e, Sx, sOut),
    err,
    sOut,
  );
}

/**
 * Settles x as far toward its target as keeps x̂ ≥ `least` for every accepted input (a
 * divisor's or 1/√'s argument: an epsilon below the target grid keeps the finer scale).
 */
function settleAbove(ctx: QuantizeContext, raw: Live, node: Node, least: number): Live {
  let shift = raw.scale - raw.target;
  const floor = (k: number) => requantBounds(ctx.window(raw) ?? raw, k, { kind: "none" }).lo;
  while (shift > 0 && floor(shift) < least) shift--;
  return shift > 0 ? ctx.requant(raw, shift, { kind: "none" }, node) : raw;
}

const INVERT_WORDS: Record<InvertFn, string> = { sqrt: "√x", rsqrt: "1/√x", recip: "1/x" };

/**
 * √x, 1/√x, 1/x (gadgets/invert.ts): y = invertInt(fn, k, x̂) at the output's target scale sy,
 *   sqrt: k = 2sy - sx        rsqrt: k = 2sy + sx        recip: k = sy + sx
 * (for sqrt, sy is raised until k ≥ 0). Error: the function's change over x's error, plus the
 * floor's 2^-sy. √ is ½-Hölder (|√a - √b| ≤ √|a - b|); 1/√x and 1/x are bounded by their slope
 * at the smallest x the error allows, which is Infinity when that reaches 0: a valid bound,
 * and an honest one (with an epsilon of 1e-5 a LayerNorm's worst case is that steep).
 */
function invert(ctx: QuantizeContext, node: Node, op: Op<"invert">, raw: Live, shape: readonly number[]): void {
  const where = `node "${node.name}" (${node.source})`;
  const least = op.fn === "sqrt" ? 0 : 1;
  const x = op.fn === "sqrt" ? ctx.settle(raw, node) : settleAbove(ctx, raw, node, 1);
  if (x.lo < least) {
    throw new ZkError(
      "OVERFLOW",
      `${where}: ${INVERT_WORDS[op.fn]} of a value that may be ${op.fn === "sqrt" ? "negative" : "0 or negative"} ` +
        `(its bound is [${x.lo / 2 ** x.scale}, ${x.hi / 2 ** x.scale}] for the accepted inputs)` +
        (op.fn === "sqrt" ? "" : "; add an epsilon (as LayerNormalization's) or bound the divisor away from 0"),
    );
  }
  let sy = ctx.targetFor(node.output);
  if (op.fn === "sqrt") sy = Math.max(sy, Math.ceil(x.scale / 2));
  const k = op.fn === "sqrt" ? 2 * sy - x.scale : op.fn === "rsqrt" ? 2 * sy + x.scale : sy + x.scale;
  if (k < 0)
    throw new ZkError("OVERFLOW", `${where}: ${INVERT_WORDS[op.fn]} at output scale 2^${sy} needs k = ${k} < 0`);
  const y = {
    lo: invertInt(op.fn, k, op.fn === "sqrt" ? x.lo : x.hi),
    hi: invertInt(op.fn, k, op.fn === "sqrt" ? x.hi : x.lo),
  };
  // the largest intermediate: x·2^k (sqrt), 2^k + x (recip), and for rsqrt (y + 1)²·x = t + 2u + x
  // with t = y²·x ≤ 2^k and u = y·x ≤ √(2^k·x) (y²·x ≤ 2^k): the largest y never meets the largest
  // x, and with an ε of one quantum the largest y is 2^(k/2)
  const u = Math.min(Math.sqrt(2 ** k * x.hi), y.hi * x.hi);
  const mag = op.fn === "sqrt" ? x.hi * 2 ** k : op.fn === "rsqrt" ? 2 ** k + 2 * u + x.hi : 2 ** k + x.hi;
  const e = x.err ?? 0;
  const X = x.lo / 2 ** x.scale - e; // the smallest true x
  const change =
    op.fn === "sqrt"
      ? X > 0
        ? Math.min(Math.sqrt(e), e / (2 * Math.sqrt(X)))
        : Math.sqrt(e)
      : X > 0
        ? op.fn === "rsqrt"
          ? e / (2 * X ** 1.5)
          : e / (X * (x.lo / 2 ** x.scale))
        : Infinity;
  ctx.define(
    node,
    node.source,
    { kind: "invert", fn: op.fn, k },
    [x],
    node.output,
    shape,
    sy,
    { lo: y.lo, hi: y.hi, mag },
    change + 2 ** -sy,
    sy,
  );
}

/**
 * a / b for a computed b bounded away from 0: q = round(â·2^shift / b̂) (gadgets/div.ts) at the
 * output's target scale, shift = s_out - s_a + s_b. b̂ must be ≥ 1 for every accepted input.
 * Error: |â/b̂ - a/b| ≤ (e_a + |a/b|·e_b) / |b| ≤ (e_a + (A/B)·e_b) / (B - e_b) with A = max|â|,
 * B = min b̂, plus the rounding.
 */
function divide(ctx: QuantizeContext, node: Node, ra: Live, rb: Live, shape: readonly number[]): void {
  const a = ctx.settle(ra, node),
    b = settleAbove(ctx, rb, node, 1);
  if (b.lo < 1) {
    throw new ZkError(
      "OVERFLOW",
      `node "${node.name}" (${node.source}): the divisor "${rb.name.split("#")[0]}" may be 0 or negative ` +
        `(its bound is [${b.lo / 2 ** b.scale}, ${b.hi / 2 ** b.scale}] for the accepted inputs); ` +
        "division by a computed tensor needs a divisor bounded above 0",
    );
  }
  const sOut = ctx.targetFor(node.output);
  const shift = sOut - a.scale + b.scale;
  const A = ctx.floatMax(a),
    B = b.lo / 2 ** b.scale,
    eb = b.err ?? 0;
  const err = B > eb ? ((a.err ?? 0) + (A / B) * eb) / (B - eb) + 2 ** -(sOut + 1) : Infinity;
  ctx.define(
    node,
    node.source,
    { kind: "div", shift },
    [a, b],
    node.output,
    shape,
    sOut,
    divBounds(a, b, shift),
    err,
    sOut,
  );
}

function sum(ctx: QuantizeContext, node: Node, op: Op<"sum">, x: Live, shape: readonly number[]): void {
  const sm = op.mult ? paramScale(op.mult, ctx.weightBits) : 0;
  const mult = op.mult ? op.mult.map((m) => Math.round(m * 2 ** sm)) : null;
  const X = ctx.floatMax(x),
    ex = x.err ?? 0;
  let err = 0;
  for (let g = 0; g + 1 < op.groups.start.length; g++) {
    const n = op.groups.start[g + 1]! - op.groups.start[g]!;
    err = Math.max(err, mult ? n * dotError(mult, op.mult!, sm, g, 1, 1, ex, X) : n * ex);
  }
  ctx.define(
    node,
    node.source,
    { kind: "sum", groups: op.groups, mult },
    [x],
    node.output,
    shape,
    x.scale + sm,
    sumBounds(op.groups, mult, x),
    err,
  );
}

/**
 * An activation fused into the rescale of its input: the input is rescaled to its target
 * scale (or by 0 bits if already there) and the activation uses the same decomposition.
 */
function activation(
  ctx: QuantizeContext,
  node: Node,
  raw: Live,
  make: (outScale: number) => Activation,
  errOf: (e: number, X: number) => number = (e) => e,
  window = ctx.window(raw),
): void {
  const shift = Math.max(0, raw.scale - raw.target);
  const act = make(raw.scale - shift);
  const v = ctx.requant(raw, shift, act, node, node.output, node.source, window);
  // requant added the rounding; the activation's own error on top
  const X = ctx.floatMax(raw);
  const err = v.err === null ? null : errOf(v.err, X);
  ctx.register({ ...v, err });
}

/**
 * Clip's window reaches at least its own bounds (within the input's): a value between them is
 * one the clip passes, so calibration not having seen it is no reason to refuse it
 * (LogSoftmax's sum of exps lies in [1, n], where calibration may see only [1, 3]).
 */
function clipWindow(ctx: QuantizeContext, op: Op<"clip">, raw: Live): Interval | null {
  const w = ctx.window(raw);
  if (!w) return null;
  const k = 2 ** raw.scale;
  const lo = Number.isFinite(op.lo) ? Math.min(w.lo, Math.max(raw.lo, Math.floor(op.lo * k))) : w.lo;
  const hi = Number.isFinite(op.hi) ? Math.max(w.hi, Math.min(raw.hi, Math.ceil(op.hi * k))) : w.hi;
  return lo > raw.lo || hi < raw.hi ? { lo, hi } : null;
}

function clip(ctx: QuantizeContext, node: Node, op: Op<"clip">, raw: Live): void {
  let boundErr = 0;
  activation(
    ctx,
    node,
    raw,
    (s) => {
      const q = (v: number) => (Number.isFinite(v) ? Math.round(v * 2 ** s) : null);
      const lo = q(op.lo),
        hi = q(op.hi);
      boundErr = Math.max(lo === null ? 0 : constError(lo, s, op.lo), hi === null ? 0 : constError(hi, s, op.hi));
      return { kind: "clip", lo, hi };
    },
    (e) => e + boundErr,
    clipWindow(ctx, op, raw),
  );
}

function smooth(ctx: QuantizeContext, node: Node, op: Op<"fn">, raw: Live): void {
  const shift = Math.max(0, raw.scale - raw.target);
  const s = raw.scale - shift;
  // the table covers the input's window (or its whole bound): fewer segments, and a tighter output
  const window = ctx.window(raw);
  const x = window ?? raw;
  const qLo = rescale(x.lo, shift),
    qHi = rescale(x.hi, shift);
  if (op.fn === "log" && qLo < 1) {
    throw new ZkError(
      "OVERFLOW",
      `node "${node.name}" (${node.source}): log of a value that may be 0 or negative (its bound is ` +
        `[${qLo / 2 ** s}, ${qHi / 2 ** s}] for the accepted inputs); add an epsilon or bound the input above 0`,
    );
  }
  // No point fitting much finer than the input's own resolution moves the output (measured on
  // the calibrated range: this picks the table's cost; the error bound below covers everything)
  const cal = ctx.calib.stats.get(node.inputs[0]!);
  const typical = cal ? slopeBound(op.fn, cal.min, cal.max) * 2 ** -(s + 1) : 0;
  const target = Math.max(2 ** -(ctx.targetFor(node.output) + 1), typical);
  const table = fitPoly(op.fn, qLo, qHi, s, target, `node "${node.name}" (${node.source})`);
  const v = ctx.requant(raw, shift, { kind: "poly", table }, node, node.output, node.source, window);
  // |P(q) - f(x)| ≤ |P(q) - f(q/2^s)| + L·|q/2^s - x|
  const inErr = (raw.err ?? 0) + (shift > 0 ? 2 ** -(s + 1) : 0);
  const L = slopeBound(op.fn, qLo / 2 ** s - inErr, qHi / 2 ** s + inErr);
  ctx.register({ ...v, err: table.maxError + (inErr > 0 ? L * inErr : 0) });
}

/** QDQ fake quantization: x · (1/scale) → round to the integer grid with saturation → · scale. */
function fakequant(ctx: QuantizeContext, node: Node, op: Op<"fakequant">, raw: Live, shape: readonly number[]): void {
  const x = ctx.settle(raw, node);
  const inv: Tensor = { shape: [1], data: new Float64Array([1 / op.scale]) };
  const si = paramScale(inv.data, MULTIPLIER_BITS);
  const invQ = quantizeTensor(inv, si);
  const gridName = ctx.fresh(`${node.output}/grid`);
  const grid = ctx.define(
    node,
    node.source,
    { kind: "affine", mul: invQ, add: null },
    [x],
    gridName,
    shape,
    x.scale + si,
    affineBounds(invQ, null, shape, x),
    null,
    0,
  );
  const lo = op.qmin - op.zeroPoint,
    hi = op.qmax - op.zeroPoint;
  const q = ctx.requant(grid, grid.scale, { kind: "clip", lo, hi }, node);
  const sc: Tensor = { shape: [1], data: new Float64Array([op.scale]) };
  const ss = paramScale(sc.data, MULTIPLIER_BITS);
  const scQ = quantizeTensor(sc, ss);
  // within one grid step of the exact fake-quantized value, plus the input's own error
  const err = (x.err ?? 0) + op.scale + constError(scQ.data[0]!, ss, op.scale) * Math.max(Math.abs(lo), Math.abs(hi));
  ctx.define(
    node,
    node.source,
    { kind: "affine", mul: scQ, add: null },
    [q],
    node.output,
    shape,
    ss,
    affineBounds(scQ, null, shape, q),
    err,
  );
}
