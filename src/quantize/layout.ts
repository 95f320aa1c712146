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

/** floor((x + 2^(shift-1)) / 2^shift), exact for every integer double (past 2^53 through BigInt). */
export function rescale(x: number, shift: number): number {
  if (shift === 0) return x;
  const d = 2 ** shift;
  // x + d/2 is exact while both sides stay below 2^53
  if (Math.abs(x) + d <= Number.MAX_SAFE_INTEGER) return Math.floor((x + d / 2) / d);
  return Number(rescaleBig(BigInt(x), shift));
}

/** The same rescale of a wide value (BigInt's >> is a floor shift). */
export function rescaleBig(x: bigint, shift: number): bigint {
  return shift === 0 ? x : (x + (1n << BigInt(shift - 1))) >> BigInt(shift);
}

/** A rescale of either representation whose result is narrow (a requant's output: the quantizer keeps it so). */
export function rescaleInt(x: number | bigint, shift: number): number {
  return typeof x === "number" ? rescale(x, shift) : Number(rescaleBig(x, shift));
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
  const offset = half - qMin * 2 ** shift;
  // exact while qMin's bits and the half fit a double's 53 (a narrow output: the quantizer's define);
  // the constraints and the witness both read this number, so it must be the integer it stands for
  if (BigInt(offset) !== BigInt(half) - BigInt(qMin) * (1n << BigInt(shift)))
    throw new Error(`requant layout: offset ${half} - ${qMin}·2^${shift} is not exact in a double`);
  return { m, qMin, offset, nBits: shift + m, center };
}
