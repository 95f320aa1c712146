/**
 * √x, 1/√x and 1/x (gadgets/invert.ts): the output is the floor of the real function, the
 * honest witness satisfies the constraints, and every single-wire change, every non-boolean bit
 * rewrite and the targeted lie — the neighbouring y with its products and both slacks rewritten
 * to match, as a cheating prover would (one slack is then negative and has no bits) — fail.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { invert, invertProducts, type InvertParams } from "../../src/circuit/gadgets/invert.js";
import type { PlanStep } from "../../src/circuit/plan.js";
import type { InvertFn } from "../../src/model/graph.js";
import { invertInt, isqrt } from "../../src/quantize/reference.js";
import { mod } from "../../src/field.js";
import { rng } from "../helpers/onnx.js";
import { audit, RUNS, run, writeTally, type Bench, type Lie } from "../helpers/tamper.js";

type InvertStep = Extract<PlanStep, { kind: "invert" }>;

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

/** Writes v into a decomposition's bits; a value with no bit form (negative, too wide) goes into bit 0 whole. */
function writeBitsOrField(w: bigint[], wire: number, n: number, v: bigint): void {
  const fits = v >= 0n && v < 1n << BigInt(n);
  for (let j = 0; j < n; j++) w[wire + j] = fits ? (v >> BigInt(j)) & 1n : 0n;
  if (!fits) w[wire] = mod(v);
}

/** The witness a prover claiming y for element i would write: y's bits, its products and both slacks. */
function claim(b: Bench, i: number, xv: number, y: bigint): bigint[] {
  const s = b.cs.steps[0] as InvertStep;
  const w = [...b.witness];
  const x = BigInt(xv),
    K = 1n << BigInt(s.k);
  writeBitsOrField(w, s.y.wire + i * s.y.nBits, s.y.nBits, y + BigInt(s.y.offset));
  const at = s.productWire + i * invertProducts(s.fn);
  let e1: bigint, e2: bigint;
  if (s.fn === "sqrt") {
    w[at] = mod(y * y);
    e1 = x * K - y * y;
    e2 = y * y + 2n * y - x * K;
  } else if (s.fn === "rsqrt") {
    const u = y * x,
      t = y * u;
    w[at] = mod(u);
    w[at + 1] = mod(t);
    e1 = K - t;
    e2 = t + 2n * u + x - K - 1n;
  } else {
    const u = y * x;
    w[at] = mod(u);
    e1 = K - u;
    e2 = u + x - K - 1n;
  }
  writeBitsOrField(w, s.e1.wire + i * s.e1.nBits, s.e1.nBits, e1);
  writeBitsOrField(w, s.e2.wire + i * s.e2.nBits, s.e2.nBits, e2);
  return w;
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
