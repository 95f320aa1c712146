// BN254's groups G1 and G2 for fixed-base multiplication, the hot loop of development ptau
// generation (src/prove/fixedbase.ts says why and how, and holds the same algorithm in
// JavaScript over wasmcurves' calls: the reference the tests hold this to). Batched affine
// sums and whole window passes of many scalars, over the memory of ffjavascript's wasm instance
// (wasmcurves), whose layout this shares: affine points, coordinates in Montgomery form
// (R = 2^256), Fq2 = Fq[u]/(u² + 1) as (c0, c1), zero as (0, 0). What it gains over calling
// wasmcurves from JavaScript: no call from JS per field operation, and Fq sums and differences
// in locals instead of wasmcurves' int_add/int_sub/int_gte calls through memory (a quarter of
// the time there). Nothing here lives in memory of its own: every pointer comes from the
// caller, so the module imports that memory without touching what wasmcurves keeps there.
import { fqAdd, fqMul, fqOne, fqSub } from "../build/bn254-field";

// the rare sums the affine formula cannot do (a doubling, or P - P): wasmcurves' Jacobian ones
@external("bn128", "f1m_inverse") declare function f1mInverse(a: usize, r: usize): void;
@external("bn128", "f2m_inverse") declare function f2mInverse(a: usize, r: usize): void;
@external("bn128", "g1m_toJacobian") declare function g1mToJacobian(a: usize, r: usize): void;
@external("bn128", "g1m_addMixed") declare function g1mAddMixed(a: usize, b: usize, r: usize): void;
@external("bn128", "g1m_toAffine") declare function g1mToAffine(a: usize, r: usize): void;
@external("bn128", "g2m_toJacobian") declare function g2mToJacobian(a: usize, r: usize): void;
@external("bn128", "g2m_addMixed") declare function g2mAddMixed(a: usize, b: usize, r: usize): void;
@external("bn128", "g2m_toAffine") declare function g2mToAffine(a: usize, r: usize): void;

// scratch for one call, laid out in the caller's `work` (see workBytes): F0..F3 belong to the
// Fq2 functions alone, the rest to the sums
let F0: usize = 0, F1: usize = 0, F2: usize = 0, F3: usize = 0, Z: usize = 0;
let RUN: usize = 0, LAM: usize = 0, X3: usize = 0, TMP: usize = 0, NEGP: usize = 0, JAC: usize = 0;
let DX: usize = 0, PRE: usize = 0, ACC: usize = 0, ADD: usize = 0, NEG: usize = 0, WHO: usize = 0, SPECIAL: usize = 0;

// ---- Fq2 on (c0, c1), 64 bytes; u² = -1
@inline function isZero1(a: usize): bool {
  return (load<u64>(a) | load<u64>(a, 8) | load<u64>(a, 16) | load<u64>(a, 24)) == 0;
}
@inline function copy1(a: usize, r: usize): void {
  store<u64>(r, load<u64>(a)); store<u64>(r, load<u64>(a, 8), 8); store<u64>(r, load<u64>(a, 16), 16); store<u64>(r, load<u64>(a, 24), 24);
}
// r may alias a or b: each is read before r is written
function fq2Mul(a: usize, b: usize, r: usize): void {
  fqMul(a, b, F0); // a0·b0
  fqMul(a + 32, b + 32, F1); // a1·b1
  fqAdd(a, a + 32, F2);
  fqAdd(b, b + 32, F3);
  fqMul(F2, F3, F2); // (a0 + a1)(b0 + b1)
  fqSub(F0, F1, r); // a0·b0 - a1·b1
  fqSub(F2, F0, F2);
  fqSub(F2, F1, r + 32); // a0·b1 + a1·b0
}
function fq2Square(a: usize, r: usize): void {
  fqAdd(a, a + 32, F0);
  fqSub(a, a + 32, F1);
  fqMul(a, a + 32, F2);
  fqMul(F0, F1, r); // a0² - a1²
  fqAdd(F2, F2, r + 32); // 2·a0·a1
}

