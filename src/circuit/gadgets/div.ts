/**
 * Division by a computed positive tensor (Softmax's normalization): q = round(a·2^k / b).
 *
 * With N = a·2^k and D = b (or a and b·2^-k when k < 0), q = floor((2N + D) / (2D)), i.e.
 *   2N + D = q·2D + r,   0 ≤ r < 2D.
 * q comes from a decomposition (so it is range-checked), p = q·D is one product, r is the
 * linear combination 2N + D - 2p, and both r ≥ 0 and 2D - 1 - r ≥ 0 are decompositions.
 * All values are far below p, so the field equation is the integer one and q is unique.
 * Cost per element: (mq + 1) + 1 + 2(br + 1) constraints.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination, type LcTensor } from "../lc.js";
import type { PlanStep, TensorId } from "../plan.js";
import { broadcastIndex } from "../../model/shapes.js";
import { roundDiv } from "../../quantize/reference.js";
import type { Interval } from "../../quantize/bounds.js";
import { bitLength, type WireSink } from "../wires.js";
import { allocBits, decompose, recompose, writeBits } from "./bits.js";

export function div(
  cs: ConstraintSystem,
  a: LcTensor,
  b: LcTensor,
  bBounds: Interval,
  out: Interval,
  shift: number,
  outShape: readonly number[],
  name: string,
  inputs: readonly [TensorId, TensorId],
  output: TensorId,
): LcTensor {
  const ai = broadcastIndex(a.shape, outShape);
  const bi = broadcastIndex(b.shape, outShape);
  const [sn, sd] = [2n ** BigInt(Math.max(shift, 0)), 2n ** BigInt(Math.max(-shift, 0))];
  const mq = bitLength(out.hi - out.lo);
  const br = bitLength(2 * bBounds.hi * 2 ** Math.max(-shift, 0) - 1);
  return cs.measure("div", ai.length, () => {
    // q is defined by its bits, so it needs no wire or recomposition of its own
    const { bits: qBits, wire: qWire } = allocBits(cs, ai.length, mq, `${name}.q`);
    const qs = qBits.map((bits) => recompose(bits, 0, mq, BigInt(out.lo)));
    const pWire = cs.alloc(ai.length, `${name}.p`);
    const rs: LinearCombination[] = [];
    const slack: LinearCombination[] = [];
    for (let i = 0; i < ai.length; i++) {
      const N = a.lcs[ai[i]!]!.scale(sn);
      const D = b.lcs[bi[i]!]!.scale(sd);
      const p = LinearCombination.wire(pWire + i);
      cs.enforce(qs[i]!, D, p); // p = q·D
      const r = LinearCombination.sum([N, D, p], [2n, 1n, -2n]); // r = 2N + D - 2qD
      rs.push(r);
      slack.push(LinearCombination.sum([D, r], [2n, -1n], -1n)); // 2D - 1 - r
    }
    // q is unique given a and b: two quotients would give remainders 2D apart, and 0 ≤ r < 2D
    cs.hint(
      "div",
      [
        { first: qWire, count: ai.length * mq },
        { first: pWire, count: ai.length },
      ],
      [...a.lcs, ...b.lcs],
    );
    const rem = decompose(cs, rs, br, `${name}.r`);
    const sl = decompose(cs, slack, br, `${name}.slack`);
    cs.steps.push({
      kind: "div",
      inputs,
      output,
      shift,
      quotient: { offset: -out.lo, nBits: mq, wire: qWire },
      productWire: pWire,
      remainder: { offset: 0, nBits: br, wire: rem.wire },
      slack: { offset: 0, nBits: br, wire: sl.wire },
    });
    return { shape: outShape, lcs: qs };
  });
}

/** The witness twin: quotient bits, products, remainder and slack bits. */
export function divWitness(
  step: Extract<PlanStep, { kind: "div" }>,
  a: { shape: readonly number[]; data: ArrayLike<number> },
  b: { shape: readonly number[]; data: ArrayLike<number> },
  outShape: readonly number[],
  sink: WireSink,
): void {
  const ai = broadcastIndex(a.shape, outShape);
  const bi = broadcastIndex(b.shape, outShape);
  const [sn, sd] = [2 ** Math.max(step.shift, 0), 2 ** Math.max(-step.shift, 0)];
  const qs: number[] = [],
    rs: number[] = [],
    slack: number[] = [];
  for (let i = 0; i < ai.length; i++) {
    const N = a.data[ai[i]!]! * sn,
      D = b.data[bi[i]!]! * sd;
    const q = roundDiv(N, D);
    const r = 2 * N + D - 2 * q * D;
    sink.setInt(step.productWire + i, q * D);
    qs.push(q);
    rs.push(r);
    slack.push(2 * D - 1 - r);
  }
  writeBits(sink, step.quotient, qs);
  writeBits(sink, step.remainder, rs);
  writeBits(sink, step.slack, slack);
}
