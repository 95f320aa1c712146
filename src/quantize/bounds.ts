/**
 * Interval analysis: integer bounds of each op's output from its inputs' bounds. `mag` bounds
 * every partial sum along the way: past 2^53 the witness computes that op in BigInt (a wide
 * tensor), and past the field's limit the quantizer refuses it (context.ts MAX_MAGNITUDE).
 */
import type { Conv2dParams, Groups, Shape } from "../model/graph.js";
import { broadcastIndex, sizeOf } from "../model/shapes.js";
import type { Activation, IntTensor } from "./qgraph.js";
import { activate, evalPoly, rescale, roundDiv } from "./reference.js";

export interface Bounds {
  readonly lo: number;
  readonly hi: number;
  /** bound on |partial sums| while computing the op */
  readonly mag: number;
}

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/** Bounds of Σ_j w_j·x_j (+ b) with every x_j in [lo, hi] (and, if `mayBeZero`, also 0). */
function dotBounds(
  ws: ArrayLike<number>,
  offset: number,
  count: number,
  stride: number,
  b: number,
  lo: number,
  hi: number,
  mayBeZero: boolean,
) {
  let sLo = b,
    sHi = b,
    mag = Math.abs(b);
  for (let j = 0; j < count; j++) {
    const w = ws[offset + j * stride]!;
    let a = w * lo,
      c = w * hi;
    if (a > c) [a, c] = [c, a];
    if (mayBeZero) {
      a = Math.min(a, 0);
      c = Math.max(c, 0);
    }
    sLo += a;
    sHi += c;
    mag += Math.max(Math.abs(a), Math.abs(c));
  }
  return { sLo, sHi, mag };
}

function merge(parts: Iterable<{ sLo: number; sHi: number; mag: number }>): Bounds {
  let lo = Infinity,
    hi = -Infinity,
    mag = 0;
  for (const p of parts) {
    lo = Math.min(lo, p.sLo);
    hi = Math.max(hi, p.sHi);
    mag = Math.max(mag, p.mag);
  }
  return { lo, hi, mag };
}

export function gemmBounds(weight: IntTensor, bias: IntTensor | null, x: Interval): Bounds {
  const [K, N] = weight.shape as [number, number];
  return merge(
    Array.from({ length: N }, (_, n) => dotBounds(weight.data, n, K, N, bias ? bias.data[n]! : 0, x.lo, x.hi, false)),
  );
}

export function convBounds(weight: IntTensor, bias: IntTensor | null, params: Conv2dParams, x: Interval): Bounds {
  const [M] = weight.shape as [number];
  const per = weight.data.length / M;
  const padded = params.pads.some((p) => p > 0);
  return merge(
    Array.from({ length: M }, (_, m) =>
      dotBounds(weight.data, m * per, per, 1, bias ? bias.data[m]! : 0, x.lo, x.hi, padded),
    ),
  );
}

export function affineBounds(mul: IntTensor | null, add: IntTensor | null, outShape: Shape, x: Interval): Bounds {
  const n = sizeOf(outShape);
  const mi = mul ? broadcastIndex(mul.shape, outShape) : null;
  const ai = add ? broadcastIndex(add.shape, outShape) : null;
  const parts = [];
  for (let i = 0; i < n; i++) {
    parts.push(dotBounds([mul ? mul.data[mi![i]!]! : 1], 0, 1, 1, add ? add.data[ai![i]!]! : 0, x.lo, x.hi, false));
  }
  return merge(parts);
}

/**
 * Bounds of a linear op whose parameters the prover supplies (--param-visibility private or
 * hashed): each output is a sum of `terms` products w·x plus a bias, and nothing but their
 * range checks holds w and the bias, so every weight counts as anywhere in its admitted range
 * `w` (and, with `mayBeZero`, a term may be padding, 0). Bounds from the compiled weights
 * would not hold for a prover who brings others.
 */
export function freeLinearBounds(
  terms: number,
  w: Interval,
  bias: Interval | null,
  x: Interval,
  mayBeZero: boolean,
): Bounds {
  const p = productRange(w, x);
  const [pl, ph] = mayBeZero ? [Math.min(p.lo, 0), Math.max(p.hi, 0)] : [p.lo, p.hi];
  const [bl, bh] = bias ? [bias.lo, bias.hi] : [0, 0];
  return {
    lo: terms * pl + bl,
    hi: terms * ph + bh,
    mag: terms * Math.max(Math.abs(pl), Math.abs(ph)) + Math.max(Math.abs(bl), Math.abs(bh)),
  };
}

