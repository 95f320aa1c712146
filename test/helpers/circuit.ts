/**
 * Gadget test bench: a small constraint system whose inputs are private wires 1..n, a gadget
 * built on them, its witness computed by the js backend, and the checker. Tamper tests take
 * the honest witness, change it, and expect the checker to reject it.
 */
import { ConstraintSystem } from "../../src/circuit/builder.js";
import { LinearCombination, type LcTensor } from "../../src/circuit/lc.js";
import type { Salts, WitnessPlan } from "../../src/circuit/plan.js";
import { mod } from "../../src/field.js";
import type { WireSink } from "../../src/circuit/wires.js";
import { runSteps } from "../../src/witness/backends/js/reference.js";
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
  setField(wire: number, v: bigint): void {
    this.w[wire] = mod(v);
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

export interface BenchInput {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

/**
 * A gadget over one or more input tensors (private wires 1.., in order). The gadget gets
 * their LcTensors and tensor ids 0..k-1; its output is tensor id k.
 */
export function benchMany(
  inputs: readonly BenchInput[],
  build: (cs: ConstraintSystem, xs: LcTensor[], ids: number[], out: number) => LcTensor,
  outShape: readonly number[],
  salts: Salts = {},
): Bench {
  const n = inputs.reduce((a, t) => a + t.values.length, 0);
  const cs = new ConstraintSystem({ nPubOut: 0, nPubIn: 0, nPrvIn: n });
  const first = cs.nWires;
  let w = 1;
  const xs = inputs.map((t) => ({ shape: t.shape, lcs: t.values.map(() => LinearCombination.wire(w++)) }));
  build(
    cs,
    xs,
    inputs.map((_, i) => i),
    inputs.length,
  );
  const sink = new ArraySink(cs.nWires);
  inputs.flatMap((t) => t.values).forEach((v, i) => sink.setInt(1 + i, v));
  // bench tensors carry no bounds the gadgets rely on (only kernels read them): the widest exact ones
  const wide = { lo: -(2 ** 50), hi: 2 ** 50 };
  const plan: WitnessPlan = {
    nWires: cs.nWires,
    tensors: [...inputs.map((t) => ({ shape: t.shape, ...wide })), { shape: outShape, ...wide }],
    steps: cs.steps,
    input: 0,
    outputs: [inputs.length],
  };
  const values = runSteps(
    plan,
    inputs.map((t) => ({ shape: t.shape, data: Float64Array.from(t.values) })),
    sink,
    salts,
  );
  const r1cs = toSparse({ nWires: cs.nWires, nPubOut: 0, nPubIn: 0, nPrvIn: n, constraints: cs.constraints });
  return {
    cs,
    r1cs,
    witness: sink.w,
    output: Array.from((values[inputs.length] ?? values[0]!).data),
    firstGadgetWire: first,
    satisfied: (wit) => checkR1cs(r1cs, wit).ok,
  };
}

export function bench(
  inputs: readonly number[],
  shape: readonly number[],
  build: (cs: ConstraintSystem, x: LcTensor) => LcTensor,
  outShape: readonly number[] = shape,
): Bench {
  return benchMany([{ shape, values: inputs }], (cs, xs) => build(cs, xs[0]!), outShape);
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
