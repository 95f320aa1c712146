/** Activations fused into a requant: leaky ReLU, clip, piecewise polynomials. Honest witnesses pass; lies fail. */
import { afterAll, describe, expect, it } from "vitest";
import { requant, type RequantParams } from "../../src/circuit/gadgets/requant.js";
import { requantLayout } from "../../src/quantize/layout.js";
import { activate, rescale } from "../../src/quantize/reference.js";
import { fitPoly } from "../../src/quantize/poly.js";
import type { Activation } from "../../src/quantize/qgraph.js";
import { mod } from "../../src/field.js";
import fc from "fast-check";
import { rng } from "../helpers/onnx.js";
import {
  acceptedSingleWireChanges,
  bench,
  withWire,
  RUNS,
  audit,
  run,
  writeTally,
  type Lie,
} from "../helpers/tamper.js";

function activationBench(xs: number[], p: RequantParams) {
  return bench(xs, [xs.length], (cs, x) => requant(cs, x, p, "a", 0, 1));
}

const LO = -3000,
  HI = 4000;
const xs = [LO, HI, -1, 0, 1, -17, 17, 300, -300, 2047, -2048];

const cases: [string, Activation, number][] = [
  ["leaky relu (alpha 13/128)", { kind: "leaky", alpha: 13, alphaShift: 7 }, 2],
  ["clip [-50, 90]", { kind: "clip", lo: -50, hi: 90 }, 2],
  ["clip [0, 6·16] (relu6)", { kind: "clip", lo: 0, hi: 96 }, 3],
  ["clip above only", { kind: "clip", lo: null, hi: 10 }, 0],
  ["clip below only", { kind: "clip", lo: -7, hi: null }, 1],
];

describe("activations", () => {
  for (const [name, act, shift] of cases) {
    const p: RequantParams = { shift, act, lo: LO, hi: HI };
    it(`${name}: matches the reference and rejects every single-wire change`, () => {
      const b = activationBench(xs, p);
      expect(b.satisfied(b.witness)).toBe(true);
      expect(b.output).toEqual(xs.map((x) => activate(act, rescale(x, shift))));
      expect(acceptedSingleWireChanges(b)).toBe(0);
    });
  }

  it("clip: a prover cannot skip the clamp by flipping its comparison bit", () => {
    const act: Activation = { kind: "clip", lo: -50, hi: 90 };
    const b = activationBench([3000], { shift: 2, act, lo: LO, hi: HI }); // q = 750, clamps to 90
    const L = requantLayout(LO, HI, 2, act);
    const last = b.cs.nWires - 1; // the final output wire
    // claim the unclamped value
    expect(b.satisfied(withWire(b.witness, last, 750))).toBe(false);
    // and flip the lower comparison's top bit (q ≥ lo) to claim lo
    expect(b.satisfied(withWire(b.witness, b.firstGadgetWire + L.nBits - 1, 0))).toBe(false);
  });

  for (const fn of ["sigmoid", "tanh", "exp", "gelu"] as const) {
    it(`${fn} as a piecewise polynomial: matches its table, every wire is pinned`, () => {
      const scale = 5;
      const [qLo, qHi] = fn === "exp" ? [-200, 40] : [-300, 300];
      const table = fitPoly(fn, qLo, qHi, scale, 2 ** -9, "test");
      const act: Activation = { kind: "poly", table };
      const inputs = [qLo, qHi, 0, 1, -1, 37, -123, Math.floor((qLo + qHi) / 2)];
      const b = activationBench(inputs, { shift: 0, act, lo: qLo, hi: qHi });
      expect(b.satisfied(b.witness)).toBe(true);
      expect(b.output).toEqual(inputs.map((q) => activate(act, q)));
      expect(acceptedSingleWireChanges(b)).toBe(0);
      // a wrong segment: move the one-hot's 1 to another entry (products are wires t ≥ 2)
      if (table.t >= 2) {
        const first = b.firstGadgetWire + inputs.length * requantLayout(qLo, qHi, 0, act).nBits;
        const w = withWire(withWire(b.witness, first, 1n - b.witness[first]!), first + 1, 1n - b.witness[first + 1]!);
        expect(b.satisfied(w)).toBe(false);
      }
    });
  }

  it("a polynomial output cannot be swapped for another segment's value", () => {
    const table = fitPoly("sigmoid", -256, 255, 5, 2 ** -9, "test");
    const act: Activation = { kind: "poly", table };
    const b = activationBench([10], { shift: 0, act, lo: -256, hi: 255 });
    // the last Horner product feeds the output: any other value changes it and must fail
    const lastProduct = b.cs.nWires - 1;
    expect(b.satisfied(withWire(b.witness, lastProduct, mod(b.witness[lastProduct]! + 1024n)))).toBe(false);
  });
});

afterAll(() => writeTally("activation"));

describe("soundness: piecewise polynomials", () => {
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
