/**
 * Interval analysis: integer bounds of each op's output from its input's bounds. `mag` is a
 * bound on every partial sum along the way, which is what must stay below 2^53 for the
 * witness arithmetic (doubles, later int64 kernels) to be exact.
 */
import type { Conv2dParams, Shape } from "../model/graph.js";
import { broadcastIndex, sizeOf } from "../model/shapes.js";
import type { IntTensor } from "./qgraph.js";
import { rescale } from "./reference.js";

export interface Bounds {
  readonly lo: number;
  readonly hi: number;
  /** bound on |partial sums| while computing the op */
  readonly mag: number;
}

/** Bounds of Σ_j w_j·x_j (+ b) with every x_j in [lo, hi] (and, if `mayBeZero`, also 0). */
function dotBounds(ws: ArrayLike<number>, offset: number, count: number, stride: number, b: number, lo: number, hi: number, mayBeZero: boolean) {
  let sLo = b, sHi = b, mag = Math.abs(b);
  for (let j = 0; j < count; j++) {
    const w = ws[offset + j * stride]!;
    let a = w * lo, c = w * hi;
    if (a > c) [a, c] = [c, a];
    if (mayBeZero) { a = Math.min(a, 0); c = Math.max(c, 0); }
    sLo += a;
    sHi += c;
    mag += Math.max(Math.abs(a), Math.abs(c));
  }
  return { sLo, sHi, mag };
}

export function gemmBounds(weight: IntTensor, bias: IntTensor | null, lo: number, hi: number): Bounds {
  const [K, N] = weight.shape as [number, number];
  let rLo = Infinity, rHi = -Infinity, rMag = 0;
  for (let n = 0; n < N; n++) {
    const { sLo, sHi, mag } = dotBounds(weight.data, n, K, N, bias ? bias.data[n]! : 0, lo, hi, false);
    rLo = Math.min(rLo, sLo); rHi = Math.max(rHi, sHi); rMag = Math.max(rMag, mag);
  }
  return { lo: rLo, hi: rHi, mag: rMag };
}

export function convBounds(weight: IntTensor, bias: IntTensor | null, params: Conv2dParams, lo: number, hi: number): Bounds {
  const [M, Cg, KH, KW] = weight.shape as [number, number, number, number];
  const per = Cg * KH * KW;
  const padded = params.pads.some((p) => p > 0);
  let rLo = Infinity, rHi = -Infinity, rMag = 0;
  for (let m = 0; m < M; m++) {
    const { sLo, sHi, mag } = dotBounds(weight.data, m * per, per, 1, bias ? bias.data[m]! : 0, lo, hi, padded);
    rLo = Math.min(rLo, sLo); rHi = Math.max(rHi, sHi); rMag = Math.max(rMag, mag);
  }
  return { lo: rLo, hi: rHi, mag: rMag };
}

export function affineBounds(mul: IntTensor | null, add: IntTensor | null, outShape: Shape, lo: number, hi: number): Bounds {
  const n = sizeOf(outShape);
  const mi = mul ? broadcastIndex(mul.shape, outShape) : null;
  const ai = add ? broadcastIndex(add.shape, outShape) : null;
  let rLo = Infinity, rHi = -Infinity, rMag = 0;
  for (let i = 0; i < n; i++) {
    const m = mul ? mul.data[mi![i]!]! : 1;
    const b = add ? add.data[ai![i]!]! : 0;
    const { sLo, sHi, mag } = dotBounds([m], 0, 1, 1, b, lo, hi, false);
    rLo = Math.min(rLo, sLo); rHi = Math.max(rHi, sHi); rMag = Math.max(rMag, mag);
  }
  return { lo: rLo, hi: rHi, mag: rMag };
}

export function requantBounds(lo: number, hi: number, shift: number, relu: boolean): Bounds {
  const half = shift > 0 ? 2 ** (shift - 1) : 0;
  let qLo = rescale(lo, shift), qHi = rescale(hi, shift);
  if (relu) { qLo = Math.max(qLo, 0); qHi = Math.max(qHi, 0); }
  return { lo: qLo, hi: qHi, mag: Math.max(Math.abs(lo), Math.abs(hi)) + half };
}
