/**
 * The soundness suite, gadget by gadget (fast-check, seeded): for random parameters and
 * inputs, (a) the honest witness satisfies the R1CS; (b) every single-wire change of a
 * non-input wire (+1, -1, negation, a random field element), every non-boolean-bit rewrite of
 * every decomposition, and each gadget's targeted lies are rejected; (c) every wire appears
 * in some constraint. A tally of lies tried and caught goes to test/artifacts/.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { ConstraintSystem } from "../../src/circuit/builder.js";
import type { LcTensor } from "../../src/circuit/lc.js";
import type { PlanStep, Salts } from "../../src/circuit/plan.js";
import { requant } from "../../src/circuit/gadgets/requant.js";
import { rangeCheck } from "../../src/circuit/gadgets/range.js";
import { maxGroups } from "../../src/circuit/gadgets/max.js";
import { argmax } from "../../src/circuit/gadgets/argmax.js";
import { product } from "../../src/circuit/gadgets/product.js";
import { div } from "../../src/circuit/gadgets/div.js";
import { commit } from "../../src/circuit/gadgets/commit.js";
import { requantLayout } from "../../src/quantize/layout.js";
import { activate, rescale, roundDiv } from "../../src/quantize/reference.js";
import { fitPoly } from "../../src/quantize/poly.js";
import type { Activation } from "../../src/quantize/qgraph.js";
import { axisGroups } from "../../src/model/indexing.js";
import { poolGroups } from "../../src/model/windows.js";
import { bitLength } from "../../src/util/bits.js";
import { LinearCombination } from "../../src/circuit/lc.js";
import { benchMany, type Bench, type BenchInput } from "../helpers/circuit.js";
import { rng } from "../helpers/onnx.js";
import { bitLayouts, compensatingBitLies, singleWireLies, withWire } from "./lies.js";
import { record, writeTally } from "./tally.js";

const RUNS = 12;
afterAll(() => writeTally("gadgets"));

interface Lie {
  name: string;
  witness: bigint[];
}

/** Runs (a), (b), (c) on one gadget instance; `lies` adds its targeted lies. */
function audit(
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

function run(
  inputs: BenchInput[],
  build: (cs: ConstraintSystem, xs: LcTensor[], ids: number[], out: number) => LcTensor,
  outShape: readonly number[],
  elements: number,
  salts: Salts = {},
): Bench {
  lastElements = elements;
  return benchMany(inputs, build, outShape, salts);
}

describe("soundness: range checks", () => {
  it("every value in range passes; out-of-range values and rewritten bits do not", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5000, max: 5000 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        (lo, n, count, seed) => {
          const r = rng(seed);
          const xs = Array.from({ length: count }, () => lo + Math.floor(r() * 2 ** n));
          const b = run(
            [{ shape: [count], values: xs }],
            (cs, x) => {
              const range = rangeCheck(cs, x[0]!.lcs, lo, lo + 2 ** n - 1, "x");
              cs.steps.push({ kind: "input", tensor: 0, wire: 1, range });
              return x[0]!;
            },
            [count],
            count,
          );
          // the input itself pushed past the range, its bits kept: the sum no longer matches
          audit("range check", b, 0, seed, [
            { name: "value past the range, bits kept", witness: withWire(b.witness, 1, BigInt(xs[0]! + 2 ** n)) },
          ]);
        },
      ),
      { numRuns: RUNS, seed: 1 },
    );
  });
});

const activations = fc.oneof(
  fc.constant<Activation>({ kind: "none" }),
  fc.constant<Activation>({ kind: "relu" }),
  fc.record({
    kind: fc.constant("leaky" as const),
    alpha: fc.integer({ min: 1, max: 60 }),
    alphaShift: fc.constant(6),
  }),
  fc
    .tuple(fc.integer({ min: -40, max: 0 }), fc.integer({ min: 1, max: 60 }))
    .map(([lo, hi]): Activation => ({ kind: "clip", lo, hi })),
);

