/**
 * Piecewise polynomials for smooth functions (sigmoid, tanh, exp, erf, gelu) over a quantized
 * input q ∈ [qLo, qHi] at scale inScale.
 *
 * The input's range is split into 2^t segments by the top t bits of z = q - qLo; within a
 * segment the function is a degree-d polynomial in the low w bits u. In the circuit the
 * segment bits come free from the input's own decomposition, a one-hot of the segment costs
 * 2^t - 2 constraints, and Horner's rule d more (see circuit/gadgets/activation.ts). The fit
 * searches (t, d) from cheapest to dearest and keeps the first whose worst error, measured on
 * *every* integer input in bounds, meets the target; the measured worst error is what the
 * compiler reports and propagates.
 */
import type { ScalarFn } from "../model/graph.js";
import { SCALAR_FNS } from "../model/functions.js";
import { bitLength } from "../util/bits.js";
import type { PolyTable } from "./qgraph.js";
import { evalPoly } from "./reference.js";
import { ZkError } from "../errors.js";

/** Intermediate values of the polynomial must stay exact (see MAX_MAGNITUDE in quantize.ts). */
const MAX_POLY = 2 ** 50;
/** Inputs wider than this would make the exhaustive error measurement (and the table) too big. */
export const MAX_POLY_INPUT_BITS = 20;

/** Least-squares polynomial of degree d through (v_i, y_i), v ∈ [0, 1). */
function leastSquares(vs: number[], ys: number[], d: number): number[] {
  const n = d + 1;
  const A = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let i = 0; i < vs.length; i++) {
    const p = [1];
    for (let j = 1; j < 2 * n; j++) p.push(p[j - 1]! * vs[i]!);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) A[r]![c]! += p[r + c]!;
      A[r]![n]! += p[r]! * ys[i]!;
    }
  }
  // Gaussian elimination with partial pivoting (n ≤ 4)
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    const a = A[c]![c]!;
    if (Math.abs(a) < 1e-300) continue; // fewer distinct points than coefficients: leave the rest 0
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / a;
      for (let k = c; k <= n; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  return A.map((row, c) => (Math.abs(row[c]!) < 1e-300 ? 0 : row[n]! / row[c]!));
}

interface Candidate {
  t: number;
  d: number;
  cost: number;
}

function candidates(m: number): Candidate[] {
  const out: Candidate[] = [];
  for (let t = 0; t <= Math.min(m, 7); t++)
    for (let d = 1; d <= 3; d++) out.push({ t, d, cost: (t >= 2 ? 2 ** t - 2 : 0) + d });
  return out.sort((a, b) => a.cost - b.cost || a.t - b.t);
}

function build(
  fn: ScalarFn,
  qLo: number,
  qHi: number,
  inScale: number,
  t: number,
  d: number,
  F: number,
  m: number,
): PolyTable | null {
  const f = SCALAR_FNS[fn];
  const w = m - t;
  const seg = 2 ** w;
  const coeffs = new Float64Array(2 ** t * (d + 1));
  for (let s = 0; s < 2 ** t; s++) {
    const from = qLo + s * seg;
    const to = Math.min(from + seg - 1, qHi);
    if (from > qHi) break;
    // sample the segment (every point when small, evenly otherwise) in v = u / 2^w
    const n = to - from + 1;
    const step = Math.max(1, Math.floor(n / 256));
    const vs: number[] = [],
      ys: number[] = [];
    for (let q = from; q <= to; q += step) {
      vs.push((q - from) / seg);
      ys.push(f(q / 2 ** inScale));
    }
    if ((to - from) % step !== 0) {
      vs.push((to - from) / seg);
      ys.push(f(to / 2 ** inScale));
    }
    const c = leastSquares(vs, ys, d);
    for (let j = 0; j <= d; j++) coeffs[s * (d + 1) + j] = Math.round(c[j]! * 2 ** F);
  }
  const outScale = F + w * d;
  let bound = 0;
  for (let i = 0; i < coeffs.length; i++) bound += Math.abs(coeffs[i]!);
  if (bound * 2 ** (w * d) >= MAX_POLY) return null;
  const table: PolyTable = { fn, qMin: qLo, t, w, d, coeffs, outScale, maxError: 0 };
  let maxError = 0;
  for (let q = qLo; q <= qHi; q++) {
    const e = Math.abs(evalPoly(table, q) / 2 ** outScale - f(q / 2 ** inScale));
    if (e > maxError) maxError = e;
  }
  return { ...table, maxError };
}

/**
 * The cheapest table for `fn` on [qLo, qHi] (scale inScale) whose worst error is at most
 * `target`, or the most accurate one if none is.
 */
export function fitPoly(
  fn: ScalarFn,
  qLo: number,
  qHi: number,
  inScale: number,
  target: number,
  where: string,
): PolyTable {
  const m = bitLength(qHi - qLo);
  if (m > MAX_POLY_INPUT_BITS) {
    throw new ZkError(
      "OVERFLOW",
      `${where}: the input of ${fn} spans 2^${m} values; more than 2^${MAX_POLY_INPUT_BITS} is not supported (lower --activation-bits, or bound the input)`,
    );
  }
  const F = Math.max(0, Math.ceil(-Math.log2(target))) + 4;
  const tried: { table: PolyTable; cost: number }[] = [];
  for (const c of candidates(m)) {
    const table = build(fn, qLo, qHi, inScale, c.t, c.d, F, m);
    if (!table) continue;
    if (table.maxError <= target) return table;
    tried.push({ table, cost: c.cost });
  }
  if (tried.length === 0)
    throw new ZkError(
      "OVERFLOW",
      `${where}: no piecewise polynomial for ${fn} fits exact arithmetic on this input range`,
    );
  // none meets the target: the cheapest within 1.5× of the most accurate
  const bestErr = Math.min(...tried.map((x) => x.table.maxError));
  return tried.filter((x) => x.table.maxError <= 1.5 * bestErr).sort((a, b) => a.cost - b.cost)[0]!.table;
}
