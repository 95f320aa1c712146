/**
 * How a `requant` lays out its one bit decomposition: the quantizer needs it to build
 * polynomial tables (segments are bit windows of the decomposition) and the circuit to
 * build constraints, so both call this.
 *
 * q = floor((x + h) / 2^k) (h = 2^(k-1), or 0 when k = 0) is written as q = qMin + z with
 * z ∈ [0, 2^m), and t = x + h - qMin·2^k is decomposed into k + m bits: the low k bits are
 * the remainder, the high m bits are z.
 *   - "tight": qMin = the smallest honest q, m just covers the honest range.
 *   - "signed" around c: qMin = c - 2^(m-1), so the top bit is exactly [q ≥ c] (ReLU: c = 0).
 */
import { bitLength, signedBits } from "../util/bits.js";
import type { Activation } from "./qgraph.js";

export function rescale(x: number, shift: number): number {
  if (shift === 0) return x;
  const d = 2 ** shift;
  return Math.floor((x + d / 2) / d);
}

export interface RequantLayout {
  /** bits of q - qMin */
  readonly m: number;
  readonly qMin: number;
  /** t = x + offset is what is decomposed */
  readonly offset: number;
  /** k + m */
  readonly nBits: number;
  /** the top bit is [q ≥ center] (signed layouts only) */
  readonly center: number | null;
}

/** The center of a signed layout for this activation, or null for a tight one. */
export function activationCenter(act: Activation): number | null {
  switch (act.kind) {
    case "relu":
    case "leaky":
      return 0;
    case "clip":
      return act.lo;
    default:
      return null;
  }
}

export function requantLayout(lo: number, hi: number, shift: number, act: Activation): RequantLayout {
  const qLo = rescale(lo, shift);
  const qHi = rescale(hi, shift);
  const center = activationCenter(act);
  let m: number, qMin: number;
  if (act.kind === "poly") {
    qMin = act.table.qMin;
    m = act.table.t + act.table.w;
  } else if (center !== null) {
    m = signedBits(qLo, qHi, center);
    qMin = center - 2 ** (m - 1);
  } else {
    m = bitLength(qHi - qLo);
    qMin = qLo;
  }
  const half = shift > 0 ? 2 ** (shift - 1) : 0;
  return { m, qMin, offset: half - qMin * 2 ** shift, nBits: shift + m, center };
}
