/**
 * The integer reference semantics of the quantized ops. Linear ops reuse the float
 * interpreter's loops: exact while every value and partial sum stays below 2^53, which holds
 * at the default bits. Past that (deep accumulations at many bits: plan.ts isWide) this graph
 * interpreter, used for calibration's accuracy estimates, rounds as doubles do; the witness
 * plan's reference (witness/backends/js/) is exact at any size and is the oracle the witness
 * backends are checked against.
 */
import type { InvertFn, Shape } from "../model/graph.js";
import { evalPrim } from "../model/evaluate.js";
import { broadcastBinary as binary, sizeOf } from "../model/shapes.js";
import type { Activation, IntTensor, PolyTable, QGraph, QOp } from "./qgraph.js";
import { rescale } from "./layout.js";
import { assertNever } from "../util/never.js";
import { firstOutside, windowAt, windowError } from "./window.js";

export { rescale };

/** The piecewise polynomial on integer input q (see PolyTable). */
export function evalPoly(t: PolyTable, q: number): number {
  const z = q - t.qMin;
  const seg = Math.floor(z / 2 ** t.w);
  const u = z - seg * 2 ** t.w;
  const c = seg * (t.d + 1);
  let h = t.coeffs[c + t.d]!;
  for (let j = t.d - 1; j >= 0; j--) h = h * u + t.coeffs[c + j]! * 2 ** (t.w * (t.d - j));
  return h;
}

export function activate(act: Activation, q: number): number {
  switch (act.kind) {
    case "none":
      return q;
    case "relu":
      return q < 0 ? 0 : q;
    case "leaky":
      return q >= 0 ? q * 2 ** act.alphaShift : act.alpha * q;
    case "clip":
      return Math.min(Math.max(q, act.lo ?? -Infinity), act.hi ?? Infinity);
    case "poly":
      return evalPoly(act.table, q);
    default:
      return assertNever(act, "activation");
  }
}

/** round(num / den) half up, for den > 0: floor((2·num + den) / (2·den)). */
export function roundDiv(num: number, den: number): number {
  return Math.floor((2 * num + den) / (2 * den));
}

/** ⌊√n⌋ for n ≥ 0, exactly (Newton's method from above). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1); // ≥ √n
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * The integer meaning of `invert` (every witness backend reproduces it): the largest y ≥ 0 with
 *   sqrt:  y² ≤ x·2^k        rsqrt:  y²·x ≤ 2^k        recip:  y·x ≤ 2^k.
 * Exact for any size (BigInt); callers keep x in the range the bounds promise (x ≥ 0, x ≥ 1).
 */
export function invertInt(fn: InvertFn, k: number, x: number): number {
  const X = BigInt(x),
    K = 1n << BigInt(k);
  switch (fn) {
    case "sqrt":
      return Number(isqrt(X * K));
    case "rsqrt":
      return Number(isqrt(K / X));
    case "recip":
      return Number(K / X);
    default:
      return assertNever(fn, "invert function");
  }
}

export function evalQ(op: QOp, inputs: readonly IntTensor[], outShape: Shape): IntTensor {
  const x = inputs[0]!;
  switch (op.kind) {
    case "gemm":
    case "conv":
    case "affine":
    case "reshape":
    case "max":
    case "argmax":
    case "matmul":
      return evalPrim(op, inputs, outShape);
    case "select": {
      const scaled = inputs.map((t, k) =>
        op.shifts[k] ? { shape: t.shape, data: t.data.map((v) => v * 2 ** op.shifts[k]!) } : t,
      );
      return evalPrim({ kind: "select", map: op.map, fill: op.fill }, scaled, outShape);
    }
    case "sum":
      return evalPrim({ kind: "sum", groups: op.groups, mult: op.mult }, inputs, outShape);
    case "add": {
      const [s0, s1] = [2 ** op.shifts[0], 2 ** op.shifts[1]];
      return { shape: outShape, data: binary(x, inputs[1]!, outShape, (a, b) => a * s0 + op.sign * b * s1) };
    }
    case "mul":
      return { shape: outShape, data: binary(x, inputs[1]!, outShape, (a, b) => a * b) };
    case "div": {
      const [sn, sd] = [2 ** Math.max(op.shift, 0), 2 ** Math.max(-op.shift, 0)];
      return { shape: outShape, data: binary(x, inputs[1]!, outShape, (a, b) => roundDiv(a * sn, b * sd)) };
    }
    case "invert":
      return { shape: outShape, data: x.data.map((v) => invertInt(op.fn, op.k, v)) };
    case "requant": {
      const out = new Float64Array(sizeOf(outShape));
      for (let i = 0; i < out.length; i++) out[i] = activate(op.act, rescale(x.data[i]!, op.shift));
      return { shape: outShape, data: out };
    }
    default:
      return assertNever(op, "quantized op");
  }
}

/** Runs the quantized graph on an already-quantized input; returns every value by name. */
export function runQuantized(q: QGraph, input: IntTensor): Map<string, IntTensor> {
  const values = new Map<string, IntTensor>([[q.input.name, input]]);
  for (const node of q.nodes) {
    const ins = node.inputs.map((n) => values.get(n)!);
    if (node.op.kind === "requant") {
      // the circuit has no witness outside a window: the reference refuses what every backend refuses
      const bad = firstOutside(node.op.window, ins[0]!.data);
      if (bad >= 0) throw windowError(node.op.window!, windowAt(node), bad, ins[0]!.data[bad]!);
    }
    values.set(node.output, evalQ(node.op, ins, q.values.get(node.output)!.shape));
  }
  return values;
}