describe("soundness: rescale + activation", () => {
  it("requant with none / relu / leaky / clip", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 100, max: 200000 }),
        activations,
        fc.integer(),
        (shift, span, act, seed) => {
          const r = rng(seed);
          const lo = -Math.floor(span * r()),
            hi = lo + span;
          const xs = [lo, hi, ...Array.from({ length: 3 }, () => lo + Math.floor(r() * (span + 1)))];
          const b = run(
            [{ shape: [xs.length], values: xs }],
            (cs, x, ids, out) => requant(cs, x[0]!, { shift, act, lo, hi }, "r", ids[0]!, out),
            [xs.length],
            xs.length,
          );
          const L = requantLayout(lo, hi, shift, act);
          const g = b.firstGadgetWire;
          const lies: Lie[] = [];
          // off-by-one quotient, remainder adjusted to keep the sum (a negative remainder in bit 0)
          if (shift > 0 && L.m > 0) {
            const t = xs[2]! + L.offset;
            const rem = t % 2 ** shift,
              high = (t - rem) / 2 ** shift;
            if (high + 1 < 2 ** L.m) {
              let w = [...b.witness];
              const base = g + 2 * L.nBits;
              for (let j = 0; j < shift; j++) w = withWire(w, base + j, 0n);
              w = withWire(w, base, BigInt(rem - 2 ** shift));
              for (let j = 0; j < L.m; j++)
                w = withWire(w, base + shift + j, BigInt(Math.floor((high + 1) / 2 ** j) % 2));
              lies.push({ name: "quotient+1, remainder-2^k", witness: w });
            }
          }
          // the sign/comparison bit flipped (its output rewritten to match the flipped decision)
          if (L.center !== null) {
            const sign = g + 2 * L.nBits + L.nBits - 1;
            lies.push({ name: "flipped sign bit", witness: withWire(b.witness, sign, 1n - b.witness[sign]!) });
            const actWire = g + xs.length * L.nBits + 2; // the activation's first wire for element 2
            const q = rescale(xs[2]!, shift);
            const flipped =
              act.kind === "relu" || act.kind === "leaky"
                ? q >= 0
                  ? 0
                  : q
                : act.kind === "clip"
                  ? q >= act.lo!
                    ? act.lo!
                    : q
                  : q;
            lies.push({
              name: "output of the flipped decision",
              witness: withWire(b.witness, actWire, BigInt(flipped)),
            });
          }
          expect(b.output).toEqual(xs.map((x) => activate(act, rescale(x, shift))));
          audit(`requant+${act.kind}`, b, 0, seed, lies);
        },
      ),
      { numRuns: RUNS * 2, seed: 2 },
    );
  });

  it("piecewise polynomials (sigmoid, tanh, exp, erf, gelu)", () => {
    const fns = ["sigmoid", "tanh", "exp", "erf", "gelu"] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...fns),
        fc.integer({ min: 16, max: 600 }),
        fc.integer({ min: 3, max: 6 }),
        fc.integer(),
        (fn, span, scale, seed) => {
          const r = rng(seed);
          const lo = -Math.floor(span * (fn === "exp" ? 1 : r())),
            hi = fn === "exp" ? 0 : lo + span;
          const table = fitPoly(fn, lo, hi, scale, 2 ** -8, "test");
          const act: Activation = { kind: "poly", table };
          const xs = [lo, hi, lo + Math.floor(r() * (hi - lo + 1))];
          const b = run(
            [{ shape: [3], values: xs }],
            (cs, x, ids, out) => requant(cs, x[0]!, { shift: 0, act, lo, hi }, "p", ids[0]!, out),
            [3],
            3,
          );
          const lies: Lie[] = [];
          const L = requantLayout(lo, hi, 0, act);
          const polyWires = b.firstGadgetWire + 3 * L.nBits;
          if (table.t >= 2) {
            // move the segment's one-hot to a neighbour: products rewritten consistently at level 1
            const w = withWire(
              withWire(b.witness, polyWires, 1n - b.witness[polyWires]!),
              polyWires + 1,
              1n - b.witness[polyWires + 1]!,
            );
            lies.push({ name: "one-hot moved to another segment", witness: w });
          }
          audit(`poly ${fn}`, b, 0, seed, lies);
        },
      ),
      { numRuns: RUNS, seed: 3 },
    );
  });
});

