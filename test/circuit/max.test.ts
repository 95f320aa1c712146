import { describe, expect, it } from "vitest";
import { maxComparisonBits, maxGroups } from "../../src/circuit/gadgets/max.js";
import { poolGroups } from "../../src/model/windows.js";
import { acceptedSingleWireChanges, bench, withWire } from "../helpers/circuit.js";

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
