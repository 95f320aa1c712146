/**
 * The snarkjs powers-of-tau format (.ptau, version 1), BN254 only. Sections (points are
 * affine, coordinates little-endian Montgomery form, as ffjavascript keeps them):
 *   1 header: n8, base-field prime q, power, ceremony power
 *   2 tauG1 (2^(power+1) - 1 points)   3 tauG2 (2^power)   4 alphaTauG1 (2^power)
 *   5 betaTauG1 (2^power)              6 betaG2 (1)        7 contributions
 *   12..15 "prepared for phase 2": the same four families in the Lagrange basis, for every
 *   domain size 2^p, p = 0..power (section 12 also has p = power + 1). Groth16 setup reads them.
 */
import { readBinFile } from "./binfile.js";
import { ZkError } from "../errors.js";

export const PTAU_MAGIC = "ptau";
export const PTAU_VERSION = 1;
export const PTAU_SECTION = {
  HEADER: 1, TAU_G1: 2, TAU_G2: 3, ALPHA_TAU_G1: 4, BETA_TAU_G1: 5, BETA_G2: 6, CONTRIBUTIONS: 7,
  LAGRANGE_TAU_G1: 12, LAGRANGE_TAU_G2: 13, LAGRANGE_ALPHA_TAU_G1: 14, LAGRANGE_BETA_TAU_G1: 15,
} as const;
/** BN254's base field, the coordinates' field (the header names this one, not the scalar field). */
export const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
export const G1_BYTES = 64;
export const G2_BYTES = 128;

/** Points in each section for a file of the given power. */
export function ptauSectionPoints(power: number): Record<number, { count: number; bytes: number }> {
  const n = 2 ** power;
  const lagr = 2 * n - 1; // Σ_{p=0..power} 2^p
  return {
    [PTAU_SECTION.TAU_G1]: { count: 2 * n - 1, bytes: G1_BYTES },
    [PTAU_SECTION.TAU_G2]: { count: n, bytes: G2_BYTES },
    [PTAU_SECTION.ALPHA_TAU_G1]: { count: n, bytes: G1_BYTES },
    [PTAU_SECTION.BETA_TAU_G1]: { count: n, bytes: G1_BYTES },
    [PTAU_SECTION.BETA_G2]: { count: 1, bytes: G2_BYTES },
    [PTAU_SECTION.LAGRANGE_TAU_G1]: { count: lagr + 2 * n, bytes: G1_BYTES },
    [PTAU_SECTION.LAGRANGE_TAU_G2]: { count: lagr, bytes: G2_BYTES },
    [PTAU_SECTION.LAGRANGE_ALPHA_TAU_G1]: { count: lagr, bytes: G1_BYTES },
    [PTAU_SECTION.LAGRANGE_BETA_TAU_G1]: { count: lagr, bytes: G1_BYTES },
  };
}

export interface PtauInfo {
  readonly power: number;
  readonly ceremonyPower: number;
  readonly prepared: boolean;
  readonly contributions: number;
}

/** Reads the header and checks the section sizes, without touching the points (cheap). */
export function inspectPtau(bytes: Uint8Array, what: string): PtauInfo {
  const file = readBinFile(bytes, PTAU_MAGIC, PTAU_VERSION, what);
  const h = file.section(PTAU_SECTION.HEADER, "header");
  const n8 = h.u32();
  if (n8 !== 32) throw new ZkError("BAD_FILE", `${what}: field size ${n8}, expected 32 (BN254)`);
  if (h.fieldLE(n8) !== BN254_Q) throw new ZkError("BAD_FILE", `${what}: not a BN254 (bn128) powers-of-tau file`);
  const power = h.u32();
  const ceremonyPower = h.u32();
  h.done();
  if (power < 1 || power > 28) throw new ZkError("BAD_FILE", `${what}: power ${power} is out of range`);
  const expect = ptauSectionPoints(power);
  const prepared = file.has(PTAU_SECTION.LAGRANGE_TAU_G1);
  for (const [type, { count, bytes: per }] of Object.entries(expect)) {
    const t = Number(type);
    if (t >= 12 && !prepared) continue;
    const s = file.section(t, `section ${t}`);
    if (s.remaining !== count * per) {
      throw new ZkError("BAD_FILE", `${what}: section ${t} has ${s.remaining} bytes, expected ${count * per} for power ${power}`);
    }
  }
  const contributions = file.has(PTAU_SECTION.CONTRIBUTIONS) ? file.section(PTAU_SECTION.CONTRIBUTIONS, "contributions").u32() : 0;
  return { power, ceremonyPower, prepared, contributions };
}
