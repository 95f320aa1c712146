/**
 * Range check of prover-supplied values (the model input): each x must lie in [lo, lo + 2^n)
 * where n is the bits needed for hi - lo. The quantizer makes hi - lo + 1 a power of two, so
 * the enforced range is exactly the accepted one. Cost: n + 1 constraints, n wires per value.
 */
import type { ConstraintSystem } from "../builder.js";
import type { LinearCombination } from "../lc.js";
import type { BitsLayout } from "../plan.js";
import { bitLength } from "../wires.js";
import { decompose } from "./bits.js";

export function rangeCheck(
  cs: ConstraintSystem,
  xs: readonly LinearCombination[],
  lo: number,
  hi: number,
  name: string,
): BitsLayout {
  return rangeCheckBits(cs, xs, lo, bitLength(hi - lo), name);
}

/**
 * The same check of [lo, lo + 2^nBits), for a slot given by its bits: past 2^53, lo + 2^n − 1
 * is no double (it rounds to lo + 2^n, and bitLength would then allow one bit more, letting a
 * packed value carry into its neighbour's slot).
 */
export function rangeCheckBits(
  cs: ConstraintSystem,
  xs: readonly LinearCombination[],
  lo: number,
  nBits: number,
  name: string,
): BitsLayout {
  const shifted = xs.map((x) => x.addConstant(BigInt(-lo)));
  const { wire } = cs.measure("range", xs.length, () => decompose(cs, shifted, nBits, name));
  return { offset: -lo, nBits, wire };
}
