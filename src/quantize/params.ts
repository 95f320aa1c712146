/** Quantizing constant parameters (weights, biases, multipliers) and their exact quantization errors. */
import type { Tensor } from "../model/graph.js";
import type { IntTensor } from "./qgraph.js";
import { scaleForRange } from "./context.js";

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
export function dotError(wq: ArrayLike<number>, w: ArrayLike<number>, sw: number, start: number, count: number, stride: number, ex: number, X: number): number {
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
