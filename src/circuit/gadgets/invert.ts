/**
 * Inverses of monotone products: √x, 1/√x and 1/x of a computed value, with no table. The
 * prover hints y; products and two range checks pin it to the one integer with
 *
 *   sqrt:   y² ≤ N < (y + 1)²         N = x·2^k      s = y·y
 *   rsqrt:  y²·x ≤ 2^k < (y + 1)²·x                  u = y·x, t = y·u
 *   recip:  y·x ≤ 2^k < (y + 1)·x                    u = y·x
 *
 * (quantize/reference.ts invertInt: floor of the real result). Each pair of inequalities is two
 * non-negative slacks, each a bit decomposition:
 *
 *   sqrt:   e1 = N - s                  e2 = s + 2y - N              e1 + e2 = 2y
 *   rsqrt:  e1 = 2^k - t                e2 = t + 2u + x - 2^k - 1    e1 + e2 = 2u + x - 1
 *   recip:  e1 = 2^k - u                e2 = u + x - 2^k - 1         e1 + e2 = x - 1
 *
 * so both fit in b bits, b = bits(the largest sum). y itself is its bits (y - yLo ∈ [0, 2^m)),
 * which range-checks it. Cost per element: m + (1 or 2 products) + 2(b + 1) constraints.
 *
 * Soundness. x is determined upstream and the bounds (which hold for every satisfying witness)
 * put it in [lo, hi] with lo ≥ 0 (sqrt) or lo ≥ 1 (rsqrt, recip). y ∈ [yLo, yLo + 2^m), and every
 * product and slack is far below the field's p, so each field equation is the integer equation
 * and each decomposed slack is a true integer ≥ 0: the inequalities hold over the integers.
 * They select the integer intervals [y², (y+1)²), [2^k/(y+1)², 2^k/y²] and [2^k/(y+1), 2^k/y],
 * which are disjoint for distinct y ≥ 0: y is unique (for rsqrt and recip, y = 0 is the case
 * x > 2^k, where e1 = 2^k ≥ 0 and e2 = x - 2^k - 1 ≥ 0). No hint is left free.
 *
 * The slacks also hold x to the function's domain, so that floor does not rest on the upstream
 * bounds alone: e2 ≥ 0 is (y + 1)²·x > 2^k (rsqrt) or (y + 1)·x > 2^k (recip), so x ≥ 1, and
 * e1 ≥ 0 is x·2^k ≥ y² (sqrt), so x ≥ 0. An input below it (LayerNorm's var + ε under its floor of
 * one quantum) has no witness for any y, as long as |x| stays far below p, which its magnitude
 * bound ensures; one above it but below the compiled lower bound has at most its true y.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination, type LcTensor } from "../lc.js";
import type { PlanStep, TensorId } from "../plan.js";
import type { InvertFn } from "../../model/graph.js";
import type { Interval } from "../../quantize/bounds.js";
import { invertInt } from "../../quantize/reference.js";
import { bitLength, type WireSink } from "../wires.js";
import { allocBits, decompose, recompose, writeBits } from "./bits.js";

type InvertStep = Extract<PlanStep, { kind: "invert" }>;

/** Products per element: what y is multiplied with before the slacks can be written. */
export function invertProducts(fn: InvertFn): number {
  return fn === "rsqrt" ? 2 : 1;
}

/** The largest e1 + e2 over x ∈ [lo, hi] with y ≤ yHi: the slacks' common bit width. */
function slackBits(fn: InvertFn, x: Interval, yHi: number): number {
  switch (fn) {
    case "sqrt":
      return bitLength(2 * yHi);
    case "rsqrt":
      return bitLength(2 * yHi * x.hi + x.hi);
    case "recip":
      return bitLength(x.hi);
  }
}

export interface InvertParams {
  readonly fn: InvertFn;
  readonly k: number;
  /** x's bounds (lo ≥ 0 for sqrt, ≥ 1 otherwise) and y's, which follow from them */
  readonly x: Interval;
  readonly y: Interval;
}

