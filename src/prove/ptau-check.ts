/**
 * A randomized consistency check of a prepared powers-of-tau file, over everything Groth16
 * setup reads for a circuit of power k: seconds, where `snarkjs powersoftau verify` takes hours.
 *
 * What setup reads (snarkjs zkey_new.js): [α]₁ and [β]₁ (the first points of sections 4 and 5),
 * [β]₂ (section 6), and the Lagrange bases of the circuit's domain n = 2^k: level k of sections
 * 12–15, and level k+1 of section 12 for the H query. A file is consistent when, for the τ, α, β
 * its first points define, every point is what its position says:
 *   T_i = [τ^i]₁ (section 2), U_i = [τ^i]₂ (3), A_i = [ατ^i]₁ (4), B_i = [βτ^i]₁ (5), [β]₂ (6),
 *   and level p of sections 12–15 = [L_i(τ)] over the domain of size 2^p, times 1, 1, α, β.
 * Checked here: levels 0..k+1 of section 12, 0..k of 13–15, and the powers they are built from
 * (T_0..T_(2n-1), U, A, B below n), so a pass at power k covers every smaller circuit too.
 *
 * Each relation is one equation over random 128-bit coefficients. If any point is wrong, the
 * equation is a non-zero linear form in the coefficients; fixing all but one, at most one of
 * its 2^128 values satisfies it, so a wrong file passes a check with probability ≤ 2^-128.
 *   successive powers (2, 4, 5):  e(Σ r_i P_(i+1), [1]₂) = e(Σ r_i P_i, U_1)
 *   G2 powers (3):                e(Σ s_i T_i, [1]₂) = e([1]₁, Σ s_i U_i)
 *   beta in G2 (6):               e(B_0, [1]₂) = e([1]₁, [β]₂)
 *   Lagrange (12, 14, 15): level p is the inverse FFT of the powers, [L_i] = (1/m) Σ_j ω^(-ij) [τ^j]
 *     (m = 2^p; snarkjs's prepare phase2 computes it so), so for random v and c = iFFT(v),
 *     Σ_i v_i [L_i] = Σ_j c_j [τ^j]. All levels at once: c is summed over the levels.
 *   Lagrange in G2 (13), point by point against 12: e(Σ w_i L12_i, [1]₂) = e([1]₁, Σ w_i L13_i)
 *
 * This says the file is a well-formed set of powers of *some* τ, α, β. It cannot say whether
 * anyone knows them: that trust comes only from where the file came from (SECURITY.md).
 */
import { promises as fs } from "node:fs";
import { randomBytes } from "node:crypto";
import type { Curve } from "ffjavascript";
import { PTAU_SECTION as S, type PtauLayout } from "../formats/ptau.js";
import type { Progress } from "../util/progress.js";
import { addScalarsInto } from "./wasm-batch.js";
import { invalidPtau, readPoint, sectionLabel, sumPoints, type PtauReader } from "./ptau-points.js";

/** Random coefficients below 2^128: the bound above, at half the cost of full scalars. */
const R_BYTES = 16;
const FR_BYTES = 32;
/** A G2 point costs about three G1 points to sum, for the progress fraction. */
const G2_WEIGHT = 3;

/** Throws a ZkError naming the file and the first check that fails. */
export async function checkPtauPoints(
  curve: Curve,
  file: string,
  layout: PtauLayout,
  need: number,
  progress?: Progress,
): Promise<void> {
  const power = layout.info.power;
  if (need < 1 || need > power) throw new Error(`checkPtauPoints: power ${need} outside 1..${power}`);
  const n = 2 ** need;
  // level k+1 of section 12 uses T_0..T_(2n-1); at k = power the file has one fewer (and that level was built without it)
  const nTau = need < power ? 2 * n : 2 * n - 1;
  // points summed, G2 weighted: 2·nTau for section 2, 4n for 4 and 5, 4n for 3, 4n + nTau for 12, 8n for 13, 6n for 14 and 15
  const total = 3 * nTau + 26 * n;
  let done = 0;
  const tick = (weight: number) => (k: number) => {
    done += k * weight;
    progress?.update(`checking ptau (power ${need})`, done / total);
  };
  const fh = await fs.open(file, "r");
  try {
    const src: PtauReader = { file, curve, layout, fh };
    const u1 = await checkBasics(src, n);
    await checkSuccessive(src, S.TAU_G1, nTau, u1, "a sequence of powers of the tau in section 3", tick(1));
    await checkSuccessive(src, S.ALPHA_TAU_G1, n, u1, "alpha times the powers of the tau in section 3", tick(1));
    await checkSuccessive(src, S.BETA_TAU_G1, n, u1, "beta times the powers of the tau in section 3", tick(1));
    await checkTauG2(src, n, tick);
    await checkBetaG2(src);
    await checkLagrange(src, S.LAGRANGE_TAU_G1, S.TAU_G1, need + 1, nTau, "the tau powers (section 2)", tick(1));
    await checkLagrangeG2(src, need, tick);
    await checkLagrange(
      src,
      S.LAGRANGE_ALPHA_TAU_G1,
      S.ALPHA_TAU_G1,
      need,
      n,
      "the alpha tau powers (section 4)",
      tick(1),
    );
    await checkLagrange(
      src,
      S.LAGRANGE_BETA_TAU_G1,
      S.BETA_TAU_G1,
      need,
      n,
      "the beta tau powers (section 5)",
      tick(1),
    );
  } finally {
    await fh.close();
  }
  progress?.done();
}

