/**
 * The snarkjs powers-of-tau format (.ptau, version 1), BN254 only. Sections (points are
 * affine, coordinates little-endian Montgomery form, as ffjavascript keeps them):
 *   1 header: n8, base-field prime q, power, ceremony power
 *   2 tauG1 (2^(power+1) - 1 points)   3 tauG2 (2^power)   4 alphaTauG1 (2^power)
 *   5 betaTauG1 (2^power)              6 betaG2 (1)        7 contributions
 *   12..15 "prepared for phase 2": the same four families in the Lagrange basis, for every
 *   domain size 2^p, p = 0..power (section 12 also has p = power + 1). Groth16 setup reads them.
 */
import { promises as fs } from "node:fs";
import { readBinFile, type SectionRef } from "./binfile.js";
import { ZkError } from "../errors.js";

export const PTAU_MAGIC = "ptau";
export const PTAU_VERSION = 1;
export const PTAU_SECTION = {
  HEADER: 1,
  TAU_G1: 2,
  TAU_G2: 3,
  ALPHA_TAU_G1: 4,
  BETA_TAU_G1: 5,
  BETA_G2: 6,
  CONTRIBUTIONS: 7,
  LAGRANGE_TAU_G1: 12,
  LAGRANGE_TAU_G2: 13,
  LAGRANGE_ALPHA_TAU_G1: 14,
  LAGRANGE_BETA_TAU_G1: 15,
} as const;
/** What each point section holds, for messages ("section 12 (tau Lagrange, G1)"). */
export const PTAU_SECTION_NAME: Readonly<Record<number, string>> = {
  [PTAU_SECTION.TAU_G1]: "tau powers, G1",
  [PTAU_SECTION.TAU_G2]: "tau powers, G2",
  [PTAU_SECTION.ALPHA_TAU_G1]: "alpha tau powers, G1",
  [PTAU_SECTION.BETA_TAU_G1]: "beta tau powers, G1",
  [PTAU_SECTION.BETA_G2]: "beta, G2",
  [PTAU_SECTION.LAGRANGE_TAU_G1]: "tau Lagrange, G1",
  [PTAU_SECTION.LAGRANGE_TAU_G2]: "tau Lagrange, G2",
  [PTAU_SECTION.LAGRANGE_ALPHA_TAU_G1]: "alpha tau Lagrange, G1",
  [PTAU_SECTION.LAGRANGE_BETA_TAU_G1]: "beta tau Lagrange, G1",
};
/** The header names BN254's base field (the coordinates'), not the scalar field. */
export { BN254_Q } from "../field.js";
import { BN254_Q } from "../field.js";
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

/** Where each section of a checked .ptau file lies (each appears once), and its header. */
export interface PtauLayout {
  readonly info: PtauInfo;
  readonly size: number;
  readonly sections: ReadonlyMap<number, SectionRef>;
}

/**
 * Reads only the headers of a .ptau file on disk (ceremony files run to gigabytes): the
 * section table, the header section and the contribution count, checks them, and says where
 * the sections lie, for readers of the points.
 */
export async function readPtauLayout(file: string, what = file): Promise<PtauLayout> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ZkError(
      "BAD_FILE",
      code === "ENOENT" ? `ptau file not found: ${file}` : `cannot read ptau file ${file}: ${(e as Error).message}`,
    );
  }
  try {
    const size = (await fh.stat()).size;
    const read = async (pos: number, n: number) => {
      const b = new Uint8Array(n);
      const { bytesRead } = await fh.read(b, 0, n, pos);
      return b.subarray(0, bytesRead);
    };
    // rebuild a small container holding the header sections only, and check it like a whole file
    const head = await read(0, 12);
    if (head.length < 12) throw new ZkError("BAD_FILE", `${what}: file too short (${size} bytes) to be a ptau file`);
    checkMagic(head, what);
    const view = new DataView(head.buffer);
    const nSections = view.getUint32(8, true);
    const sections = new Map<number, SectionRef[]>();
    let pos = 12;
    for (let i = 0; i < nSections && i < 64; i++) {
      const sh = await read(pos, 12);
      if (sh.length < 12)
        throw new ZkError("BAD_FILE", `${what}: truncated in section header ${i + 1} of ${nSections}`);
      const v = new DataView(sh.buffer);
      const type = v.getUint32(0, true);
      const len = Number(v.getBigUint64(4, true));
      if (pos + 12 + len > size)
        throw new ZkError(
          "BAD_FILE",
          `${what}: section ${type} claims ${len} bytes but only ${size - pos - 12} remain (truncated file?)`,
        );
      sections.set(type, [...(sections.get(type) ?? []), { start: pos + 12, size: len }]);
      pos += 12 + len;
    }
    if (pos !== size) throw new ZkError("BAD_FILE", `${what}: ${size - pos} bytes after the last section`);
    const small = async (type: number) => {
      const ref = sections.get(type)?.[0];
      return ref && ref.size <= 1024 ? read(ref.start, ref.size) : null;
    };
    const info = checkPtau(
      head,
      sections,
      await small(PTAU_SECTION.HEADER),
      await small(PTAU_SECTION.CONTRIBUTIONS).then((b) => b ?? null),
      what,
    );
    // checkPtau made sure each section it knows appears once
    const first = new Map([...sections].map(([type, refs]) => [type, refs[0]!] as const));
    return { info, size, sections: first };
  } finally {
    await fh.close();
  }
}

