/** Products, division and argmax: honest witnesses pass, every single-wire change and targeted lies fail. */
import { describe, expect, it } from "vitest";
import { product } from "../../src/circuit/gadgets/product.js";
import { div } from "../../src/circuit/gadgets/div.js";
import { argmax } from "../../src/circuit/gadgets/argmax.js";
import { axisGroups } from "../../src/model/indexing.js";
import { roundDiv } from "../../src/quantize/reference.js";
import { P } from "../../src/field.js";
import { bitLength } from "../../src/util/bits.js";
import { acceptedSingleWireChanges, bench, benchMany, withWire } from "../helpers/circuit.js";

describe("products of computed tensors", () => {
  it("mul with broadcasting: a[2,1,3] · b[1,4,1]", () => {
    const a = [1, -2, 3, 40, -5, 6],
      b = [7, 0, -9, 10];
    const t = benchMany(
      [
        { shape: [2, 1, 3], values: a },
        { shape: [1, 4, 1], values: b },
      ],
      (cs, xs, ids, out) => product(cs, "mul", xs[0]!, xs[1]!, [2, 4, 3], "m", [ids[0]!, ids[1]!], out),
      [2, 4, 3],
    );
    expect(t.satisfied(t.witness)).toBe(true);
    expect(t.output[0]).toBe(7);
    expect(t.output[23]).toBe(60);
    expect(t.cs.constraints.length).toBe(24);
    expect(acceptedSingleWireChanges(t)).toBe(0);
  });

  it("matmul [2,3]·[3,2]: one constraint per multiply", () => {
    const t = benchMany(
      [
        { shape: [2, 3], values: [1, 2, 3, -4, 5, -6] },
        { shape: [3, 2], values: [7, -8, 9, 10, -11, 12] },
      ],
      (cs, xs, ids, out) => product(cs, "matmul", xs[0]!, xs[1]!, [2, 2], "mm", [ids[0]!, ids[1]!], out),
      [2, 2],
    );
    expect(t.output).toEqual([
      1 * 7 + 2 * 9 + 3 * -11,
      1 * -8 + 2 * 10 + 3 * 12,
      -4 * 7 + 5 * 9 + -6 * -11,
      -4 * -8 + 5 * 10 + -6 * 12,
    ]);
    expect(t.cs.constraints.length).toBe(12);
    expect(t.satisfied(t.witness)).toBe(true);
    expect(acceptedSingleWireChanges(t)).toBe(0);
  });
});

describe("division by a computed positive tensor", () => {
  const bBounds = { lo: 1, hi: 5000 };
  const outBounds = { lo: -128, hi: 127 };
  const a = [100, -100, 0, 4999, 37, 1],
    b = [300, 7, 1, 5000, 37, 2];
  const shift = 3;
  const make = (av: number[], bv: number[]) =>
    benchMany(
      [
        { shape: [av.length], values: av },
        { shape: [bv.length], values: bv },
      ],
      (cs, xs, ids, out) =>
        div(cs, xs[0]!, xs[1]!, bBounds, outBounds, shift, [av.length], "d", [ids[0]!, ids[1]!], out),
      [av.length],
    );

  it("rounds a·2^k / b half up, and is satisfied", () => {
    const t = make(a, b);
    expect(t.output).toEqual(a.map((x, i) => roundDiv(x * 8, b[i]!)));
    expect(t.satisfied(t.witness)).toBe(true);
  });

  it("rejects every single-wire change", () => {
    expect(acceptedSingleWireChanges(make(a.slice(0, 3), b.slice(0, 3)))).toBe(0);
  });

  it("rejects an off-by-one quotient whose remainder absorbs the difference", () => {
    const t = make([100], [300]); // 800 / 300: q = round(2.67) = 3, r = 2·800 + 300 - 2·3·300 = 100
    const mq = bitLength(outBounds.hi - outBounds.lo);
    const br = bitLength(2 * bBounds.hi - 1);
    const g = t.firstGadgetWire;
    // claim q = 2: quotient bits of 2 - lo, p = 600, r = 700 (outside [0, 2D) = [0, 600))
    let w = [...t.witness];
    for (let j = 0; j < mq; j++) w = withWire(w, g + j, ((2 - outBounds.lo) >> j) & 1);
    w = withWire(w, g + mq, 600);
    for (let j = 0; j < br; j++) w = withWire(w, g + mq + 1 + j, (700 >> j) & 1);
    // slack 2D - 1 - r = -101 cannot be written in bits: put it in bit 0 as a field element
    const slack0 = g + mq + 1 + br;
    for (let j = 0; j < br; j++) w = withWire(w, slack0 + j, 0);
    w = withWire(w, slack0, P - 101n);
    expect(t.satisfied(w)).toBe(false);
  });
});

describe("argmax (first maximum)", () => {
  const shape = [2, 5];
  const { groups } = axisGroups(shape, [1]);
  const make = (v: number[]) =>
    bench(v, shape, (cs, x) => argmax(cs, x, groups, -100, 100, [2, 1], "am", 0, 1), [2, 1]);

  it("picks the first maximum, ties included", () => {
    const t = make([3, 9, -1, 9, 2, -5, -5, -5, -6, -100]);
    expect(t.output).toEqual([1, 0]);
    expect(t.satisfied(t.witness)).toBe(true);
    expect(acceptedSingleWireChanges(t)).toBe(0);
  });

  it("rejects the last of tied maxima, and a non-maximum, even with products and gaps rewritten", () => {
    const v = [3, 9, -1, 9, 2, -5, -5, -5, -6, -100];
    const honest = make(v);
    for (const [claim, label] of [
      [3, "later tie"],
      [0, "smaller value"],
    ] as const) {
      // rebuild the first group's witness around the lie, as a cheating prover would
      const lie = make(v);
      const w = [...lie.witness];
      const g = lie.firstGadgetWire; // one-hot wires, then products, then gap bits
      const n = 10,
        nb = bitLength(200);
      for (let j = 0; j < 5; j++) {
        w[g + j] = j === claim ? 1n : 0n;
        w[g + n + j] = j === claim ? BigInt(v[j]!) : 0n;
      }
      const M = v[claim]!;
      for (let j = 0; j < 5; j++) {
        const gap = M - v[j]! - 1 + (j >= claim ? 1 : 0);
        const enc = gap < 0 ? P + BigInt(gap) : BigInt(gap);
        for (let k = 0; k < nb; k++) w[g + 2 * n + j * nb + k] = k === 0 ? enc : 0n; // the value in bit 0 if it has no bit form
        if (gap >= 0) for (let k = 0; k < nb; k++) w[g + 2 * n + j * nb + k] = BigInt((gap >> k) & 1);
      }
      expect(honest.satisfied(w), label).toBe(false);
    }
  });
});