/** Inputs scaled by 2^shift_k, plus a fill value if any. */
export function selectBounds(xs: readonly Interval[], shifts: readonly number[], fill: number | null): Bounds {
  const parts = xs.map((x, k) => ({
    sLo: x.lo * 2 ** shifts[k]!,
    sHi: x.hi * 2 ** shifts[k]!,
    mag: Math.max(Math.abs(x.lo), Math.abs(x.hi)) * 2 ** shifts[k]!,
  }));
  if (fill !== null) parts.push({ sLo: fill, sHi: fill, mag: Math.abs(fill) });
  return merge(parts);
}

export function addBounds(a: Interval, b: Interval, sign: 1 | -1, shifts: readonly [number, number]): Bounds {
  const [ka, kb] = [2 ** shifts[0], 2 ** shifts[1]];
  const [bl, bh] = sign > 0 ? [b.lo * kb, b.hi * kb] : [-b.hi * kb, -b.lo * kb];
  const lo = a.lo * ka + bl,
    hi = a.hi * ka + bh;
  return { lo, hi, mag: Math.max(Math.abs(a.lo), Math.abs(a.hi)) * ka + Math.max(Math.abs(bl), Math.abs(bh)) };
}

function productRange(a: Interval, b: Interval): Interval {
  const c = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
  return { lo: Math.min(...c), hi: Math.max(...c) };
}

export function mulBounds(a: Interval, b: Interval): Bounds {
  const p = productRange(a, b);
  return { ...p, mag: Math.max(Math.abs(p.lo), Math.abs(p.hi)) };
}

/** x·x: never negative (mulBounds of x with itself would allow lo·hi < 0). */
export function squareBounds(x: Interval): Bounds {
  const lo = x.lo >= 0 ? x.lo * x.lo : x.hi <= 0 ? x.hi * x.hi : 0;
  const hi = Math.max(x.lo * x.lo, x.hi * x.hi);
  return { lo, hi, mag: hi };
}

export function matmulBounds(a: Interval, b: Interval, K: number): Bounds {
  const p = productRange(a, b);
  return { lo: K * p.lo, hi: K * p.hi, mag: K * Math.max(Math.abs(p.lo), Math.abs(p.hi)) };
}

export function sumBounds(groups: Groups, mult: Float64Array | null, x: Interval): Bounds {
  const parts = [];
  for (let g = 0; g + 1 < groups.start.length; g++) {
    const n = groups.start[g + 1]! - groups.start[g]!;
    const m = mult ? mult[g]! : 1;
    const [a, c] = [n * x.lo * m, n * x.hi * m].sort((p, q) => p - q) as [number, number];
    parts.push({ sLo: a, sHi: c, mag: n * Math.max(Math.abs(x.lo), Math.abs(x.hi)) * Math.abs(m) });
  }
  return merge(parts);
}

/** round(a·2^sn / (b·2^sd)) over the box: monotone in each argument for b > 0, so the corners bound it. */
export function divBounds(a: Interval, b: Interval, shift: number): Bounds {
  const [sn, sd] = [2 ** Math.max(shift, 0), 2 ** Math.max(-shift, 0)];
  const corners = [
    roundDiv(a.lo * sn, b.lo * sd),
    roundDiv(a.lo * sn, b.hi * sd),
    roundDiv(a.hi * sn, b.lo * sd),
    roundDiv(a.hi * sn, b.hi * sd),
  ];
  const num = Math.max(Math.abs(a.lo), Math.abs(a.hi)) * sn;
  return { lo: Math.min(...corners), hi: Math.max(...corners), mag: 2 * num + 2 * b.hi * sd };
}

export function requantBounds(x: Interval, shift: number, act: Activation): Bounds {
  const half = shift > 0 ? 2 ** (shift - 1) : 0;
  const qLo = rescale(x.lo, shift),
    qHi = rescale(x.hi, shift);
  let lo: number, hi: number;
  if (act.kind === "poly") {
    lo = Infinity;
    hi = -Infinity;
    for (let q = qLo; q <= qHi; q++) {
      const y = evalPoly(act.table, q);
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  } else {
    // the other activations are piecewise linear with their kinks at 0 or the clip bounds
    const probes = [
      qLo,
      qHi,
      ...[0, act.kind === "clip" ? act.lo : null, act.kind === "clip" ? act.hi : null].filter(
        (v): v is number => v !== null && v > qLo && v < qHi,
      ),
    ];
    const ys = probes.map((q) => activate(act, q));
    lo = Math.min(...ys);
    hi = Math.max(...ys);
  }
  return { lo, hi, mag: Math.max(Math.abs(x.lo), Math.abs(x.hi), Math.abs(lo), Math.abs(hi)) + half };
}
