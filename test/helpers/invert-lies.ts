/**
 * The witness a cheating prover writes for one element of an `invert` step (gadgets/invert.ts):
 * the claimed y's bits, its products with x and both slacks computed to match, so that only
 * the slacks' ranges (a negative or too-wide slack has no bits) can catch the lie. Shared by the
 * gadget's own tamper tests and the circuit-level ones of the models that use it.
 */
import type { PlanStep } from "../../src/circuit/plan.js";
import { invertProducts } from "../../src/circuit/gadgets/invert.js";
import { mod } from "../../src/field.js";

export type InvertStep = Extract<PlanStep, { kind: "invert" }>;

/** Writes v into a decomposition's bits; a value with no bit form (negative, too wide) goes into bit 0 whole. */
function writeBitsOrField(w: bigint[], wire: number, n: number, v: bigint): void {
  const fits = v >= 0n && v < 1n << BigInt(n);
  for (let j = 0; j < n; j++) w[wire + j] = fits ? (v >> BigInt(j)) & 1n : 0n;
  if (!fits) w[wire] = mod(v);
}

/** `base` with element i of step `s` claiming y for the input value x (x itself is not written). */
export function claimInvert(base: readonly bigint[], s: InvertStep, i: number, x: bigint, y: bigint): bigint[] {
  const w = [...base];
  const K = 1n << BigInt(s.k);
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

/** Every y the step's bits can hold for one element: [y.lo, y.lo + 2^m). */
export function claimableYs(s: InvertStep): bigint[] {
  const lo = BigInt(-s.y.offset);
  return Array.from({ length: 2 ** s.y.nBits }, (_, j) => lo + BigInt(j));
}