describe("soundness: comparisons", () => {
  it("max pooling", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 3 }), fc.integer(), (side, k, seed) => {
        const r = rng(seed);
        const lo = -300,
          hi = 500;
        const xs = Array.from({ length: side * side }, () => lo + Math.floor(r() * (hi - lo + 1)));
        const p = {
          kernel: [k, k] as [number, number],
          strides: [1, 1] as [number, number],
          pads: [0, 0, 0, 0] as [number, number, number, number],
          dilations: [1, 1] as [number, number],
          ceilMode: false,
        };
        if (side < k) return;
        const groups = poolGroups([1, 1, side, side], p);
        const out = [1, 1, side - k + 1, side - k + 1];
        const b = run(
          [{ shape: [1, 1, side, side], values: xs }],
          (cs, x, ids, o) => maxGroups(cs, x[0]!, groups, lo, hi, out, "m", ids[0]!, o),
          out,
          0,
        );
        // the first window's final maximum replaced by its first element, with the last comparison bit flipped
        const m = 1 + bitLength(hi - lo);
        const lastCmp = b.firstGadgetWire + (k * k - 2) * (m + 1);
        const first = xs[groups.indices[0]!]!;
        const lie = withWire(
          withWire(b.witness, lastCmp + m, BigInt(first)),
          lastCmp + m - 1,
          1n - b.witness[lastCmp + m - 1]!,
        );
        audit(
          "max",
          b,
          0,
          seed,
          b.output[0] !== first ? [{ name: "wrong maximum, comparison flipped", witness: lie }] : [],
        );
      }),
      { numRuns: RUNS, seed: 4 },
    );
  });

  it("argmax, ties included", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer(), (n, seed) => {
        const r = rng(seed);
        const xs = Array.from({ length: 2 * n }, () => Math.floor(r() * 5) - 2); // many ties
        const { groups } = axisGroups([2, n], [1]);
        const b = run(
          [{ shape: [2, n], values: xs }],
          (cs, x, ids, o) => argmax(cs, x[0]!, groups, -2, 2, [2, 1], "a", ids[0]!, o),
          [2, 1],
          2 * n,
        );
        const best = b.output[0]!;
        const lies: Lie[] = [];
        const g = b.firstGadgetWire;
        for (let j = 0; j < n; j++) {
          if (j === best) continue;
          // select j instead (one-hot and product rewritten); its gaps are left: some must fail
          let w = withWire(withWire(b.witness, g + best, 0n), g + j, 1n);
          w = withWire(withWire(w, g + 2 * n + best, 0n), g + 2 * n + j, BigInt(xs[j]!));
          lies.push({ name: xs[j] === xs[best] ? "a later tied maximum" : "a non-maximum", witness: w });
        }
        lies.push({ name: "two positions selected", witness: withWire(b.witness, g + ((best + 1) % n), 1n) });
        audit("argmax", b, 0, seed, lies);
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });
});

