/**
 * Max over groups of elements (max pooling, reduce-max): a chain of pairwise maxima, each the
 * comparison gadget (compare.ts): s = [a ≥ b] from the signed decomposition of d = a - b ∈
 * [-(hi-lo), hi-lo] (m = 1 + bits(hi - lo) bits), then y = select(s, a, b). Cost per comparison:
 * m + 2 constraints, m + 1 wires; a group of w elements takes w - 1 comparisons. The running
 * maximum stays in [lo, hi], so every comparison of a tensor uses the same m.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination } from "../lc.js";
import type { LcTensor } from "../lc.js";
import type { Groups } from "../../model/graph.js";
import type { PlanStep, TensorId } from "../plan.js";
import { writeInt, type WireSink } from "../wires.js";
import type { Ints } from "../../quantize/qgraph.js";
import { isGe, isGeWitness, select, selectValue, signedBits } from "./compare.js";

/** Bits of one comparison of values in [lo, hi]: a signed decomposition of their difference. */
export function maxComparisonBits(lo: number, hi: number): number {
  return signedBits(lo - hi, hi - lo);
}

/** Wires of comparison c (0-based over the whole tensor): its m bits, then the maximum. */
function comparisonWire(base: number, c: number, m: number): number {
  return base + c * (m + 1);
}

export function maxGroups(
  cs: ConstraintSystem,
  x: LcTensor,
  groups: Groups,
  lo: number,
  hi: number,
  outShape: readonly number[],
  name: string,
  input: TensorId,
  output: TensorId,
): LcTensor {
  const m = maxComparisonBits(lo, hi);
  const nGroups = groups.start.length - 1;
  const nComparisons = groups.indices.length - nGroups;
  return cs.measure("max", nComparisons, () => {
    // one block of m + 1 wires per comparison: its m bits, then the maximum so far
    const wire = cs.alloc(nComparisons * (m + 1), `${name}.cmp`, m + 1);
    const pairs: { a: LinearCombination; b: LinearCombination; y: number }[] = [];
    const out: LinearCombination[] = [];
    let c = 0;
    for (let g = 0; g < nGroups; g++) {
      let cur = x.lcs[groups.indices[groups.start[g]!]!]!;
      for (let j = groups.start[g]! + 1; j < groups.start[g + 1]!; j++, c++) {
        const b = x.lcs[groups.indices[j]!]!;
        const y = comparisonWire(wire, c, m) + m;
        pairs.push({ a: cur, b, y });
        cur = LinearCombination.wire(y);
      }
      out.push(cur);
    }
    const { bits } = isGe(
      cs,
      pairs.map(({ a, b }) => a.add(b, -1n)),
      m,
      name,
      { wire, stride: m + 1 },
    );
    pairs.forEach(({ a, b, y }, i) => select(cs, bits[i]![m - 1]!, a, b, y));
    cs.steps.push({ kind: "max", input, output, groups, nBits: m, wire });
    return { shape: outShape, lcs: out };
  });
}

/** The witness twin: replays the comparison chain, writing each one's bits and maximum. */
export function maxWitness(step: Extract<PlanStep, { kind: "max" }>, x: Ints, sink: WireSink): void {
  const { groups, nBits: m, wire } = step;
  const d = [0n];
  let c = 0;
  // in BigInt, so a wide input (and a difference of two near 2^53) is exact; comparisons are few
  for (let g = 0; g + 1 < groups.start.length; g++) {
    let cur = BigInt(x[groups.indices[groups.start[g]!]!]!);
    for (let j = groups.start[g]! + 1; j < groups.start[g + 1]!; j++, c++) {
      const b = BigInt(x[groups.indices[j]!]!);
      const block = comparisonWire(wire, c, m);
      d[0] = cur - b;
      isGeWitness(sink, d, m, block);
      cur = selectValue(cur >= b ? 1 : 0, cur, b);
      writeInt(sink, block + m, cur);
    }
  }
}
