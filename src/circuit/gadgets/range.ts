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
  const nBits = bitLength(hi - lo);
  const shifted = xs.map((x) => x.addConstant(BigInt(-lo)));
  const { wire } = cs.measure("range", xs.length, () => decompose(cs, shifted, nBits, name));
  return { offset: -lo, nBits, wire };
}
