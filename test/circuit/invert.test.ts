/**
 * √x, 1/√x and 1/x (gadgets/invert.ts): the output is the floor of the real function, the
 * honest witness satisfies the constraints, and every single-wire change, every non-boolean bit
 * rewrite and the targeted lie — the neighbouring y with its products and both slacks rewritten
 * to match, as a cheating prover would (one slack is then negative and has no bits) — fail.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { invert, invertProducts, type InvertParams } from "../../src/circuit/gadgets/invert.js";
import type { InvertFn } from "../../src/model/graph.js";
import { invertInt, isqrt } from "../../src/quantize/reference.js";
import { mod } from "../../src/field.js";
import { claimInvert, claimableYs, type InvertStep } from "../helpers/invert-lies.js";
import { rng } from "../helpers/onnx.js";
import { audit, record, RUNS, run, writeTally, type Bench, type Lie } from "../helpers/tamper.js";

/** The witness with input element i (wire 1 + i) set to x. */
function withInput(w: readonly bigint[], i: number, x: number): bigint[] {
  const out = [...w];
  out[1 + i] = mod(BigInt(x));
  return out;
}

function params(fn: InvertFn, k: number, lo: number, hi: number): InvertParams {
  const [a, b] = fn === "sqrt" ? [lo, hi] : [hi, lo];
  return { fn, k, x: { lo, hi }, y: { lo: invertInt(fn, k, a), hi: invertInt(fn, k, b) } };
}

function make(p: InvertParams, xs: number[]): Bench {
  return run(
    [{ shape: [xs.length], values: xs }],
    (cs, x, ids, o) => invert(cs, x[0]!, p, "inv", ids[0]!, o),
    [xs.length],
    xs.length,
  );
}

/** The witness a prover claiming y for element i would write: y's bits, its products and both slacks. */
function claim(b: Bench, i: number, xv: number, y: bigint): bigint[] {
  return claimInvert(b.witness, b.cs.steps[0] as InvertStep, i, BigInt(xv), y);
}

describe("inverses of monotone products (√x, 1/√x, 1/x)", () => {
  it("computes the floor of the real function, at the ends of the range too", () => {
    const cases: [InvertFn, number, number, number][] = [
      ["sqrt", 6, 0, 5000],
      ["rsqrt", 30, 1, 70000],
      ["recip", 20, 1, 3000],
    ];
    for (const [fn, k, lo, hi] of cases) {
      const xs = [lo, lo + 1, 2, 3, 17, 255, 256, 1000, hi - 1, hi];
      const b = make(params(fn, k, lo, hi), xs);
      expect(b.satisfied(b.witness), fn).toBe(true);
      const want = xs.map((x) =>
        fn === "sqrt"
          ? Math.floor(Math.sqrt(x * 2 ** k))
          : fn === "rsqrt"
            ? Math.floor(Math.sqrt(2 ** k / x))
            : Math.floor(2 ** k / x),
      );
      expect(b.output, fn).toEqual(want);
    }
    // exact beyond doubles: ⌊√(2^100 + 2^51)⌋ and a perfect square's neighbours
    expect(isqrt(2n ** 100n + 2n ** 51n)).toBe(2n ** 50n);
    expect(isqrt(2n ** 100n + 2n ** 51n + 1n)).toBe(2n ** 50n + 1n);
    expect(isqrt(2n ** 100n - 1n)).toBe(2n ** 50n - 1n);
  });

  it("costs what the header says: m + products + 2(b + 1) per element", () => {
    for (const fn of ["sqrt", "rsqrt", "recip"] as const) {
      const p = params(fn, 24, 1, 4000);
      const b = make(p, [1, 2, 3]);
      const s = b.cs.steps[0] as InvertStep;
      expect(b.cs.constraints.length).toBe(3 * (s.y.nBits + invertProducts(fn) + 2 * (s.e1.nBits + 1)));
    }
  });

  // The gadget's own slacks enforce its domain, whatever bound the compiler derived upstream:
  // e2 ≥ 0 is (y + 1)²·x > 2^k (rsqrt) or (y + 1)·x > 2^k (recip), so x ≥ 1, and e1 ≥ 0 is
  // x·2^k ≥ y² (sqrt), so x ≥ 0. An input below that (LayerNorm's var + ε pushed under its floor
  // of one quantum) has no witness for any y the bits can hold; one above the floor but below the
  // compiled lower bound has at most its true y.
  for (const fn of ["sqrt", "rsqrt", "recip"] as const) {
    it(`${fn}: an input below its domain is rejected for every y; below the compiled bound, only the true y passes`, () => {
      const lo = 40,
        hi = 400;
      const p = params(fn, 12, lo, hi);
      const b = make(p, [lo, hi]);
      const s = b.cs.steps[0] as InvertStep;
      const floor = fn === "sqrt" ? 0 : 1;
      for (const x of [floor - 1, floor - 2, floor - 41, -hi, floor, floor + 1, floor + 7, lo - 1]) {
        const w = withInput(b.witness, 0, x);
        const truth = x >= floor ? BigInt(invertInt(fn, s.k, x)) : null;
        for (const y of claimableYs(s)) {
          if (y === truth) continue; // the true y: accepted if its slacks fit, which is completeness, not soundness
          const caught = !b.satisfied(claimInvert(w, s, 0, BigInt(x), y));
          record(
            `invert ${fn}`,
            x < floor ? "x below the domain, every y" : "x below the compiled bound, a wrong y",
            caught,
          );
          expect(caught, `x = ${x}, y = ${y} accepted`).toBe(true);
        }
      }
    });
  }

  for (const fn of ["sqrt", "rsqrt", "recip"] as const) {
    it(`${fn}: every single-wire change, non-boolean bits and the neighbouring y are rejected`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 8, max: 36 }), fc.integer(), (n, k, seed) => {
          const r = rng(seed);
          const lo = fn === "sqrt" ? Math.floor(r() * 50) : 1 + Math.floor(r() * 50);
          const hi = lo + 1 + Math.floor(r() * 5000);
          const xs = Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
          const p = params(fn, k, lo, hi);
          const b = make(p, xs);
          const lies: Lie[] = [];
          for (const [i, x] of xs.entries()) {
            const y = BigInt(b.output[i]!);
            lies.push({ name: "y + 1, products and slacks to match", witness: claim(b, i, x, y + 1n) });
            if (y > BigInt(p.y.lo))
              lies.push({ name: "y - 1, products and slacks to match", witness: claim(b, i, x, y - 1n) });
          }
          // the claim machinery itself writes the honest witness for the honest y
          expect(claim(b, 0, xs[0]!, BigInt(b.output[0]!))).toEqual(b.witness);
          audit(`invert ${fn}`, b, n, seed, lies);
        }),
        { numRuns: RUNS, seed: 31 },
      );
    });
  }
});

afterAll(() => writeTally("invert"));