describe("soundness: arithmetic on computed tensors", () => {
  it("mul, matmul and convolution with computed kernels", () => {
    fc.assert(
      fc.property(fc.constantFrom("mul", "matmul", "conv"), fc.integer(), (op, seed) => {
        const r = rng(seed);
        const ints = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 41) - 20);
        let b: Bench;
        if (op === "mul")
          b = run(
            [
              { shape: [2, 3], values: ints(6) },
              { shape: [1, 3], values: ints(3) },
            ],
            (cs, x, ids, o) => product(cs, "mul", x[0]!, x[1]!, [2, 3], "m", [ids[0]!, ids[1]!], o),
            [2, 3],
            0,
          );
        else if (op === "matmul")
          b = run(
            [
              { shape: [2, 3], values: ints(6) },
              { shape: [3, 2], values: ints(6) },
            ],
            (cs, x, ids, o) => product(cs, "matmul", x[0]!, x[1]!, [2, 2], "mm", [ids[0]!, ids[1]!], o),
            [2, 2],
            0,
          );
        else {
          const params = {
            pads: [1, 0, 0, 1] as [number, number, number, number],
            strides: [1, 1] as [number, number],
            dilations: [1, 1] as [number, number],
            group: 1,
          };
          b = run(
            [
              { shape: [1, 2, 3, 3], values: ints(18) },
              { shape: [2, 2, 2, 2], values: ints(16) },
            ],
            (cs, x, ids, o) => product(cs, { conv: params }, x[0]!, x[1]!, [1, 2, 3, 3], "c", [ids[0]!, ids[1]!], o),
            [1, 2, 3, 3],
            0,
          );
        }
        const nIn = op === "mul" ? 9 : op === "matmul" ? 12 : 34;
        // two products swapped: each constraint still names its own factors
        const g = b.firstGadgetWire;
        const swapped = withWire(withWire(b.witness, g, b.witness[g + 1]!), g + 1, b.witness[g]!);
        audit(
          `product ${op}`,
          b,
          nIn,
          seed,
          b.witness[g] !== b.witness[g + 1] ? [{ name: "two products swapped", witness: swapped }] : [],
        );
      }),
      { numRuns: RUNS, seed: 6 },
    );
  });

  it("division by a computed positive tensor", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: -2, max: 4 }), fc.integer(), (n, shift, seed) => {
        const r = rng(seed);
        const a = Array.from({ length: n }, () => Math.floor(r() * 400) - 200);
        const bv = Array.from({ length: n }, () => 1 + Math.floor(r() * 300));
        const [sn, sd] = [2 ** Math.max(shift, 0), 2 ** Math.max(-shift, 0)];
        const qs = a.map((x, i) => roundDiv(x * sn, bv[i]! * sd));
        const out = { lo: Math.min(...qs, -4000), hi: Math.max(...qs, 4000) };
        const b = run(
          [
            { shape: [n], values: a },
            { shape: [n], values: bv },
          ],
          (cs, x, ids, o) => div(cs, x[0]!, x[1]!, { lo: 1, hi: 300 }, out, shift, [n], "d", [ids[0]!, ids[1]!], o),
          [n],
          n,
        );
        expect(b.output).toEqual(qs);
        // quotient + 1 with the product and remainder rewritten to keep 2N + D = 2qD + r
        const mq = bitLength(out.hi - out.lo);
        const g = b.firstGadgetWire;
        let w = [...b.witness];
        const q1 = qs[0]! + 1 - out.lo;
        for (let j = 0; j < mq; j++) w = withWire(w, g + j, BigInt(Math.floor(q1 / 2 ** j) % 2));
        w = withWire(w, g + n * mq, BigInt((qs[0]! + 1) * bv[0]! * sd));
        audit("div", b, 2 * n, seed, q1 < 2 ** mq ? [{ name: "quotient+1, remainder negative", witness: w }] : []);
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });
});

describe("soundness: commitments", () => {
  it("Poseidon over packed values (salted or not): the hash, the S-boxes and every slot are pinned", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.integer(),
        (n, bits, salted, seed) => {
          const r = rng(seed);
          const lo = -(2 ** (bits - 1));
          const xs = Array.from({ length: n }, () => lo + Math.floor(r() * 2 ** bits));
          const salt = BigInt(Math.floor(r() * 2 ** 52)) * 2n ** 150n + 12345n; // a wide field element
          let saltWire = -1;
          const b = run(
            [{ shape: [n], values: xs }],
            (cs, x, ids) => {
              // the inputs are free wires: no constraint holds them, so packing range-checks them into the slot
              saltWire = salted ? cs.alloc(1, "salt") : -1;
              const c = commit(
                cs,
                [{ lcs: x[0]!.lcs, fallback: { lo, hi: lo + 2 ** bits - 1 }, name: "x" }],
                salted ? LinearCombination.wire(saltWire) : null,
                "c",
              );
              expect(c.parts[0]!.check).not.toBeNull();
              const out = cs.alloc(1, "hash");
              cs.enforceEqual(LinearCombination.wire(out), c.hash);
              cs.steps.push({
                kind: "commit",
                parts: [{ tensor: ids[0]!, ...c.parts[0]!.slot, check: c.parts[0]!.check }],
                salt: salted ? { role: "output", wire: saltWire } : null,
                wire: c.sboxWire,
                outWire: out,
              });
              return { shape: [1], lcs: [LinearCombination.wire(out)] };
            },
            [1],
            n,
            { output: salt },
          );
          // the forgery's lie: carry 2^bits out of slot 0 into slot 1 (x0 + 2^bits, x1 - 1); the packed
          // element, and so every S-box and the hash, stay the same: only the slot check can refuse it
          const k = 2 ** bits;
          const lie = withWire(withWire(b.witness, 1, BigInt(xs[0]! + k)), 2, BigInt(xs[1]! - 1));
          audit("Poseidon commitment", b, n, seed, [{ name: "carry between slots, same hash", witness: lie }]);
        },
      ),
      { numRuns: 4, seed: 8 },
    );
  });
});