// ---- one field or the other, by group (g2: Fq2, 64-byte coordinates)
@inline function fmul(g2: bool, a: usize, b: usize, r: usize): void { if (g2) fq2Mul(a, b, r); else fqMul(a, b, r); }
@inline function fsquare(g2: bool, a: usize, r: usize): void { if (g2) fq2Square(a, r); else fqMul(a, a, r); }
@inline function fadd(g2: bool, a: usize, b: usize, r: usize): void { fqAdd(a, b, r); if (g2) fqAdd(a + 32, b + 32, r + 32); }
@inline function fsub(g2: bool, a: usize, b: usize, r: usize): void { fqSub(a, b, r); if (g2) fqSub(a + 32, b + 32, r + 32); }
@inline function fisZero(g2: bool, a: usize): bool { return isZero1(a) && (!g2 || isZero1(a + 32)); }
@inline function fcopy(g2: bool, a: usize, r: usize): void { copy1(a, r); if (g2) copy1(a + 32, r + 32); }
@inline function fone(g2: bool, r: usize): void { fqOne(r); if (g2) memory.fill(r + 32, 0, 32); }
@inline function fneg(g2: bool, a: usize, r: usize): void { fqSub(Z, a, r); if (g2) fqSub(Z, a + 32, r + 32); }
@inline function finverse(g2: bool, a: usize, r: usize): void { if (g2) f2mInverse(a, r); else f1mInverse(a, r); }

const TEMPS: usize = 14; // F0..F3, Z, RUN, LAM, X3, TMP (one coordinate each), NEGP (two), JAC (three)

/** Bytes of scratch space `work` must hold for batches of up to `max` sums. */
@inline function workBytes(max: i32, g2: bool): usize {
  const n8: usize = g2 ? 64 : 32;
  return TEMPS * n8 + 2 * <usize>max * n8 + 5 * <usize>max * 4;
}

function layout(work: usize, max: i32, g2: bool): void {
  const n8: usize = g2 ? 64 : 32;
  F0 = work; F1 = F0 + n8; F2 = F1 + n8; F3 = F2 + n8; Z = F3 + n8;
  RUN = Z + n8; LAM = RUN + n8; X3 = LAM + n8; TMP = X3 + n8; NEGP = TMP + n8; JAC = NEGP + 2 * n8;
  DX = work + TEMPS * n8;
  PRE = DX + <usize>max * n8;
  ACC = PRE + <usize>max * n8;
  ADD = ACC + <usize>max * 4; NEG = ADD + <usize>max * 4; WHO = NEG + <usize>max * 4; SPECIAL = WHO + <usize>max * 4;
  memory.fill(Z, 0, 32);
}

/**
 * acc[k] ← acc[k] ± add[k] for k < m (pointer arrays at accs, adds; neg[k] ≠ 0 for minus), in
 * place, affine, both sides non-zero, one shared inversion. Returns how many took the Jacobian
 * path (indices at SPECIAL): only these can come out zero.
 */
@inline function batchAdd(g2: bool, accs: usize, adds: usize, negs: usize, m: i32): i32 {
  const n8: usize = g2 ? 64 : 32;
  let specials = 0;
  // dx_k = x₂ - x₁ and the prefix products Π_{j≤k} dx_j (a zero dx counts as one: done apart)
  for (let k = 0; k < m; k++) {
    const d = DX + <usize>k * n8;
    fsub(g2, load<u32>(adds + (<usize>k << 2)), load<u32>(accs + (<usize>k << 2)), d);
    if (fisZero(g2, d)) {
      fone(g2, d);
      store<i32>(SPECIAL + (<usize>specials << 2), k);
      specials++;
    }
    if (k == 0) fcopy(g2, d, PRE);
    else fmul(g2, PRE + <usize>(k - 1) * n8, d, PRE + <usize>k * n8);
  }
  // r = 1/Π dx, then backwards: 1/dx_k = r·Π_{j<k} dx_j, r ← r·dx_k
  finverse(g2, PRE + <usize>(m - 1) * n8, RUN);
  let next = specials - 1;
  for (let k = m - 1; k >= 0; k--) {
    const a: usize = load<u32>(accs + (<usize>k << 2));
    const p: usize = load<u32>(adds + (<usize>k << 2));
    const minus = load<i32>(negs + (<usize>k << 2)) != 0;
    const d = DX + <usize>k * n8;
    if (k > 0) {
      fmul(g2, RUN, PRE + <usize>(k - 1) * n8, LAM); // LAM = 1/dx_k for now
      fmul(g2, RUN, d, RUN);
    } else fcopy(g2, RUN, LAM);
    if (next >= 0 && load<i32>(SPECIAL + (<usize>next << 2)) == k) {
      next--;
      let q = p;
      if (minus) {
        fcopy(g2, p, NEGP);
        fneg(g2, p + n8, NEGP + n8);
        q = NEGP;
      }
      if (g2) { g2mToJacobian(a, JAC); g2mAddMixed(JAC, q, JAC); g2mToAffine(JAC, a); }
      else { g1mToJacobian(a, JAC); g1mAddMixed(JAC, q, JAC); g1mToAffine(JAC, a); }
      continue;
    }
    // λ = (y₂ - y₁)/dx; adding -P₂: μ = (y₂ + y₁)/dx, same x₃, y₃ = μ(x₃ - x₁) - y₁
    if (minus) fadd(g2, p + n8, a + n8, TMP); else fsub(g2, p + n8, a + n8, TMP);
    fmul(g2, TMP, LAM, LAM);
    fsquare(g2, LAM, X3);
    fsub(g2, X3, a, X3);
    fsub(g2, X3, p, X3);
    if (minus) fsub(g2, X3, a, TMP); else fsub(g2, a, X3, TMP);
    fmul(g2, LAM, TMP, TMP);
    fsub(g2, TMP, a + n8, a + n8);
    fcopy(g2, X3, a);
  }
  return specials;
}

