import { afterAll, describe, expect, it } from "vitest";
import { requant, type RequantParams } from "../../src/circuit/gadgets/requant.js";
import { requantLayout } from "../../src/quantize/layout.js";
import { activate, rescale } from "../../src/quantize/reference.js";
import type { Activation } from "../../src/quantize/qgraph.js";
import { P } from "../../src/field.js";
import fc from "fast-check";
import { rng } from "../helpers/onnx.js";
import {
  acceptedSingleWireChanges,
  bench,
  withWire,
  type Bench,
  RUNS,
  audit,
  run,
  writeTally,
  type Lie,
} from "../helpers/tamper.js";

const layoutOf = (p: RequantParams) => requantLayout(p.lo, p.hi, p.shift, p.act);
const relu = { kind: "relu" } as const;
const none = { kind: "none" } as const;

function requantBench(xs: number[], p: RequantParams): Bench {
  return bench(xs, [xs.length], (cs, x) => requant(cs, x, p, "r", 0, 1));
}

function randomInts(n: number, lo: number, hi: number, seed: number): number[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, () => lo + Math.floor(rnd() * (hi - lo + 1)));
}

describe("requant (rescale + range + ReLU)", () => {
  for (const relu of [false, true]) {
    for (const shift of [0, 1, 8]) {
      const p: RequantParams = { shift, act: relu ? { kind: "relu" } : none, lo: -70000, hi: 90000 };
      it(`shift ${shift}${relu ? " + ReLU" : ""}: honest witnesses pass and match the reference`, () => {
        const xs = [
          p.lo,
          p.hi,
          0,
          -1,
          1,
          127,
          128,
          -128,
          -129,
          ...randomInts(20, p.lo, p.hi, shift + (relu ? 100 : 0)),
        ];
        const b = requantBench(xs, p);
        expect(b.satisfied(b.witness)).toBe(true);
        expect(b.output).toEqual(xs.map((x) => Math.max(relu ? 0 : -Infinity, rescale(x, shift))));
        const { nBits } = layoutOf(p);
        expect(b.cs.constraints.length).toBe(xs.length * (nBits + 1 + (relu ? 1 : 0)));
      });
      it(`shift ${shift}${relu ? " + ReLU" : ""}: every single-wire change is rejected`, () => {
        const b = requantBench([p.lo, -129, -1, 0, 5, p.hi], p);
        expect(acceptedSingleWireChanges(b)).toBe(0);
      });
    }
  }

  it("rejects an off-by-one quotient with its remainder adjusted (negative remainder)", () => {
    const p: RequantParams = { shift: 8, act: none, lo: -70000, hi: 90000 };
    const b = requantBench([1000], p); // q = floor((1000 + 128) / 256) = 4, r = 104
    const { nBits } = layoutOf(p);
    const first = b.firstGadgetWire;
    const bits = b.witness.slice(first, first + nBits).map(Number);
    const t = bits.reduce((a, v, j) => a + v * 2 ** j, 0);
    // claim q + 1: high part + 1, remainder r - 256 carried by bit 0 as a field element
    const high = (t >> 8) + 1;
    const r = (t & 255) - 256;
    let w = [...b.witness];
    for (let j = 0; j < 8; j++) w = withWire(w, first + j, 0);
    w = withWire(w, first, BigInt(r) < 0n ? P + BigInt(r) : BigInt(r));
    for (let j = 8; j < nBits; j++) w = withWire(w, first + j, (high >> (j - 8)) & 1);
    // the recomposition still holds, so only booleanity can catch it
    expect(b.satisfied(w)).toBe(false);
  });

  it("rejects a flipped ReLU sign bit, with or without a matching output", () => {
    const p: RequantParams = { shift: 4, act: relu, lo: -5000, hi: 5000 };
    for (const x of [800, -800]) {
      const b = requantBench([x], p);
      const { nBits } = layoutOf(p);
      const signWire = b.firstGadgetWire + nBits - 1;
      const reluWire = b.firstGadgetWire + nBits;
      const flipped = withWire(b.witness, signWire, 1n - b.witness[signWire]!);
      expect(b.satisfied(flipped)).toBe(false);
      // and the output a flipped sign would imply: 0 for a positive value, q for a negative one
      const q = rescale(x, 4);
      expect(b.satisfied(withWire(flipped, reluWire, x > 0 ? 0 : q))).toBe(false);
      expect(b.satisfied(withWire(b.witness, reluWire, x > 0 ? 0 : q))).toBe(false);
    }
  });

  it("rejects a changed output", () => {
    const p: RequantParams = { shift: 3, act: relu, lo: -1000, hi: 1000 };
    const b = requantBench([333], p);
    const reluWire = b.cs.nWires - 1;
    expect(b.satisfied(withWire(b.witness, reluWire, b.output[0]! + 1))).toBe(false);
    expect(b.satisfied(withWire(b.witness, reluWire, 0))).toBe(false);
  });
});

afterAll(() => writeTally("requant"));

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
});
