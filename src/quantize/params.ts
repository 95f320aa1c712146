/** Quantizing constant parameters (weights, biases, multipliers) and their exact quantization errors. */
import type { Tensor } from "../model/graph.js";
import type { IntTensor } from "./qgraph.js";
import { scaleForRange } from "./context.js";
import type { Interval } from "./bounds.js";
import { bitLength } from "../util/bits.js";

/**
 * The values a prover may supply for a parameter tensor when parameters are private or hashed:
 * [lo, lo + 2^bits), lo the tensor's smallest value and bits enough for its spread. One bit
 * decomposition enforces exactly this range (the compiler's range check of the parameter
 * wires), and every bound downstream of the tensor is computed over all of it.
 */
export function admittedSlot(t: IntTensor): { lo: number; bits: number } {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < t.data.length; i++) {
    lo = Math.min(lo, t.data[i]!);
    hi = Math.max(hi, t.data[i]!);
  }
  if (t.data.length === 0) lo = hi = 0;
  return { lo, bits: Math.max(1, bitLength(hi - lo)) };
}

export function admittedRange(t: IntTensor): Interval {
  const s = admittedSlot(t);
  return { lo: s.lo, hi: slotHi(s.lo, s.bits) };
}

/**
 * The top of the slot [lo, lo + 2^bits) as a bound: lo + 2^bits − 1, exact below 2^53 and
 * rounded up past it (a double rounded to nearest could fall below values the slot holds).
 */
export function slotHi(lo: number, bits: number): number {
  const exact = BigInt(lo) + (1n << BigInt(bits)) - 1n;
  const h = Number(exact);
  return BigInt(h) >= exact ? h : h + Math.abs(h) * 2 ** -51;
}

/**
 * Scale for constant parameters: the largest that fits `bits`, but no larger than needed to
 * represent them exactly (a multiplier of -1 or 0.5 gets scale 0 or 1, not 7).
 */
export function paramScale(values: ArrayLike<number>, bits: number): number {
  let absMax = 0;
  for (let i = 0; i < values.length; i++) absMax = Math.max(absMax, Math.abs(values[i]!));
  const sMax = scaleForRange(absMax, bits);
  for (let s = Math.min(0, sMax); s < sMax; s++) {
    const k = 2 ** s;
    let exact = true;
    for (let i = 0; i < values.length && exact; i++) exact = Number.isInteger(values[i]! * k);
    if (exact) return s;
  }
  return sMax;
}

export function quantizeTensor(t: Tensor, scale: number): IntTensor {
  const k = 2 ** scale;
  return { shape: t.shape, data: t.data.map((v) => Math.round(v * k)) };
}

/**
 * Error of a quantized dot product's terms j (indices start + j·stride): Σ |ŵ|·ex + |ŵ - w|·X,
 * where ŵ = wq / 2^sw, ex bounds the input's error and X the input's magnitude.
 */
export function dotError(
  wq: ArrayLike<number>,
  w: ArrayLike<number>,
  sw: number,
  start: number,
  count: number,
  stride: number,
  ex: number,
  X: number,
): number {
  const k = 2 ** -sw;
  let e = 0;
  for (let j = 0; j < count; j++) {
    const i = start + j * stride;
    const wh = wq[i]! * k;
    e += Math.abs(wh) * ex + Math.abs(wh - w[i]!) * X;
  }
  return e;
}

/** |q / 2^s - v|: a constant's quantization error. */
export function constError(q: number, s: number, v: number): number {
  return Math.abs(q / 2 ** s - v);
}
