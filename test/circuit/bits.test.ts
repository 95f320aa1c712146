import { afterAll, describe, expect, it } from "vitest";
import { decompose } from "../../src/circuit/gadgets/bits.js";
import { rangeCheck } from "../../src/circuit/gadgets/range.js";
import type { ConstraintSystem } from "../../src/circuit/builder.js";
import type { LcTensor } from "../../src/circuit/lc.js";
import fc from "fast-check";
import { rng } from "../helpers/onnx.js";
import { acceptedSingleWireChanges, bench, withWire, RUNS, audit, run, writeTally } from "../helpers/tamper.js";

/** A range check as a gadget: the bits of x - lo, recorded as an input step's range layout. */
function ranged(lo: number, hi: number) {
  return (cs: ConstraintSystem, x: LcTensor): LcTensor => {
    const range = rangeCheck(cs, x.lcs, lo, hi, "x");
    cs.steps.push({ kind: "input", tensor: 0, wire: 1, range });
    return x;
  };
}

describe("bit decomposition and range checks", () => {
  it("accepts every value in range and costs n + 1 constraints, n wires", () => {
    const xs = Array.from({ length: 16 }, (_, i) => -8 + i); // all of [-8, 7]
    const b = bench(xs, [16], ranged(-8, 7));
    expect(b.satisfied(b.witness)).toBe(true);
    expect(b.cs.constraints.length).toBe(16 * 5);
    expect(b.cs.nWires - b.firstGadgetWire).toBe(16 * 4);
  });

  it("rejects every single-wire change of a bit", () => {
    const b = bench([-8, -1, 0, 3, 7], [5], ranged(-8, 7));
    expect(acceptedSingleWireChanges(b)).toBe(0);
  });

  it("rejects an out-of-range value however the prover fills the bits", () => {
    const b = bench([5], [1], ranged(0, 7)); // 3 bits: wires 2, 3, 4
    for (const bad of [8, -1, 1000]) {
      // a prover that writes the input and its bits mod 8 ...
      let w = withWire(b.witness, 1, bad);
      const t = ((bad % 8) + 8) % 8;
      for (let j = 0; j < 3; j++) w = withWire(w, 2 + j, (t >> j) & 1);
      expect(b.satisfied(w)).toBe(false);
      // ... or makes the sum work with a non-boolean bit
      w = withWire(withWire(withWire(withWire(b.witness, 1, bad), 2, bad), 3, 0), 4, 0);
      expect(b.satisfied(w)).toBe(false);
    }
  });

  it("handles 0- and 1-bit ranges and wide ones", () => {
    const single = bench([4], [1], ranged(4, 4));
    expect(single.satisfied(single.witness)).toBe(true);
    expect(single.satisfied(withWire(single.witness, 1, 5))).toBe(false);
    const wide = bench([2 ** 40 + 12345], [1], ranged(0, 2 ** 48 - 1));
    expect(wide.satisfied(wide.witness)).toBe(true);
    expect(acceptedSingleWireChanges(wide)).toBe(0);
  });

  it("refuses more bits than the field can hold without wrapping", () => {
    const cs = { alloc: () => 1, enforce: () => undefined };
    expect(() => decompose(cs, [], 253, "x")).toThrow(/out of range/);
  });
});

afterAll(() => writeTally("bits"));

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
