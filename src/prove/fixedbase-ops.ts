/**
 * wasmcurves' field and group functions of one group, looked up once, and the reference
 * batch-affine sums over them: one call from JavaScript per field operation. fixedbase.ts
 * says what the sums are; the kernel (kernels/wasm/assembly/bn254.ts) does the same sums
 * faster, and tests hold it to these, byte for byte.
 */
import type { WasmCurve } from "./wasm-curve.js";

export type Group = "G1" | "G2";

type WasmFn = (...args: number[]) => number;

/** One group's functions, looked up once. `n8` is a coordinate's size (32 for G1, 64 for G2). */
export interface GroupOps {
  readonly n8: number;
  readonly sAff: number;
  readonly sJac: number;
  readonly fsub: WasmFn;
  readonly fadd: WasmFn;
  readonly fmul: WasmFn;
  readonly fsquare: WasmFn;
  readonly fneg: WasmFn;
  readonly fisZero: WasmFn;
  readonly fone: WasmFn;
  readonly fcopy: WasmFn;
  readonly fbatchInverse: WasmFn;
  readonly toJacobian: WasmFn;
  readonly toAffine: WasmFn;
  readonly addMixed: WasmFn;
  readonly double: WasmFn;
  readonly copyAffine: WasmFn;
  readonly zeroAffine: WasmFn;
  readonly isZeroAffine: WasmFn;
}

export function groupOps(wc: WasmCurve, group: Group): GroupOps {
  const f = group === "G1" ? "f1m" : "f2m";
  const g = group === "G1" ? "g1m" : "g2m";
  const n8 = group === "G1" ? 32 : 64;
  return {
    n8,
    sAff: 2 * n8,
    sJac: 3 * n8,
    fsub: wc.fn(`${f}_sub`),
    fadd: wc.fn(`${f}_add`),
    fmul: wc.fn(`${f}_mul`),
    fsquare: wc.fn(`${f}_square`),
    fneg: wc.fn(`${f}_neg`),
    fisZero: wc.fn(`${f}_isZero`),
    fone: wc.fn(`${f}_one`),
    fcopy: wc.fn(`${f}_copy`),
    fbatchInverse: wc.fn(`${f}_batchInverse`),
    toJacobian: wc.fn(`${g}_toJacobian`),
    toAffine: wc.fn(`${g}_toAffine`),
    addMixed: wc.fn(`${g}_addMixed`),
    double: wc.fn(`${g}_double`),
    copyAffine: wc.fn(`${g}_copyAffine`),
    zeroAffine: wc.fn(`${g}_zeroAffine`),
    isZeroAffine: wc.fn(`${g}_isZeroAffine`),
  };
}

/** Scratch space for sums of up to `max` pairs. */
export interface Scratch {
  readonly dx: number;
  readonly inv: number;
  readonly lam: number;
  readonly x3: number;
  readonly t: number;
  readonly neg: number;
  readonly jac: number;
  readonly special: Int32Array;
}

export function scratch(wc: WasmCurve, G: GroupOps, max: number): Scratch {
  return {
    dx: wc.alloc(max * G.n8),
    inv: wc.alloc(max * G.n8),
    lam: wc.alloc(G.n8),
    x3: wc.alloc(G.n8),
    t: wc.alloc(G.n8),
    neg: wc.alloc(G.sAff),
    jac: wc.alloc(G.sJac),
    special: new Int32Array(max),
  };
}

/**
 * The reference sums: acc[k] ← acc[k] + (neg[k] ? -add[k] : add[k]) for k < m, in place,
 * affine. Both sides must be non-zero (the caller tracks zero accumulators: adding to zero is
 * a copy). Returns how many sums took the Jacobian path (their indices in s.special): only
 * these can come out zero.
 */
export function batchAdd(
  G: GroupOps,
  s: Scratch,
  acc: Int32Array,
  add: Int32Array,
  neg: Uint8Array,
  m: number,
): number {
  const { n8, fsub, fadd, fmul, fsquare, fneg, fisZero, fone, fcopy } = G;
  let specials = 0;
  for (let k = 0; k < m; k++) {
    const d = s.dx + k * n8;
    fsub(add[k]!, acc[k]!, d);
    if (fisZero(d)) {
      fone(d); // keeps the shared inversion's product non-zero; this sum is done apart
      s.special[specials++] = k;
    }
  }
  G.fbatchInverse(s.dx, n8, m, s.inv, n8);
  let next = 0;
  for (let k = 0; k < m; k++) {
    const a = acc[k]!,
      p = add[k]!;
    if (next < specials && s.special[next] === k) {
      next++;
      let q = p;
      if (neg[k]) {
        G.copyAffine(p, s.neg);
        fneg(s.neg + n8, s.neg + n8);
        q = s.neg;
      }
      G.toJacobian(a, s.jac);
      G.addMixed(s.jac, q, s.jac); // doubles, or gives zero, as the case is
      G.toAffine(s.jac, a);
      continue;
    }
    // λ = (y₂ - y₁)/(x₂ - x₁); x₃ = λ² - x₁ - x₂; y₃ = λ(x₁ - x₃) - y₁. Adding -P₂ = (x₂, -y₂)
    // gives λ = -μ with μ = (y₂ + y₁)/(x₂ - x₁): the same x₃ = μ² - x₁ - x₂ and y₃ = μ(x₃ - x₁) - y₁.
    const minus = neg[k];
    if (minus) fadd(p + n8, a + n8, s.lam);
    else fsub(p + n8, a + n8, s.lam);
    fmul(s.lam, s.inv + k * n8, s.lam);
    fsquare(s.lam, s.x3);
    fsub(s.x3, a, s.x3);
    fsub(s.x3, p, s.x3);
    if (minus) fsub(s.x3, a, s.t);
    else fsub(a, s.x3, s.t);
    fmul(s.lam, s.t, s.t);
    fsub(s.t, a + n8, a + n8);
    fcopy(s.x3, a);
  }
  return specials;
}
