/**
 * Gadget test bench: a small constraint system whose inputs are private wires 1..n, a gadget
 * built on them, its witness computed by the js backend, and the checker. Tamper tests take
 * the honest witness, change it, and expect the checker to reject it.
 */
import { ConstraintSystem } from "../../src/circuit/builder.js";
import { LinearCombination, type LcTensor } from "../../src/circuit/lc.js";
import type { WitnessPlan } from "../../src/circuit/plan.js";
import { mod } from "../../src/circuit/field.js";
import type { WireSink } from "../../src/circuit/wires.js";
import { runPlanJs } from "../../src/witness/backends/js.js";
import { checkR1cs, toSparse } from "../../src/witness/check.js";
import type { ParsedR1cs } from "../../src/formats/r1cs.js";

export class ArraySink implements WireSink {
  readonly w: bigint[];
  constructor(n: number) {
    this.w = new Array<bigint>(n).fill(0n);
    this.w[0] = 1n;
  }
  setInt(wire: number, v: number): void {
    this.w[wire] = mod(BigInt(v));
  }
}

export interface Bench {
  readonly cs: ConstraintSystem;
  readonly r1cs: Pick<ParsedR1cs, "constraints" | "nWires">;
  /** the honest witness */
  readonly witness: bigint[];
  /** the gadget's output values (from the reference) */
  readonly output: number[];
  /** first wire allocated by the gadget (inputs are below it) */
  readonly firstGadgetWire: number;
  satisfied(w: readonly bigint[]): boolean;
}

export function bench(
  inputs: readonly number[],
  shape: readonly number[],
  build: (cs: ConstraintSystem, x: LcTensor) => LcTensor,
  outShape: readonly number[] = shape,
): Bench {
  const n = inputs.length;
  const cs = new ConstraintSystem({ nPubOut: 0, nPubIn: 0, nPrvIn: n });
  const first = cs.nWires;
  const x: LcTensor = { shape, lcs: inputs.map((_, i) => LinearCombination.wire(1 + i)) };
  build(cs, x);
  const sink = new ArraySink(cs.nWires);
  inputs.forEach((v, i) => sink.setInt(1 + i, v));
  const plan: WitnessPlan = { nWires: cs.nWires, tensors: [{ shape }, { shape: outShape }], steps: cs.steps, input: 0, outputs: [1] };
  const values = runPlanJs(plan, { shape, data: Float64Array.from(inputs) }, sink);
  const r1cs = toSparse({ nWires: cs.nWires, nPubOut: 0, nPubIn: 0, nPrvIn: n, constraints: cs.constraints });
  return {
    cs, r1cs, witness: sink.w, output: Array.from((values[1] ?? values[0]!).data), firstGadgetWire: first,
    satisfied: (w) => checkR1cs(r1cs, w).ok,
  };
}

/** The witness with one wire replaced. */
export function withWire(w: readonly bigint[], wire: number, v: bigint | number): bigint[] {
  const out = [...w];
  out[wire] = mod(BigInt(v));
  return out;
}

/** Wires [from, to) each changed by +1 and by -1: how many of those tampered witnesses were accepted. */
export function acceptedSingleWireChanges(b: Bench, from = b.firstGadgetWire, to = b.cs.nWires): number {
  let accepted = 0;
  for (let wire = from; wire < to; wire++) {
    for (const delta of [1n, -1n]) if (b.satisfied(withWire(b.witness, wire, b.witness[wire]! + delta))) accepted++;
  }
  return accepted;
}
