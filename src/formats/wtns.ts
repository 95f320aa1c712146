/**
 * The iden3 .wtns format, version 2 (what circom's witness calculators write):
 *   header:  n8 u32, prime (n8 bytes), nWitness u32
 *   witness: nWitness field elements, n8 bytes each, little-endian, normal (not Montgomery) form
 * The witness buffer is allocated once at its final size so backends write field elements
 * straight into it (see `WitnessBuffer`).
 */
import { readBinFile, BinFileWriter } from "./binfile.js";
import { FIELD_BYTES, P, readBigField } from "../field.js";
import { ZkError } from "../errors.js";

export const WTNS_MAGIC = "wtns";
export const WTNS_VERSION = 2;
export const WTNS_SECTION = { HEADER: 1, WITNESS: 2 } as const;

/** Byte length of the .wtns file for n wires, and where the first wire starts in it. */
export function wtnsLayout(nWires: number): { size: number; dataOffset: number } {
  // magic+version+nSections (12) | header section: 12 + 4 + 32 + 4 | witness section: 12 + data
  const headerSection = 12 + 4 + FIELD_BYTES + 4;
  const dataOffset = 12 + headerSection + 12;
  return { size: dataOffset + nWires * FIELD_BYTES, dataOffset };
}

/**
 * The bytes of a .wtns file before its first wire (header, and the witness section's own
 * header): a writer that holds the data elsewhere (the wasm kernels' memory) needs only this.
 */
export function wtnsPrefix(nWires: number): Uint8Array {
  const { dataOffset } = wtnsLayout(nWires);
  const f = new BinFileWriter(WTNS_MAGIC, WTNS_VERSION, 2);
  f.section(WTNS_SECTION.HEADER, (w) => {
    w.u32(FIELD_BYTES);
    w.fieldLE(P, FIELD_BYTES);
    w.u32(nWires);
  });
  f.section(WTNS_SECTION.WITNESS, () => undefined);
  const bytes = f.finish().slice();
  if (bytes.length !== dataOffset) throw new Error(`wtns layout mismatch: ${bytes.length} != ${dataOffset}`);
  // the witness section was written empty: give it its real length
  new DataView(bytes.buffer).setBigUint64(dataOffset - 8, BigInt(nWires * FIELD_BYTES), true);
  return bytes;
}

/**
 * Allocates a complete .wtns file with a zeroed witness section; the caller fills wire i at
 * `dataOffset + 32·i`. This lets kernels encode field elements in place, with no copy.
 */
export function allocWtns(nWires: number): { bytes: Uint8Array; dataOffset: number } {
  const { size, dataOffset } = wtnsLayout(nWires);
  const bytes = new Uint8Array(size);
  bytes.set(wtnsPrefix(nWires));
  return { bytes, dataOffset };
}

export interface ParsedWtns {
  readonly nWires: number;
  /** A view of the witness data: wire i at 32·i. */
  readonly data: Uint8Array;
}

export function readWtns(bytes: Uint8Array, what = ".wtns file"): ParsedWtns {
  const file = readBinFile(bytes, WTNS_MAGIC, WTNS_VERSION, what);
  const h = file.section(WTNS_SECTION.HEADER, "header");
  const n8 = h.u32();
  if (n8 !== FIELD_BYTES) throw new ZkError("BAD_FILE", `${what}: field size ${n8} bytes, expected ${FIELD_BYTES}`);
  if (h.fieldLE(n8) !== P) throw new ZkError("BAD_FILE", `${what}: prime is not BN254's scalar field`);
  const nWires = h.u32();
  h.done();
  const s = file.section(WTNS_SECTION.WITNESS, "witness");
  if (s.remaining !== nWires * n8) {
    throw new ZkError(
      "BAD_FILE",
      `${what}: header says ${nWires} wires (${nWires * n8} bytes) but the witness section has ${s.remaining} bytes`,
    );
  }
  const data = s.bytes(nWires * n8);
  s.done();
  return { nWires, data };
}

/** All witness values as BigInts (for the checker and tests; backends never need this). */
export function witnessValues(w: ParsedWtns): bigint[] {
  const view = new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength);
  const out: bigint[] = new Array(w.nWires);
  for (let i = 0; i < w.nWires; i++) {
    const v = readBigField(view, i * FIELD_BYTES);
    if (v >= P) throw new ZkError("BAD_FILE", `wtns: wire ${i} is not a reduced field element`);
    out[i] = v;
  }
  return out;
}
