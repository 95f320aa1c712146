import { afterAll, describe, expect, it } from "vitest";
import { maxComparisonBits, maxGroups } from "../../src/circuit/gadgets/max.js";
import { poolGroups } from "../../src/model/windows.js";
import fc from "fast-check";
import { bitLength } from "../../src/util/bits.js";
import { rng } from "../helpers/onnx.js";
import { acceptedSingleWireChanges, bench, withWire, RUNS, audit, run, writeTally } from "../helpers/tamper.js";

const lo = -50,
  hi = 200;

function maxBench(xs: number[]) {
  // one 2×2 window per output over a 1×1×4×4 image
  const groups = poolGroups([1, 1, 4, 4], {
    kernel: [2, 2],
    strides: [2, 2],
    pads: [0, 0, 0, 0],
    dilations: [1, 1],
    ceilMode: false,
  });
  return bench(xs, [1, 1, 4, 4], (cs, x) => maxGroups(cs, x, groups, lo, hi, [1, 1, 2, 2], "m", 0, 1), [1, 1, 2, 2]);
}

describe("max over groups (max pooling)", () => {
  const xs = [3, 9, -50, 200, 9, 3, 7, 7, 0, 0, 0, 0, -1, -2, -3, 150];

  it("computes the window maxima and is satisfied", () => {
    const b = maxBench(xs);
    expect(b.output).toEqual([9, 200, 0, 150]);
    expect(b.satisfied(b.witness)).toBe(true);
    const m = maxComparisonBits(lo, hi);
    expect(b.cs.constraints.length).toBe(4 * 3 * (m + 2));
  });

  it("rejects every single-wire change", () => {
    expect(acceptedSingleWireChanges(maxBench(xs))).toBe(0);
  });

  it("rejects a wrong maximum even with its comparison bit flipped to match", () => {
    const b = maxBench(xs);
    const m = maxComparisonBits(lo, hi);
    // first window: comparisons (3 vs 9), (9 vs -50), (9 vs 9); claim the final max is 3
    const block = b.firstGadgetWire + 2 * (m + 1);
    const lied = withWire(b.witness, block + m, 3);
    expect(b.satisfied(lied)).toBe(false);
    expect(b.satisfied(withWire(lied, block + m - 1, 0))).toBe(false);
  });
});

afterAll(() => writeTally("max"));

describe("soundness: max", () => {
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
});
