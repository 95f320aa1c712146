/** Products, division and argmax: honest witnesses pass, every single-wire change and targeted lies fail. */
import { afterAll, describe, expect, it } from "vitest";
import { product } from "../../src/circuit/gadgets/product.js";
import { div } from "../../src/circuit/gadgets/div.js";
import { argmax } from "../../src/circuit/gadgets/argmax.js";
import { axisGroups } from "../../src/model/indexing.js";
import { roundDiv } from "../../src/quantize/reference.js";
import { P } from "../../src/field.js";
import { bitLength } from "../../src/util/bits.js";
import fc from "fast-check";
import { rng } from "../helpers/onnx.js";
import {
  type Bench,
  acceptedSingleWireChanges,
  bench,
  benchMany,
  withWire,
  RUNS,
  audit,
  run,
  writeTally,
  type Lie,
} from "../helpers/tamper.js";

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

afterAll(() => writeTally("arith"));

describe("soundness: argmax", () => {
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
