/**
 * The one comparison: a signed bit decomposition whose top bit is [d ≥ c], and a selection
 * y = b + s·(a − b) driven by such a bit. Max pooling, ReLU, leaky ReLU and both ends of a clip
 * are all these two pieces (a ReLU's and a clip's lower end read the top bit of their requant's
 * own decomposition, so they need only `select`).
 *
 * isGe: for d ∈ [lo, hi], t = d − c + 2^(m−1) with m = signedBits(lo, hi, c) lies in [0, 2^m), so
 * it decomposes into m bits (bits.ts); t ≥ 2^(m−1) exactly when d ≥ c, so the top bit is
 * [d ≥ c], unique given d. Cost: m + 1 constraints, m wires per comparison.
 *
 * select: with s ∈ {0, 1}, s·(a − b) = y − b is one constraint and gives y = a when s = 1, b when
 * s = 0: y is pinned by s, a and b. Cost: 1 constraint, 1 wire.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination, type Wire } from "../lc.js";
import type { WireSink } from "../wires.js";
import type { Ints } from "../../quantize/qgraph.js";
import { decompose, writeBits, type BitWires } from "./bits.js";

export { signedBits } from "../../util/bits.js";

/**
 * Constrains each d (∈ [lo, hi]) to its signed decomposition around 0 with m bits; bits[i][m − 1]
 * is [d_i ≥ 0]. Wires as in `decompose` (its own, or `at`).
 */
export function isGe(
  cs: ConstraintSystem,
  ds: readonly LinearCombination[],
  m: number,
  name: string,
  at?: BitWires,
): { bits: LinearCombination[][]; wire: Wire } {
  const half = 2n ** BigInt(m - 1);
  return decompose(
    cs,
    ds.map((d) => d.addConstant(half)),
    m,
    name,
    at,
  );
}

/** The witness twin of isGe: the m bits of d + 2^(m−1) for each d, element i at wire + i·stride. */
export function isGeWitness(sink: WireSink, ds: Ints, m: number, wire: Wire, stride = m): void {
  const one: (number | bigint)[] = [0];
  for (let i = 0; i < ds.length; i++) {
    one[0] = ds[i]!;
    writeBits(sink, { offset: 2 ** (m - 1), nBits: m, wire: wire + i * stride }, one);
  }
}

/**
 * y = b + s·(a − b) on the wire y (s ∈ {0, 1}, a bit of a decomposition): one constraint. The
 * caller lays out y (max interleaves each comparison's bits and maximum; the activations keep
 * one block per tensor), because the plan step and the kernels write those layouts.
 */
export function select(
  cs: ConstraintSystem,
  s: LinearCombination,
  a: LinearCombination,
  b: LinearCombination,
  y: Wire,
): LinearCombination {
  const out = LinearCombination.wire(y);
  cs.enforce(s, a.add(b, -1n), out.add(b, -1n)); // s·(a − b) = y − b
  return out;
}

/** The witness twin of select. */
export function selectValue<T extends number | bigint>(s: number, a: T, b: T): T {
  return s ? a : b;
}
