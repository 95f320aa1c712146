/**
 * Rescale, range check and (optionally) ReLU in one bit decomposition.
 *
 * For an accumulator x with bounds [lo, hi] and shift k, the honest result is
 * q = floor((x + h) / 2^k) with h = 2^(k-1) (round half up; h = 0 when k = 0). With qMin the
 * smallest q allowed, decompose  t = x + h - qMin·2^k  into k + m bits:
 *   - the low k bits are the remainder r ∈ [0, 2^k): the rescale is exact floor division;
 *   - the high m bits are q - qMin ∈ [0, 2^m): q is range-checked for free.
 * With ReLU, qMin = -2^(m-1), so the top bit is exactly [q ≥ 0] and y = top·q costs one
 * constraint. Without ReLU, qMin = floor((lo + h) / 2^k) and q stays a linear combination.
 * Cost per element: k + m + 1 constraints (+1 for ReLU); k + m wires (+1 for ReLU).
 *
 * Uniqueness: given x, t is fixed and its decomposition is unique, so (q, r) and the sign
 * are unique; no prover hint (remainder, quotient, sign) is left unconstrained.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination } from "../lc.js";
import type { LcTensor } from "../lc.js";
import type { PlanStep, TensorId } from "../plan.js";
import { rescale } from "../../quantize/reference.js";
import { bitLength, type WireSink } from "../wires.js";
import { decompose, recompose, writeBits } from "./bits.js";

export interface RequantParams {
  readonly shift: number;
  readonly relu: boolean;
  /** bounds of the input */
  readonly lo: number;
  readonly hi: number;
}

/** The decomposition's size and offset for these bounds (shared by compile and tests). */
export function requantLayout(p: RequantParams): { m: number; qMin: number; offset: number; nBits: number } {
  const half = p.shift > 0 ? 2 ** (p.shift - 1) : 0;
  const qLo = rescale(p.lo, p.shift);
  const qHi = rescale(p.hi, p.shift);
  let m: number, qMin: number;
  if (p.relu) {
    // symmetric range [-2^(m-1), 2^(m-1)) so the top bit is the sign
    m = 1 + Math.max(bitLength(Math.max(qHi, 0)), bitLength(Math.max(-qLo - 1, 0)));
    qMin = -(2 ** (m - 1));
  } else {
    m = bitLength(qHi - qLo);
    qMin = qLo;
  }
  return { m, qMin, offset: half - qMin * 2 ** p.shift, nBits: p.shift + m };
}

export function requant(cs: ConstraintSystem, x: LcTensor, p: RequantParams, name: string, input: TensorId, output: TensorId): LcTensor {
  const { m, qMin, offset, nBits } = requantLayout(p);
  const k = p.shift;
  return cs.measure(p.relu ? "requant+relu" : "requant", x.lcs.length, () => {
    const { bits, wire } = decompose(cs, x.lcs.map((lc) => lc.addConstant(BigInt(offset))), nBits, name);
    const qs = bits.map((b) => recompose(b, k, k + m, BigInt(qMin)));
    let out = qs;
    let reluWire = -1;
    if (p.relu) {
      reluWire = cs.alloc(qs.length, `${name}.relu`);
      out = qs.map((q, i) => {
        const y = LinearCombination.wire(reluWire + i);
        cs.enforce(bits[i]![nBits - 1]!, q, y); // y = [q ≥ 0] · q
        return y;
      });
    }
    cs.steps.push({ kind: "requant", input, output, shift: k, relu: p.relu, bits: { offset, nBits, wire }, reluWire });
    return { shape: x.shape, lcs: out };
  });
}

/** The witness twin: the decomposition bits of each input, and the ReLU outputs. */
export function requantWitness(step: Extract<PlanStep, { kind: "requant" }>, x: ArrayLike<number>, y: ArrayLike<number>, sink: WireSink): void {
  writeBits(sink, step.bits, x);
  if (step.reluWire >= 0) for (let i = 0; i < y.length; i++) sink.setInt(step.reluWire + i, y[i]!);
}
