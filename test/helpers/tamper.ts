/**
 * The one tamper framework. A gadget bench (a small constraint system whose inputs are private
 * wires 1..n, a gadget built on them, its witness from the js backend, and the checker), the
 * lies a cheating prover could tell against an honest witness — change one wire; rewrite a bit
 * decomposition so its sum is unchanged but a bit is not 0 or 1 —, the audit every gadget's
 * suite runs (honest witness satisfied, every wire constrained, every generic and targeted lie
 * caught), and the tally of lies tried and caught that each suite writes to test/artifacts/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { ConstraintSystem } from "../../src/circuit/builder.js";
import { LinearCombination, type LcTensor } from "../../src/circuit/lc.js";
import type { BitsLayout, PlanStep, Salts, WitnessPlan } from "../../src/circuit/plan.js";
import { mod, P } from "../../src/field.js";
import type { WireSink } from "../../src/circuit/wires.js";
import { runSteps } from "../../src/witness/backends/js/reference.js";
import { checkR1cs, toSparse } from "../../src/witness/check.js";
import type { ParsedR1cs } from "../../src/formats/r1cs.js";
import { rng } from "./onnx.js";
import { asNarrow } from "../../src/quantize/qgraph.js";

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
    output: Array.from(asNarrow(values[inputs.length] ?? values[0]!, "output").data),
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

/** Single-wire changes of `wire`: +1, -1, the negation, and a random field element. */
export function singleWireLies(w: readonly bigint[], wire: number, rand: () => number): bigint[][] {
  const r = BigInt(Math.floor(rand() * 2 ** 52)) * 2n ** 200n + BigInt(Math.floor(rand() * 2 ** 52));
  return [w[wire]! + 1n, w[wire]! - 1n, P - w[wire]!, r % P]
    .filter((v) => mod(v) !== w[wire])
    .map((v) => withWire(w, wire, v));
}

/** Every decomposition a plan step records, with how many elements it covers. */
export function bitLayouts(step: PlanStep, elements: number): { layout: BitsLayout; count: number }[] {
  switch (step.kind) {
    case "input":
    case "param":
      return [{ layout: step.range, count: elements }];
    case "requant": {
      const out = [{ layout: step.bits, count: elements }];
      if (step.actWires.kind === "clip" && step.actWires.hiBits)
        out.push({ layout: step.actWires.hiBits, count: elements });
      return out;
    }
    case "div":
      return [
        { layout: step.quotient, count: elements },
        { layout: step.remainder, count: elements },
        { layout: step.slack, count: elements },
      ];
    case "invert":
      return [
        { layout: step.y, count: elements },
        { layout: step.e1, count: elements },
        { layout: step.e2, count: elements },
      ];
    case "argmax":
      return [{ layout: step.gap, count: elements }];
    case "commit":
      return step.parts.flatMap((p) => (p.check ? [{ layout: p.check, count: elements }] : []));
    default:
      return [];
  }
}

/**
 * The "non-boolean bit" lie: bit j += 2 and bit j+1 -= 1 leaves Σ 2^i·b_i unchanged, so only
 * booleanity can catch it. Returns one lie per (element, j) tried, at most `limit`.
 */
export function compensatingBitLies(
  w: readonly bigint[],
  layout: BitsLayout,
  count: number,
  limit: number,
  rand: () => number,
): bigint[][] {
  const out: bigint[][] = [];
  if (layout.nBits < 2) return out;
  for (let k = 0; k < limit; k++) {
    const i = Math.floor(rand() * count);
    const j = Math.floor(rand() * (layout.nBits - 1));
    const base = layout.wire + i * layout.nBits;
    const lie = withWire(w, base + j, w[base + j]! + 2n);
    lie[base + j + 1] = mod(lie[base + j + 1]! - 1n);
    out.push(lie);
  }
  return out;
}

// ---- the tally ----

const rows = new Map<string, { tried: number; caught: number }>();

export function record(gadget: string, lie: string, caught: boolean): void {
  const key = `${gadget} | ${lie}`;
  const r = rows.get(key) ?? { tried: 0, caught: 0 };
  r.tried++;
  if (caught) r.caught++;
  rows.set(key, r);
}

export function writeTally(file: string): void {
  const dir = path.resolve("test/artifacts");
  mkdirSync(dir, { recursive: true });
  const table = [...rows].map(([k, v]) => ({ gadget: k.split(" | ")[0], lie: k.split(" | ")[1], ...v }));
  writeFileSync(path.join(dir, `soundness-${file}.json`), JSON.stringify(table, null, 2) + "\n");
  for (const r of table)
    console.log(`${r.gadget.padEnd(24)} ${r.lie.padEnd(44)} tried ${String(r.tried).padStart(6)}  caught ${r.caught}`);
}

// ---- the audit ----

/** fast-check runs per gadget property (seeded: the same cases every run). */
export const RUNS = 12;

export interface Lie {
  name: string;
  witness: bigint[];
}

/** Runs (a), (b), (c) on one gadget instance; `lies` adds its targeted lies. */
export function audit(
  gadget: string,
  b: Bench,
  nInputs: number,
  seed: number,
  lies: Lie[] = [],
  elements = lastElements,
): void {
  expect(b.satisfied(b.witness), `${gadget}: honest witness`).toBe(true);
  const used = new Set<number>();
  for (const c of b.r1cs.constraints) for (const lc of c) for (const w of lc.wires) used.add(w);
  for (let w = 1; w < b.cs.nWires; w++) expect(used.has(w), `${gadget}: wire ${w} unconstrained`).toBe(true);
  const rand = rng(seed);
  for (let wire = 1 + nInputs; wire < b.cs.nWires; wire++) {
    for (const lie of singleWireLies(b.witness, wire, rand)) {
      const caught = !b.satisfied(lie);
      record(gadget, "single-wire change", caught);
      expect(caught, `${gadget}: changing wire ${wire} accepted`).toBe(true);
    }
  }
  for (const step of b.cs.steps as PlanStep[]) {
    for (const { layout, count } of bitLayouts(step, elements)) {
      for (const lie of compensatingBitLies(b.witness, layout, count, 6, rand)) {
        const caught = !b.satisfied(lie);
        record(gadget, "non-boolean bits, same sum", caught);
        expect(caught, `${gadget}: non-boolean bits accepted`).toBe(true);
      }
    }
  }
  for (const lie of lies) {
    // a "lie" that changes nothing (flipping the decision at q = 0, say) is the truth: skip it
    if (lie.witness.every((v, i) => v === b.witness[i])) continue;
    const caught = !b.satisfied(lie.witness);
    record(gadget, lie.name, caught);
    expect(caught, `${gadget}: ${lie.name} accepted`).toBe(true);
  }
}

/** How many elements the last gadget's decompositions cover (set by `run`). */
let lastElements = 0;

export function run(
  inputs: BenchInput[],
  build: (cs: ConstraintSystem, xs: LcTensor[], ids: number[], out: number) => LcTensor,
  outShape: readonly number[],
  elements: number,
  salts: Salts = {},
): Bench {
  lastElements = elements;
  return benchMany(inputs, build, outShape, salts);
}