/** batchAdd over caller-made pointer arrays (table rows): acc, add, neg are i32 arrays of m. */
@inline function addBatch(g2: bool, accs: usize, adds: usize, negs: usize, m: i32, work: usize): i32 {
  layout(work, m, g2);
  return batchAdd(g2, accs, adds, negs, m);
}

/**
 * Σ_w ±T[w][|e_w| - 1] for n ≤ max scalars: digits (i32, scalar i's digit w at i·windows + w),
 * the table (rows of `half` affine points), n accumulators at accs (affine, written), zero
 * (n bytes, scratch).
 */
@inline function multiplyBatch(
  g2: bool, n: i32, digits: usize, windows: i32, half: i32, table: usize, accs: usize, zero: usize, max: i32, work: usize,
): void {
  const sAff: usize = g2 ? 128 : 64;
  const n8: usize = g2 ? 64 : 32;
  layout(work, max, g2);
  memory.fill(zero, 1, n);
  for (let w = 0; w < windows; w++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const d = load<i32>(digits + ((<usize>i * windows + w) << 2));
      if (d == 0) continue;
      const p = table + (<usize>(w * half) + <usize>(abs(d) - 1)) * sAff;
      const a = accs + <usize>i * sAff;
      if (load<u8>(zero + i)) {
        fcopy(g2, p, a);
        if (d < 0) fneg(g2, p + n8, a + n8); else fcopy(g2, p + n8, a + n8);
        store<u8>(zero + i, 0);
        continue;
      }
      store<u32>(ACC + (<usize>m << 2), <u32>a);
      store<u32>(ADD + (<usize>m << 2), <u32>p);
      store<i32>(NEG + (<usize>m << 2), d < 0 ? 1 : 0);
      store<i32>(WHO + (<usize>m << 2), i);
      m++;
    }
    if (m == 0) continue;
    const specials = batchAdd(g2, ACC, ADD, NEG, m);
    for (let k = 0; k < specials; k++) {
      const j = load<i32>(SPECIAL + (<usize>k << 2));
      const a: usize = load<u32>(ACC + (<usize>j << 2));
      if (fisZero(g2, a) && fisZero(g2, a + n8)) store<u8>(zero + load<i32>(WHO + (<usize>j << 2)), 1);
    }
  }
  for (let i = 0; i < n; i++) if (load<u8>(zero + i)) memory.fill(accs + <usize>i * sAff, 0, sAff);
}

// one copy of each per group, so the group's field is fixed at compile time
export function g1WorkBytes(max: i32): usize {
  return workBytes(max, false);
}
export function g2WorkBytes(max: i32): usize {
  return workBytes(max, true);
}
export function g1AddBatch(accs: usize, adds: usize, negs: usize, m: i32, work: usize): i32 {
  return addBatch(false, accs, adds, negs, m, work);
}
export function g2AddBatch(accs: usize, adds: usize, negs: usize, m: i32, work: usize): i32 {
  return addBatch(true, accs, adds, negs, m, work);
}
export function g1MultiplyBatch(
  n: i32, digits: usize, windows: i32, half: i32, table: usize, accs: usize, zero: usize, max: i32, work: usize,
): void {
  multiplyBatch(false, n, digits, windows, half, table, accs, zero, max, work);
}
export function g2MultiplyBatch(
  n: i32, digits: usize, windows: i32, half: i32, table: usize, accs: usize, zero: usize, max: i32, work: usize,
): void {
  multiplyBatch(true, n, digits, windows, half, table, accs, zero, max, work);
}
