/**
 * Rescale, range check and activation in one bit decomposition (layout: quantize/layout.ts).
 *
 * For an accumulator x ∈ [lo, hi] and shift k, the honest result is q = floor((x + h) / 2^k)
 * with h = 2^(k-1) (round half up; h = 0 when k = 0). With qMin the smallest q allowed,
 * decompose  t = x + h - qMin·2^k  into k + m bits:
 *   - the low k bits are the remainder r ∈ [0, 2^k): the rescale is exact floor division;
 *   - the high m bits are q - qMin ∈ [0, 2^m): q is range-checked for free;
 *   - in a signed layout the top bit is [q ≥ center]: ReLU, leaky ReLU and a clip's lower
 *     bound read it; a piecewise polynomial reads its segment from the top bits.
 * Cost per element: k + m + 1 constraints and k + m wires, plus the activation's
 * (gadgets/activation.ts). Given x, t is fixed and its decomposition unique, so no prover
 * hint (quotient, remainder, sign, segment) is left unconstrained.
 */
import type { ConstraintSystem } from "../builder.js";
import type { LcTensor } from "../lc.js";
import type { PlanStep, TensorId } from "../plan.js";
import type { Activation, Ints } from "../../quantize/qgraph.js";
import type { Interval } from "../../quantize/bounds.js";
import { requantLayout } from "../../quantize/layout.js";
import type { WireSink } from "../wires.js";
import { decompose, recompose, writeBits } from "./bits.js";
import { activationCost, activationWitness, applyActivation } from "./activation.js";

export interface RequantParams {
  readonly shift: number;
  readonly act: Activation;
  /** bounds of the input the decomposition holds it to */
  readonly lo: number;
  readonly hi: number;
  /** set when those bounds are a window narrower than what the constraints upstream force */
  readonly window?: Interval | null;
  /** names the node in errors */
  readonly at?: string;
}

export function requant(
  cs: ConstraintSystem,
  x: LcTensor,
  p: RequantParams,
  name: string,
  input: TensorId,
  output: TensorId,
): LcTensor {
  const L = requantLayout(p.lo, p.hi, p.shift, p.act);
  const k = p.shift;
  return cs.measure(activationCost(p.act), x.lcs.length, () => {
    const { bits, wire } = decompose(
      cs,
      x.lcs.map((lc) => lc.addConstant(BigInt(L.offset))),
      L.nBits,
      name,
    );
    const qs = bits.map((b) => recompose(b, k, k + L.m, BigInt(L.qMin)));
    const { out, wires } = applyActivation(
      cs,
      p.act,
      qs,
      bits.map((b) => b.slice(k)),
      L,
      name,
    );
    cs.steps.push({
      kind: "requant",
      input,
      output,
      shift: k,
      act: p.act,
      bits: { offset: L.offset, nBits: L.nBits, wire },
      actWires: wires,
      window: p.window ? { ...p.window, at: p.at ?? "a rescale" } : null,
    });
    return { shape: x.shape, lcs: out };
  });
}

/** The witness twin: the decomposition bits of each input, then the activation's wires. */
export function requantWitness(step: Extract<PlanStep, { kind: "requant" }>, x: Ints, sink: WireSink): void {
  writeBits(sink, step.bits, x);
  activationWitness(step, x, sink);
}