export function invert(
  cs: ConstraintSystem,
  x: LcTensor,
  p: InvertParams,
  name: string,
  input: TensorId,
  output: TensorId,
): LcTensor {
  const n = x.lcs.length;
  const m = bitLength(p.y.hi - p.y.lo);
  const b = slackBits(p.fn, p.x, p.y.hi);
  const K = 1n << BigInt(p.k);
  return cs.measure(p.fn, n, () => {
    const { bits, wire: yWire } = allocBits(cs, n, m, `${name}.y`);
    const ys = bits.map((bs) => recompose(bs, 0, m, BigInt(p.y.lo)));
    const nProd = invertProducts(p.fn);
    const prodWire = cs.alloc(n * nProd, `${name}.prod`);
    const e1: LinearCombination[] = [],
      e2: LinearCombination[] = [];
    for (let i = 0; i < n; i++) {
      const y = ys[i]!,
        xi = x.lcs[i]!;
      const first = LinearCombination.wire(prodWire + i * nProd);
      if (p.fn === "sqrt") {
        const N = xi.scale(K);
        cs.enforce(y, y, first); // s = y²
        e1.push(LinearCombination.sum([N, first], [1n, -1n]));
        e2.push(LinearCombination.sum([first, y, N], [1n, 2n, -1n]));
      } else if (p.fn === "rsqrt") {
        const t = LinearCombination.wire(prodWire + i * nProd + 1);
        cs.enforce(y, xi, first); // u = y·x
        cs.enforce(y, first, t); // t = y·u
        e1.push(LinearCombination.sum([t], [-1n], K));
        e2.push(LinearCombination.sum([t, first, xi], [1n, 2n, 1n], -K - 1n));
      } else {
        cs.enforce(y, xi, first); // u = y·x
        e1.push(LinearCombination.sum([first], [-1n], K));
        e2.push(LinearCombination.sum([first, xi], [1n, 1n], -K - 1n));
      }
    }
    // y is unique given x (see the header), and the products follow from y and x
    cs.hint(
      "invert",
      [
        { first: yWire, count: n * m },
        { first: prodWire, count: n * nProd },
      ],
      x.lcs,
    );
    const lower = decompose(cs, e1, b, `${name}.e1`);
    const upper = decompose(cs, e2, b, `${name}.e2`);
    cs.steps.push({
      kind: "invert",
      fn: p.fn,
      k: p.k,
      input,
      output,
      y: { offset: -p.y.lo, nBits: m, wire: yWire },
      productWire: prodWire,
      e1: { offset: 0, nBits: b, wire: lower.wire },
      e2: { offset: 0, nBits: b, wire: upper.wire },
    });
    return { shape: x.shape, lcs: ys };
  });
}

/** The witness twin: y's bits, the products, both slacks' bits. */
export function invertWitness(step: InvertStep, x: ArrayLike<number>, sink: WireSink): void {
  const nProd = invertProducts(step.fn);
  const K = 2 ** step.k;
  const ys: number[] = [],
    e1: number[] = [],
    e2: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const y = invertInt(step.fn, step.k, xi);
    ys.push(y);
    const at = step.productWire + i * nProd;
    if (step.fn === "sqrt") {
      const s = y * y,
        N = xi * K;
      sink.setInt(at, s);
      e1.push(N - s);
      e2.push(s + 2 * y - N);
    } else if (step.fn === "rsqrt") {
      const u = y * xi,
        t = y * u;
      sink.setInt(at, u);
      sink.setInt(at + 1, t);
      e1.push(K - t);
      e2.push(t + 2 * u + xi - K - 1);
    } else {
      const u = y * xi;
      sink.setInt(at, u);
      e1.push(K - u);
      e2.push(u + xi - K - 1);
    }
  }
  writeBits(sink, step.y, ys);
  writeBits(sink, step.e1, e1);
  writeBits(sink, step.e2, e2);
}
