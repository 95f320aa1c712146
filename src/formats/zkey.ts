/**
 * Where things are in a snarkjs Groth16 .zkey, read from its section table and header only:
 * a power-21 key is 700 MB, and the prover (prove/groth16.ts) reads each section straight into
 * the wasm memory that computes with it, never the whole file into one buffer.
 *
 * Sections (snarkjs's zkey_utils.js): 1 protocol (1 = Groth16); 2 the Groth16 header: n8q, q,
 * n8r, r, nVars, nPublic, domainSize, then alpha1, beta1, beta2, gamma2, delta1, delta2 (affine,
 * Montgomery form); 4 the QAP coefficients (a count, then m, c, s as u32 and the value, 44
 * bytes each); 5 A, 6 B1, 7 B2 (one point per wire), 8 C (one per private wire), 9 H (one per
 * domain point). Sections may come in any order (prove/dev-zkey.ts writes H before A).
 */
import { BN254_Q, FIELD_BYTES, P } from "../field.js";
import { ZkError } from "../errors.js";
import { openBinFileTable } from "./binfile-file.js";
import { SectionReader, type SectionRef } from "./binfile.js";

export const ZKEY_MAGIC = "zkey";

export const ZKEY_SECTION = {
  HEADER: 1,
  GROTH: 2,
  IC: 3,
  COEFFS: 4,
  A: 5,
  B1: 6,
  B2: 7,
  C: 8,
  H: 9,
  CONTRIB: 10,
} as const;

/** One QAP coefficient in section 4: matrix, constraint and signal (u32 each), then the value. */
export const ZKEY_COEF_BYTES = 12 + FIELD_BYTES;
export const G1_AFFINE_BYTES = 64;
export const G2_AFFINE_BYTES = 128;

/** The key's fixed points, as the file holds them (affine, Montgomery form). */
export interface ZkeyPoints {
  readonly alpha1: Uint8Array;
  readonly beta1: Uint8Array;
  readonly beta2: Uint8Array;
  readonly delta1: Uint8Array;
  readonly delta2: Uint8Array;
}

export interface ZkeyLayout {
  readonly file: string;
  readonly nVars: number;
  readonly nPublic: number;
  readonly domainSize: number;
  readonly power: number;
  readonly nCoefs: number;
  readonly points: ZkeyPoints;
  readonly sections: ReadonlyMap<number, SectionRef>;
}

const bad = (file: string, what: string) => new ZkError("BAD_FILE", `${file}: ${what}: not a valid Groth16 .zkey file`);

/** Reads `file`'s section table and Groth16 header, and checks every section a proof needs is there at its size. */
export async function readZkeyLayout(file: string): Promise<ZkeyLayout> {
  const t = await openBinFileTable(file, ZKEY_MAGIC, "proving key", (problem) => bad(file, problem));
  try {
    const { sections, read } = t;
    if (t.repeated.length) throw bad(file, `section ${t.repeated[0]} appears twice`);
    const span = (type: number) => {
      const s = sections.get(type);
      if (!s) throw bad(file, `no section ${type}`);
      return s;
    };
    const protocol = new DataView((await read(span(ZKEY_SECTION.HEADER).start, 4)).buffer).getUint32(0, true);
    if (protocol !== 1) throw bad(file, `protocol ${protocol} is not Groth16`);

    const g = span(ZKEY_SECTION.GROTH);
    // n8q, q, n8r, r, nVars, nPublic, domainSize, then 3 G1 and 3 G2 points
    const grothBytes = 4 + FIELD_BYTES + 4 + FIELD_BYTES + 12 + 3 * G1_AFFINE_BYTES + 3 * G2_AFFINE_BYTES;
    if (g.size < grothBytes) throw bad(file, `its Groth16 header holds ${g.size} bytes, not ${grothBytes}`);
    const h = new SectionReader(await read(g.start, g.size), 0, g.size, `${file}: its Groth16 header`);
    const n8q = h.u32();
    const q = h.fieldLE(n8q);
    const n8r = h.u32();
    const r = h.fieldLE(n8r);
    if (n8q !== FIELD_BYTES || q !== BN254_Q || n8r !== FIELD_BYTES || r !== P)
      throw bad(file, "its curve is not BN254");
    const nVars = h.u32();
    const nPublic = h.u32();
    const domainSize = h.u32();
    const power = Math.log2(domainSize);
    if (!Number.isInteger(power) || nPublic >= nVars)
      throw bad(file, `domain ${domainSize}, ${nPublic} public of ${nVars}`);
    const alpha1 = h.bytes(G1_AFFINE_BYTES);
    const beta1 = h.bytes(G1_AFFINE_BYTES);
    const beta2 = h.bytes(G2_AFFINE_BYTES);
    h.bytes(G2_AFFINE_BYTES); // gamma2: the verifier's, not the prover's
    const delta1 = h.bytes(G1_AFFINE_BYTES);
    const delta2 = h.bytes(G2_AFFINE_BYTES);
    const points: ZkeyPoints = { alpha1, beta1, beta2, delta1, delta2 };

    const expect = (type: number, n: number, what: string) => {
      if (span(type).size !== n) throw bad(file, `section ${type} (${what}) holds ${span(type).size} bytes, not ${n}`);
    };
    const coefs = span(ZKEY_SECTION.COEFFS);
    const nCoefs = new DataView((await read(coefs.start, 4)).buffer).getUint32(0, true);
    expect(ZKEY_SECTION.COEFFS, 4 + nCoefs * ZKEY_COEF_BYTES, "coefficients");
    expect(ZKEY_SECTION.A, nVars * G1_AFFINE_BYTES, "A");
    expect(ZKEY_SECTION.B1, nVars * G1_AFFINE_BYTES, "B1");
    expect(ZKEY_SECTION.B2, nVars * G2_AFFINE_BYTES, "B2");
    expect(ZKEY_SECTION.C, (nVars - nPublic - 1) * G1_AFFINE_BYTES, "C");
    expect(ZKEY_SECTION.H, domainSize * G1_AFFINE_BYTES, "H");
    return { file, nVars, nPublic, domainSize, power, nCoefs, points, sections };
  } finally {
    await t.handle.close();
  }
}