/** The generators, and the values that would break Groth16 outright; returns U_1 = [τ]₂. */
async function checkBasics(src: PtauReader, n: number): Promise<Uint8Array> {
  const { G1, G2 } = src.curve;
  if (!G1.eq(await readPoint(src, S.TAU_G1, "G1", 0), G1.oneAffine))
    throw invalidPtau(src.file, `${sectionLabel(S.TAU_G1)} does not start with the generator`);
  if (!G2.eq(await readPoint(src, S.TAU_G2, "G2", 0), G2.oneAffine))
    throw invalidPtau(src.file, `${sectionLabel(S.TAU_G2)} does not start with the generator`);
  // τ^n ∈ {0, ±1} (τ = 0, or a root of unity of the domains of size n or 2n) zeroes the vanishing polynomial: anyone could prove anything
  const tn = await readPoint(src, S.TAU_G1, "G1", n);
  if (G1.isZero(tn) || G1.eq(tn, G1.oneAffine) || G1.eq(tn, G1.neg(G1.oneAffine))) {
    throw invalidPtau(
      src.file,
      `${sectionLabel(S.TAU_G1)}: tau^${n} is 0 or ±1 (tau is zero or a root of unity of the circuit's domain)`,
    );
  }
  for (const [section, name] of [
    [S.ALPHA_TAU_G1, "alpha"],
    [S.BETA_TAU_G1, "beta"],
  ] as const) {
    if (G1.isZero(await readPoint(src, section, "G1", 0)))
      throw invalidPtau(src.file, `${sectionLabel(section)} starts with the identity (${name} = 0)`);
  }
  const u1 = await readPoint(src, S.TAU_G2, "G2", 1);
  if (!inG2Subgroup(src.curve, u1))
    throw invalidPtau(src.file, `${sectionLabel(S.TAU_G2)} point 1 is not in the prime-order subgroup`);
  return u1;
}

/** P_(i+1) = τ·P_i for i < count - 1, as one pairing equation. */
async function checkSuccessive(
  src: PtauReader,
  section: number,
  count: number,
  u1: Uint8Array,
  should: string,
  onPoints: (k: number) => void,
): Promise<void> {
  const { curve } = src;
  const r = randomBytes((count - 1) * R_BYTES);
  const hi = await sumPoints(src, section, "G1", 1, r, R_BYTES, onPoints);
  const lo = await sumPoints(src, section, "G1", 0, r, R_BYTES, onPoints);
  if (!(await curve.pairingEq(hi, curve.G2.oneAffine, curve.G1.neg(lo), u1))) {
    throw invalidPtau(src.file, `${sectionLabel(section)} is not ${should}`);
  }
}

/** U_i = [τ^i]₂ for i < n, against the G1 powers already checked. */
async function checkTauG2(src: PtauReader, n: number, tick: (weight: number) => (k: number) => void): Promise<void> {
  const { curve } = src;
  const s = randomBytes(n * R_BYTES);
  const g1Sum = await sumPoints(src, S.TAU_G1, "G1", 0, s, R_BYTES, tick(1));
  const g2Sum = await sumPoints(src, S.TAU_G2, "G2", 0, s, R_BYTES, tick(G2_WEIGHT));
  if (!inG2Subgroup(curve, g2Sum))
    throw invalidPtau(src.file, `${sectionLabel(S.TAU_G2)} has points outside the prime-order subgroup`);
  if (!(await curve.pairingEq(g1Sum, curve.G2.oneAffine, curve.G1.neg(curve.G1.oneAffine), g2Sum))) {
    throw invalidPtau(src.file, `${sectionLabel(S.TAU_G2)} is not consistent with the tau powers in G1 (section 2)`);
  }
}

/**
 * Section 13 against section 12, level by level and point by point (both are [L_i(τ)], in G2
 * and G1): e(Σ w_i L12_i, [1]₂) = e([1]₁, Σ w_i L13_i). Section 12 is already tied to the
 * powers, and this costs one G2 sum with short coefficients where the route through section 3
 * would need a second one with full-width coefficients (G2 sums dominate the check's time).
 */
