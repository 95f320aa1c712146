/**
 * Bit decomposition: the one gadget that range checks, rescales, ReLU signs and comparisons
 * are all built on.
 *
 * For each element, x (whose value must lie in [0, 2^n)) gets n bit wires, each born with
 * its booleanity b·(b - 1) = 0, and one recomposition constraint x = Σ 2^i·b_i.
 * Cost: n + 1 constraints and n wires per element; x's terms appear once, in the
 * recomposition, with their own (small) coefficients.
 *
 * Soundness: every b_i ∈ {0,1}, so Σ 2^i·b_i is an integer in [0, 2^n); with n < 253 it is
 * below p, so x equals it as an integer: x ∈ [0, 2^n), with a unique decomposition.
 *
 * (Deriving the top bit from the others instead saves a wire and a constraint, but puts x's
 * terms into three constraints with 254-bit coefficients; snarkjs's setup time grows with
 * exactly that, measured 2.2× slower on digits_cnn. See docs/circuits.md.)
 */
import { LinearCombination, ONE, type Wire } from "../lc.js";
import type { ConstraintSystem } from "../builder.js";
import { bitOf, type WireSink } from "../wires.js";
import type { BitsLayout } from "../plan.js";
import type { Ints } from "../../quantize/qgraph.js";

export const MAX_DECOMPOSITION_BITS = 252;

/** What a dry constraint system hands out for bits (see ConstraintSystem.dry). */
const PLACEHOLDER_BIT = LinearCombination.wire(ONE);

/** Where element i's bits live: wire + i·stride + j. */
export interface BitWires {
  readonly wire: Wire;
  readonly stride: number;
}

/**
 * Allocates n boolean wires per element (each born with b·(b - 1) = 0) and returns them as
 * linear combinations, LSB first. A value defined as their weighted sum is range-checked to
 * [0, 2^n) by construction; `decompose` ties an existing value to them instead.
 */
export function allocBits(
  cs: Pick<ConstraintSystem, "alloc" | "enforce"> & { readonly dry?: boolean; tally?(n: number): void },
  count: number,
  n: number,
  name: string,
  at?: BitWires,
): { bits: LinearCombination[][]; wire: Wire } {
  if (!Number.isInteger(n) || n < 0 || n > MAX_DECOMPOSITION_BITS)
    throw new Error(`decompose: ${n} bits is out of range`);
  const stride = at ? at.stride : n;
  const wire = at ? at.wire : cs.alloc(count * n, `${name}.bits`, n);
  if (cs.dry) {
    // the layout is all a dry system needs: one shared placeholder stands for every bit
    cs.tally?.(count * n); // the booleanity constraints it did not build
    const row = new Array<LinearCombination>(n).fill(PLACEHOLDER_BIT);
    return { bits: new Array<LinearCombination[]>(count).fill(row), wire };
  }
  const zero = LinearCombination.zero();
  const bits = Array.from({ length: count }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const b = LinearCombination.wire(wire + i * stride + j);
      cs.enforce(b, b.addConstant(-1n), zero); // b ∈ {0, 1}
      return b;
    }),
  );
  return { bits, wire };
}

/**
 * Constrains every x to [0, 2^n) and returns each one's n bits (bits[i][j] = bit j of x_i,
 * each a single wire). The wires are allocated here, n per element, unless the caller
 * passes wires it reserved itself.
 */
export function decompose(
  cs: Pick<ConstraintSystem, "alloc" | "enforce"> & { readonly dry?: boolean; tally?(n: number): void },
  xs: readonly LinearCombination[],
  n: number,
  name: string,
  at?: BitWires,
): { bits: LinearCombination[][]; wire: Wire } {
  const { bits, wire } = allocBits(cs, xs.length, n, name, at);
  if (cs.dry) {
    cs.tally?.(xs.length); // one recomposition per element
    return { bits, wire };
  }
  const one = LinearCombination.wire(ONE);
  xs.forEach((x, i) => cs.enforce(x.add(recompose(bits[i]!, 0, n), -1n), one, LinearCombination.zero())); // x = Σ 2^j·b_j
  return { bits, wire };
}

/**
 * The witness twin of `decompose`: writes the n bits of each (value + offset). Values come as
 * doubles or BigInt (wide tensors); up to 53 bits a double's sum is exact (a sum past 2^53 that
 * rounds cannot land inside [0, 2^n)), so only wider decompositions pay for BigInt.
 */
export function writeBits(sink: WireSink, layout: BitsLayout, values: Ints): void {
  const n = layout.nBits;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const base = layout.wire + i * n;
    if (typeof v === "number" && n <= 53 && Number.isSafeInteger(v) && Number.isSafeInteger(layout.offset)) {
      const t = v + layout.offset;
      if (!(t >= 0 && t < 2 ** n)) throw new RangeError(`value ${v} + ${layout.offset} does not fit in ${n} bits`);
      for (let j = 0; j < n; j++) sink.setInt(base + j, bitOf(t, j));
      continue;
    }
    const t = BigInt(v) + BigInt(layout.offset);
    if (!(t >= 0n && t >> BigInt(n) === 0n))
      throw new RangeError(`value ${v} + ${layout.offset} does not fit in ${n} bits`);
    // 32 bits at a time: one BigInt shift per chunk, not two BigInt operations per bit
    for (let j = 0; j < n; j += 32) {
      const chunk = Number(BigInt.asUintN(32, t >> BigInt(j)));
      for (let b = 0; b < 32 && j + b < n; b++) sink.setInt(base + j + b, (chunk >>> b) & 1);
    }
  }
}

/** Σ 2^j · bits[from + j] for j in [0, to - from): a window of a decomposition, as one LC. */
export function recompose(
  bits: readonly LinearCombination[],
  from: number,
  to: number,
  constant = 0n,
): LinearCombination {
  const window = bits.slice(from, to);
  return LinearCombination.sum(
    window,
    window.map((_, j) => 2n ** BigInt(j)),
    constant,
  );
}
