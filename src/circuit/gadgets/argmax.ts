/**
 * ArgMax (first occurrence, as ONNX's select_last_index = 0) over groups of elements in
 * [lo, hi]. Per group of n elements x_i:
 *   - one-hot o_i: booleanity each, Σ o_i = 1;
 *   - the selected value M = Σ p_i with p_i = o_i·x_i (one product each);
 *   - gap_j = M - x_j - 1 + P_j + o_j ≥ 0 for every j, where P_j = Σ_{i<j} o_i: before the
 *     selection (P_j + o_j = 0) this says x_j < M, at or after it x_j ≤ M. A decomposition
 *     of bits(hi - lo) range-checks each gap.
 * So the selection is a maximum and no earlier element reaches it: the first maximum, unique.
 * The output index Σ i·o_i is free. Cost per element: bits(hi - lo) + 3; per group: 1.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination, ONE, type LcTensor } from "../lc.js";
import type { Groups } from "../../model/graph.js";
import type { PlanStep, TensorId } from "../plan.js";
import { bitLength, writeInt, type WireSink } from "../wires.js";
import type { Ints } from "../../quantize/qgraph.js";
import { allocBits, decompose, writeBits } from "./bits.js";

const LC = LinearCombination;

export function argmax(
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
  const n = groups.indices.length;
  const nb = bitLength(hi - lo);
  return cs.measure("argmax", n, () => {
    const { bits: oh, wire: onehotWire } = allocBits(cs, n, 1, `${name}.onehot`);
    const o = oh.map((b) => b[0]!);
    const productWire = cs.alloc(n, `${name}.selected`);
    const gaps: LinearCombination[] = [];
    const out: LinearCombination[] = [];
    for (let g = 0; g + 1 < groups.start.length; g++) {
      const [s, e] = [groups.start[g]!, groups.start[g + 1]!];
      const members = Array.from({ length: e - s }, (_, k) => s + k);
      cs.enforce(
        LC.sum(
          members.map((j) => o[j]!),
          members.map(() => 1n),
        ),
        LC.wire(ONE),
        LC.constant(1),
      ); // Σ o = 1
      const ps = members.map((j) => {
        const p = LC.wire(productWire + j);
        cs.enforce(o[j]!, x.lcs[groups.indices[j]!]!, p); // p = o·x
        return p;
      });
      const M = LC.sum(
        ps,
        ps.map(() => 1n),
      );
      let prefix = LC.zero();
      for (const j of members) {
        gaps.push(LC.sum([M, x.lcs[groups.indices[j]!]!, prefix, o[j]!], [1n, -1n, 1n, 1n], -1n));
        prefix = prefix.add(o[j]!);
      }
      out.push(
        LC.sum(
          members.map((j) => o[j]!),
          members.map((_, k) => BigInt(k)),
        ),
      );
    }
    // the one-hot is unique given x: it must select the first maximum (see the header)
    cs.hint(
      "argmax",
      [
        { first: onehotWire, count: n },
        { first: productWire, count: n },
      ],
      x.lcs,
    );
    const gap = decompose(cs, gaps, nb, `${name}.gap`);
    cs.steps.push({
      kind: "argmax",
      input,
      output,
      groups,
      onehotWire,
      productWire,
      gap: { offset: 0, nBits: nb, wire: gap.wire },
    });
    return { shape: outShape, lcs: out };
  });
}

/** The witness twin: one-hot of the first maximum, the selected products, the gaps' bits. */
export function argmaxWitness(step: Extract<PlanStep, { kind: "argmax" }>, x: Ints, sink: WireSink): void {
  const { start, indices } = step.groups;
  const gaps: bigint[] = []; // BigInt: x may be wide (logits straight off a deep accumulation)
  const at = (j: number) => BigInt(x[indices[j]!]!);
  for (let g = 0; g + 1 < start.length; g++) {
    let best = start[g]!;
    for (let j = start[g]! + 1; j < start[g + 1]!; j++) if (at(j) > at(best)) best = j;
    const M = at(best);
    for (let j = start[g]!; j < start[g + 1]!; j++) {
      const on = j === best ? 1 : 0;
      sink.setInt(step.onehotWire + j, on);
      writeInt(sink, step.productWire + j, on ? at(j) : 0);
      gaps.push(M - at(j) - 1n + (j >= best ? 1n : 0n));
    }
  }
  writeBits(sink, step.gap, gaps);
}