async function checkLagrangeG2(
  src: PtauReader,
  top: number,
  tick: (weight: number) => (k: number) => void,
): Promise<void> {
  const { curve } = src;
  const w = randomBytes((2 ** (top + 1) - 1) * R_BYTES);
  const g1Sum = await sumPoints(src, S.LAGRANGE_TAU_G1, "G1", 0, w, R_BYTES, tick(1));
  const g2Sum = await sumPoints(src, S.LAGRANGE_TAU_G2, "G2", 0, w, R_BYTES, tick(G2_WEIGHT));
  if (!inG2Subgroup(curve, g2Sum))
    throw invalidPtau(src.file, `${sectionLabel(S.LAGRANGE_TAU_G2)} has points outside the prime-order subgroup`);
  if (!(await curve.pairingEq(g1Sum, curve.G2.oneAffine, curve.G1.neg(curve.G1.oneAffine), g2Sum))) {
    throw invalidPtau(
      src.file,
      `${sectionLabel(S.LAGRANGE_TAU_G2)} is not consistent with section 12 (tau Lagrange, G1)`,
    );
  }
}

async function checkBetaG2(src: PtauReader): Promise<void> {
  const { curve } = src;
  const beta2 = await readPoint(src, S.BETA_G2, "G2", 0);
  if (!inG2Subgroup(curve, beta2))
    throw invalidPtau(src.file, `${sectionLabel(S.BETA_G2)} is not in the prime-order subgroup`);
  const beta1 = await readPoint(src, S.BETA_TAU_G1, "G1", 0);
  if (!(await curve.pairingEq(beta1, curve.G2.oneAffine, curve.G1.neg(curve.G1.oneAffine), beta2))) {
    throw invalidPtau(src.file, `${sectionLabel(S.BETA_G2)} is not the beta of section 5`);
  }
}

/** Levels 0..top of a G1 Lagrange section against the first `baseCount` powers of its base section. */
async function checkLagrange(
  src: PtauReader,
  section: number,
  base: number,
  top: number,
  baseCount: number,
  against: string,
  onPoints: (k: number) => void,
): Promise<void> {
  const G1 = src.curve.G1;
  const v = randomBytes((2 ** (top + 1) - 1) * R_BYTES);
  const c = await powersFromLagrange(src.curve, v, R_BYTES, top);
  const lhs = await sumPoints(src, section, "G1", 0, v, R_BYTES, onPoints);
  // past baseCount the coefficient meets the missing top power, which that level was built without
  const rhs = await sumPoints(src, base, "G1", 0, c.subarray(0, baseCount * FR_BYTES), FR_BYTES, onPoints);
  if (!G1.eq(lhs, rhs)) throw invalidPtau(src.file, `${sectionLabel(section)} is not consistent with ${against}`);
}

/**
 * The power coefficients that match Lagrange coefficients v over levels 0..top (level p's 2^p
 * values at offset 2^p - 1, as the sections lay them out): c = Σ_p iFFT_p(v_p), each level's
 * result in the low 2^p entries, so Σ_p Σ_i v_(p,i) [L^(p)_i(τ)] = Σ_j c_j [τ^j]. Standard form,
 * 32 bytes each, 2^top of them.
 */
export async function powersFromLagrange(
  curve: Curve,
  v: Uint8Array,
  vBytes: number,
  top: number,
): Promise<Uint8Array> {
  const Fr = curve.Fr;
  const acc = new Uint8Array(2 ** top * FR_BYTES);
  for (let p = 0; p <= top; p++) {
    const m = 2 ** p;
    const level = widen(v.subarray((m - 1) * vBytes, (2 * m - 1) * vBytes), vBytes);
    // the domain of one point has L_0 = 1; ffjavascript's FFT wants two points or more
    const c = m === 1 ? level : await Fr.batchFromMontgomery(await Fr.ifft(await Fr.batchToMontgomery(level)));
    addScalarsInto(curve, acc.subarray(0, m * FR_BYTES), c);
  }
  return acc;
}

/** Scalars of `bytes` bytes each (below the field order) as 32-byte field elements. */
function widen(values: Uint8Array, bytes: number): Uint8Array {
  const n = values.length / bytes;
  const out = new Uint8Array(n * FR_BYTES);
  for (let i = 0; i < n; i++) out.set(values.subarray(i * bytes, (i + 1) * bytes), i * FR_BYTES);
  return out;
}

/**
 * [r]Q = 0. Exact for one point; for a random combination Σ s_i Q_i it misses a stray component
 * of some Q_i with probability 1/ℓ for the smallest prime ℓ of BN254's G2 cofactor (10069),
 * which is why the points the pairings lean on (U_1, [β]₂) are tested one by one.
 */
function inG2Subgroup(curve: Curve, q: Uint8Array): boolean {
  const r = new Uint8Array(32);
  let x = curve.r;
  for (let i = 0; i < 32; i++, x >>= 8n) r[i] = Number(x & 0xffn);
  return curve.G2.isZero(curve.G2.timesScalar(q, r));
}