/** The same checks on a whole file held in memory. */
export function inspectPtau(bytes: Uint8Array, what: string): PtauInfo {
  const file = readBinFile(bytes, PTAU_MAGIC, PTAU_VERSION, what);
  const slice = (type: number) => {
    const ref = file.sections.get(type)?.[0];
    return ref ? bytes.subarray(ref.start, ref.start + Math.min(ref.size, 1024)) : null;
  };
  return checkPtau(
    bytes.subarray(0, 12),
    file.sections,
    slice(PTAU_SECTION.HEADER),
    slice(PTAU_SECTION.CONTRIBUTIONS),
    what,
  );
}

function checkMagic(head: Uint8Array, what: string): void {
  const magic = new TextDecoder().decode(head.subarray(0, 4));
  if (magic !== PTAU_MAGIC)
    throw new ZkError("BAD_FILE", `${what}: not a ptau file (starts with ${JSON.stringify(magic)})`);
  const version = new DataView(head.buffer, head.byteOffset).getUint32(4, true);
  if (version !== PTAU_VERSION) throw new ZkError("BAD_FILE", `${what}: unsupported ptau version ${version}`);
}

function checkPtau(
  head: Uint8Array,
  sections: ReadonlyMap<number, readonly SectionRef[]>,
  header: Uint8Array | null,
  contributions: Uint8Array | null,
  what: string,
): PtauInfo {
  checkMagic(head, what);
  if (!header || header.length !== 44) throw new ZkError("BAD_FILE", `${what}: missing or malformed header section`);
  const file = readBinFile(concatSection(PTAU_SECTION.HEADER, header), PTAU_MAGIC, PTAU_VERSION, what);
  const h = file.section(PTAU_SECTION.HEADER, "header");
  const n8 = h.u32();
  if (n8 !== 32) throw new ZkError("BAD_FILE", `${what}: field size ${n8}, expected 32 (BN254)`);
  if (h.fieldLE(n8) !== BN254_Q) throw new ZkError("BAD_FILE", `${what}: not a BN254 (bn128) powers-of-tau file`);
  const power = h.u32();
  const ceremonyPower = h.u32();
  h.done();
  if (power < 1 || power > 28) throw new ZkError("BAD_FILE", `${what}: power ${power} is out of range`);
  const expect = ptauSectionPoints(power);
  const prepared = (sections.get(PTAU_SECTION.LAGRANGE_TAU_G1)?.length ?? 0) > 0;
  for (const [type, { count, bytes: per }] of Object.entries(expect)) {
    const t = Number(type);
    if (t >= 12 && !prepared) continue;
    const refs = sections.get(t) ?? [];
    if (refs.length !== 1)
      throw new ZkError("BAD_FILE", `${what}: section ${t} appears ${refs.length} times, expected once`);
    if (refs[0]!.size !== count * per) {
      throw new ZkError(
        "BAD_FILE",
        `${what}: section ${t} has ${refs[0]!.size} bytes, expected ${count * per} for power ${power}`,
      );
    }
  }
  const nContrib =
    contributions && contributions.length >= 4
      ? new DataView(contributions.buffer, contributions.byteOffset).getUint32(0, true)
      : 0;
  return { power, ceremonyPower, prepared, contributions: nContrib };
}

function concatSection(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + 12 + body.length);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode(PTAU_MAGIC));
  v.setUint32(4, PTAU_VERSION, true);
  v.setUint32(8, 1, true);
  v.setUint32(12, type, true);
  v.setBigUint64(16, BigInt(body.length), true);
  out.set(body, 24);
  return out;
}
