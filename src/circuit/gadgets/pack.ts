/**
 * Packing: the one way any tensor enters a commitment (inputs, parameters, outputs, and the
 * tensors where a split model's segments meet).
 *
 * A part's values go into slots of `bits` bits above `lo`: k = floor(252 / bits) values per
 * field element, e = Σ_j (v_j - lo)·2^(bits·j). Packing is injective — one element, one
 * tuple of values — exactly when every v_j lies in its slot [lo, lo + 2^bits): then each
 * (v_j - lo)·2^(bits·j) occupies its own bits and the sum stays below 2^252 < p. A value that
 * could leave its slot could carry into its neighbour, and two tensors would share one
 * commitment: a prover could then open it to an output the model never computed.
 *
 * So the gadget *proves* every value fits. The rule (docs/circuits.md, "Commitments"):
 *   - a value whose range the constraints already force (circuit/intervals.ts: derived from
 *     the constraints, never from calibration or from weights the prover may replace) and
 *     which lies inside the slot needs nothing more;
 *   - every other value is range-checked into the slot (a bit decomposition, bits + 1
 *     constraints each).
 * When the caller does not fix the slot, it is the smallest that holds the forced range, so
 * the check is free; a value with no forced range gets the caller's fallback slot, checked.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination } from "../lc.js";
import type { BitsLayout } from "../plan.js";
import type { PackPart } from "../../meta/model.js";
import type { Ints } from "../../quantize/qgraph.js";
import { hull, type Range } from "../intervals.js";
import { bitLength } from "../wires.js";
import { rangeCheckBits } from "./range.js";

export type { PackPart };

/** Bits of a field element a packed element may use: below p (254 bits) with room to spare. */
export const PACK_BITS = 252;

export function perElement(bits: number): number {
  return Math.max(1, Math.floor(PACK_BITS / Math.max(bits, 1)));
}

/** The smallest slot holding [lo, hi]. */
export function slotOf(r: Range): PackPart {
  return { lo: r.lo, bits: Math.max(1, bitLength(r.hi - r.lo)) };
}

export function fitsSlot(r: Range, slot: PackPart): boolean {
  // in BigInt: past 2^53, slot.lo + 2^bits − 1 rounds up to a value the slot does not hold
  return r.lo >= slot.lo && BigInt(Math.ceil(r.hi)) < BigInt(slot.lo) + (1n << BigInt(slot.bits));
}

/** One tensor to pack. */
export interface PackInput {
  readonly lcs: readonly LinearCombination[];
  /** the slot to use (a segment boundary's, agreed on both sides); when absent, chosen here */
  readonly slot?: PackPart;
  /** the slot for values whose range no constraint forces: the quantizer's bounds, range-checked */
  readonly fallback: Range;
  readonly name: string;
}

/** How one part was packed: its slot, and the range check the gadget added (null: none needed). */
export interface PackedPart {
  readonly slot: PackPart;
  readonly count: number;
  readonly check: BitsLayout | null;
}

/** Values in packing groups: k = floor(252 / bits) per field element, in order. */
function groupsOf<T>(values: readonly T[], slot: PackPart): T[][] {
  const k = perElement(slot.bits);
  const groups: T[][] = [];
  for (let i = 0; i < values.length; i += k) groups.push(values.slice(i, i + k));
  return groups;
}

/**
 * Packs every part into field elements (as linear combinations; packing itself is free), first
 * range-checking the values the constraints do not already hold inside their slots.
 */
export function pack(
  cs: ConstraintSystem,
  inputs: readonly PackInput[],
): { elements: LinearCombination[]; parts: PackedPart[] } {
  const parts = inputs.map((p): PackedPart => {
    const forced = p.lcs.map((lc) => cs.intervals.ofLc(lc));
    const known = forced.every((r): r is Range => r !== null) && forced.length > 0;
    const all = known ? forced.reduce(hull) : null;
    const slot = p.slot ?? (all && bitLength(all.hi - all.lo) <= PACK_BITS ? slotOf(all) : slotOf(p.fallback));
    const fits = known && forced.every((r) => fitsSlot(r, slot));
    const check = fits
      ? null
      : cs.measure("pack range", p.lcs.length, () => rangeCheckBits(cs, p.lcs, slot.lo, slot.bits, `${p.name}.slot`));
    return { slot, count: p.lcs.length, check };
  });
  const elements = inputs.flatMap((p, i) => {
    const slot = parts[i]!.slot;
    return groupsOf([...p.lcs], slot).map((g) =>
      LinearCombination.sum(
        g,
        g.map((_, j) => 1n << BigInt(slot.bits * j)),
        -g.reduce((acc, _, j) => acc + (BigInt(slot.lo) << BigInt(slot.bits * j)), 0n),
      ),
    );
  });
  return { elements, parts };
}

/** The same packing of plain values, as the witness and verifiers compute it. */
export function packValues(values: Ints, slot: PackPart): bigint[] {
  const lo = BigInt(slot.lo); // in BigInt: a wide value minus lo is exact
  return groupsOf(Array.from(values), slot).map((g) =>
    g.reduce((acc: bigint, v, j) => acc + ((BigInt(v) - lo) << BigInt(slot.bits * j)), 0n),
  );
}

/** Whether every value lies in its slot (a verifier's opening that does not cannot be the committed one). */
export function valuesFit(values: Ints, slot: PackPart): boolean {
  const lo = BigInt(slot.lo),
    hi = lo + (1n << BigInt(slot.bits)) - 1n;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v === "number" && !Number.isInteger(v)) return false;
    const b = BigInt(v);
    if (!(b >= lo && b <= hi)) return false;
  }
  return true;
}
