/**
 * Max over groups of elements (max pooling; later reduce-max): a chain of pairwise maxima.
 *
 * max(a, b) with a, b ∈ [lo, hi]: d = a - b lies in [-(hi-lo), hi-lo], so t = d + 2^(m-1)
 * with m = 1 + bits(hi - lo) decomposes into m bits whose top bit s is exactly [a ≥ b]. Then
 * y = b + s·(a - b) is one constraint, s·(a - b) = y - b. Cost per comparison: m + 2
 * constraints, m + 1 wires; a group of w elements takes w - 1 comparisons. The running maximum
 * stays in [lo, hi], so every comparison of a tensor uses the same m.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination } from "../lc.js";
import type { LcTensor } from "../lc.js";
import type { Groups } from "../../model/graph.js";
import type { PlanStep, TensorId } from "../plan.js";
import { bitLength, type WireSink } from "../wires.js";
import { decompose, writeBits } from "./bits.js";

export function maxComparisonBits(lo: number, hi: number): number {
  return 1 + bitLength(hi - lo);
}

/** Wires of comparison c (0-based over the whole tensor): its m bits, then the maximum. */
function comparisonWire(base: number, c: number, m: number): number {
  return base + c * (m + 1);
}

export function maxGroups(
  cs: ConstraintSystem, x: LcTensor, groups: Groups, lo: number, hi: number, outShape: readonly number[],
  name: string, input: TensorId, output: TensorId,
): LcTensor {
  const m = maxComparisonBits(lo, hi);
  const nGroups = groups.start.length - 1;
  const nComparisons = groups.indices.length - nGroups;
  return cs.measure("max", nComparisons, () => {
    // one block of m + 1 wires per comparison: its m bits, then the maximum so far
    const wire = cs.alloc(nComparisons * (m + 1), `${name}.cmp`, m + 1);
    const half = 2n ** BigInt(m - 1);
    const shifted: LinearCombination[] = []; // a - b + 2^(m-1) per comparison
    const pairs: { b: LinearCombination; d: LinearCombination; y: LinearCombination }[] = [];
    const out: LinearCombination[] = [];
    let c = 0;
    for (let g = 0; g < nGroups; g++) {
      let cur = x.lcs[groups.indices[groups.start[g]!]!]!;
      for (let j = groups.start[g]! + 1; j < groups.start[g + 1]!; j++, c++) {
        const b = x.lcs[groups.indices[j]!]!;
        const d = cur.add(b, -1n);
        const y = LinearCombination.wire(comparisonWire(wire, c, m) + m);
        shifted.push(d.addConstant(half));
        pairs.push({ b, d, y });
        cur = y;
      }
      out.push(cur);
    }
    const { bits } = decompose(cs, shifted, m, name, { wire, stride: m + 1 });
    pairs.forEach(({ b, d, y }, i) => cs.enforce(bits[i]![m - 1]!, d, y.add(b, -1n))); // s·(a - b) = y - b
    cs.steps.push({ kind: "max", input, output, groups, nBits: m, wire });
    return { shape: outShape, lcs: out };
  });
}

/** The witness twin: replays the comparison chain, writing each one's bits and maximum. */
export function maxWitness(step: Extract<PlanStep, { kind: "max" }>, x: ArrayLike<number>, sink: WireSink): void {
  const { groups, nBits: m, wire } = step;
  const half = 2 ** (m - 1);
  const t = [0];
  let c = 0;
  for (let g = 0; g + 1 < groups.start.length; g++) {
    let cur = x[groups.indices[groups.start[g]!]!]!;
    for (let j = groups.start[g]! + 1; j < groups.start[g + 1]!; j++, c++) {
      const b = x[groups.indices[j]!]!;
      const block = comparisonWire(wire, c, m);
      t[0] = cur - b;
      writeBits(sink, { offset: half, nBits: m, wire: block }, t);
      cur = Math.max(cur, b);
      sink.setInt(block + m, cur);
    }
  }
}
