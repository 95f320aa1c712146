/**
 * The points of a .ptau file, read in pieces: the check reads up to a few hundred MB per
 * section at power 20 and a ceremony file holds hundreds of GB, so nothing reads a whole
 * section. Every point read is tested to be on its curve before any sum over it is trusted.
 */
import { type promises as fs } from "node:fs";
import type { Curve } from "ffjavascript";
import { PTAU_SECTION_NAME, type PtauLayout } from "../formats/ptau.js";
import { ZkError } from "../errors.js";
import { firstOffCurve } from "./wasm-batch.js";

export type Group = "G1" | "G2";

/** Points per multi-exponentiation: big enough for Pippenger's buckets to pay, 4–8 MiB of bases. */
const CHUNK = 1 << 16;

export interface PtauReader {
  readonly file: string;
  readonly curve: Curve;
  readonly layout: PtauLayout;
  readonly fh: fs.FileHandle;
}

export function sectionLabel(section: number): string {
  return `section ${section} (${PTAU_SECTION_NAME[section] ?? "unknown"})`;
}

/** "<file>: <what>: not a valid prepared powers-of-tau file", the one shape of every refusal. */
export function invalidPtau(file: string, what: string): ZkError {
  return new ZkError("BAD_FILE", `${file}: ${what}: not a valid prepared powers-of-tau file`);
}

/** Points [start, start + count) of a section, affine Montgomery form as stored, each on its curve. */
export async function readPoints(
  src: PtauReader,
  section: number,
  group: Group,
  start: number,
  count: number,
): Promise<Uint8Array> {
  const size = src.curve[group].F.n8 * 2;
  const ref = src.layout.sections.get(section);
  if (!ref || (start + count) * size > ref.size) {
    // the header check sized every section for the file's power; this is a caller asking too much
    throw new Error(
      `readPoints: ${sectionLabel(section)} has ${ref ? ref.size / size : 0} points, asked for ${start + count}`,
    );
  }
  const buf = new Uint8Array(count * size);
  for (let got = 0; got < buf.length;) {
    const { bytesRead } = await src.fh.read(buf, got, buf.length - got, ref.start + start * size + got);
    if (bytesRead === 0)
      throw new ZkError(
        "BAD_FILE",
        `${src.file}: ends inside ${sectionLabel(section)} (the file changed while it was read?)`,
      );
    got += bytesRead;
  }
  const bad = firstOffCurve(src.curve, group, buf);
  if (bad >= 0) throw invalidPtau(src.file, `${sectionLabel(section)} point ${start + bad} is not on the curve`);
  return buf;
}

/**
 * Σ s_i·P_(start+i) over a section's points, one multi-exponentiation per chunk, summed.
 * Scalars are standard-form little-endian, `scalarBytes` each (16-byte random coefficients
 * cost half the 32-byte ones). `onPoints` hears how many points each chunk covered.
 */
export async function sumPoints(
  src: PtauReader,
  section: number,
  group: Group,
  start: number,
  scalars: Uint8Array,
  scalarBytes: number,
  onPoints?: (n: number) => void,
): Promise<Uint8Array> {
  const G = src.curve[group];
  const count = scalars.length / scalarBytes;
  let acc = G.zero;
  for (let i = 0; i < count; i += CHUNK) {
    const n = Math.min(CHUNK, count - i);
    const bases = await readPoints(src, section, group, start + i, n);
    acc = G.add(acc, await G.multiExpAffine(bases, scalars.subarray(i * scalarBytes, (i + n) * scalarBytes)));
    onPoints?.(n);
  }
  return acc;
}

/** One point of a section, checked like the rest. */
export async function readPoint(src: PtauReader, section: number, group: Group, index: number): Promise<Uint8Array> {
  return readPoints(src, section, group, index, 1);
}
