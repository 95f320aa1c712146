/**
 * A .r1cs file (r1cs.ts describes the format) read as a stream of terms: a 1.6M-constraint
 * circuit's file is 600 MB, and a development zkey (prove/dev-zkey.ts) needs each term once,
 * in file order, never the whole file. Only the header is checked up front; every term is
 * checked as it is read (its wire within the circuit, the section not overrun).
 */
import { type promises as fs } from "node:fs";
import { FIELD_BYTES, P } from "../field.js";
import { ZkError } from "../errors.js";
import { R1CS_MAGIC, R1CS_SECTION, R1CS_VERSION } from "./r1cs.js";
import { openBinFileTable } from "./binfile-file.js";

export interface R1csHeader {
  readonly nWires: number;
  readonly nPubOut: number;
  readonly nPubIn: number;
  readonly nPrvIn: number;
  readonly nConstraints: number;
}

/** Which linear combination of a constraint a term belongs to. */
export type LcKind = 0 | 1 | 2;

/**
 * One term: `coeff[at..at+32)` holds its coefficient (32-byte little-endian, standard form),
 * valid only during the call.
 */
export type TermVisitor = (constraint: number, lc: LcKind, wire: number, coeff: Uint8Array, at: number) => void;

export interface R1csStream {
  readonly file: string;
  readonly header: R1csHeader;
  /** Every term in file order; `between` is awaited at each refill of the read buffer (writes can go on there). */
  forEachTerm(visit: TermVisitor, between?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Bytes read at a time: large enough that a read is noise, small enough to stay out of the way. */
const BUFFER = 4 << 20;
/** The smallest buffer that holds a term (tests use it, to refill inside every constraint). */
const MIN_BUFFER = 4 + FIELD_BYTES;

const bad = (file: string, what: string) => new ZkError("BAD_FILE", `${file}: ${what}: not a valid .r1cs file`);

/** Opens `file`, reads its section table and header; the constraints are read by forEachTerm, `bufferBytes` at a time. */
export async function openR1csStream(file: string, bufferBytes = BUFFER): Promise<R1csStream> {
  if (!Number.isInteger(bufferBytes) || bufferBytes < MIN_BUFFER)
    throw new Error(`openR1csStream: a buffer of ${bufferBytes} bytes cannot hold a term`);
  const t = await openBinFileTable(file, R1CS_MAGIC, "circuit file", (problem) => bad(file, problem));
  const fh = t.handle;
  try {
    if (t.version > R1CS_VERSION) throw bad(file, `version ${t.version}`);
    const { sections } = t;
    const read = async (pos: number, n: number) => new DataView((await t.read(pos, n)).buffer);
    const hs = sections.get(R1CS_SECTION.HEADER);
    const cs = sections.get(R1CS_SECTION.CONSTRAINTS);
    if (!hs || !cs) throw bad(file, "no header or constraints section");
    const header = parseHeader(file, await read(hs.start, Math.min(hs.size, 4 + FIELD_BYTES + 28)));
    return {
      file,
      header,
      forEachTerm: (visit, between) => readTerms(fh, file, header, cs, bufferBytes, visit, between),
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

function parseHeader(file: string, v: DataView): R1csHeader {
  if (v.byteLength < 4 + FIELD_BYTES + 28) throw bad(file, "header section too short");
  const n8 = v.getUint32(0, true);
  if (n8 !== FIELD_BYTES) throw bad(file, `field size ${n8} bytes, expected ${FIELD_BYTES} (BN254)`);
  let prime = 0n;
  for (let i = FIELD_BYTES - 1; i >= 0; i--) prime = (prime << 8n) | BigInt(v.getUint8(4 + i));
  if (prime !== P) throw bad(file, "prime is not BN254's scalar field");
  const at = 4 + FIELD_BYTES;
  const header = {
    nWires: v.getUint32(at, true),
    nPubOut: v.getUint32(at + 4, true),
    nPubIn: v.getUint32(at + 8, true),
    nPrvIn: v.getUint32(at + 12, true),
    nConstraints: v.getUint32(at + 24, true), // after the u64 label count
  };
  if (1 + header.nPubOut + header.nPubIn + header.nPrvIn > header.nWires)
    throw bad(file, `header counts more signal wires than its ${header.nWires} wires`);
  return header;
}

async function readTerms(
  fh: fs.FileHandle,
  file: string,
  header: R1csHeader,
  section: { readonly start: number; readonly size: number },
  bufferBytes: number,
  visit: TermVisitor,
  between?: () => Promise<void>,
): Promise<void> {
  const buf = new Uint8Array(bufferBytes);
  const view = new DataView(buf.buffer);
  let at = 0; // next unread byte in buf
  let end = 0; // end of valid bytes in buf
  let filePos = section.start; // next byte of the file to read into buf
  const sectionEnd = section.start + section.size;
  /** At least `n` unread bytes in buf (n ≤ its size), reading more when short. */
  const need = async (n: number) => {
    if (end - at >= n) return;
    buf.copyWithin(0, at, end);
    end -= at;
    at = 0;
    while (end < n) {
      const want = Math.min(buf.length - end, sectionEnd - filePos);
      if (want <= 0) throw bad(file, "constraints section ends inside a constraint");
      const { bytesRead } = await fh.read(buf, end, want, filePos);
      if (bytesRead === 0) throw bad(file, "ends inside the constraints section");
      end += bytesRead;
      filePos += bytesRead;
    }
    await between?.();
  };
  const term = 4 + FIELD_BYTES;
  for (let c = 0; c < header.nConstraints; c++) {
    for (let lc: LcKind = 0; lc < 3; lc = (lc + 1) as LcKind) {
      await need(4);
      const n = view.getUint32(at, true);
      at += 4;
      for (let i = 0; i < n; i++) {
        if (end - at < term) await need(term);
        const wire = view.getUint32(at, true);
        if (wire >= header.nWires)
          throw bad(file, `constraint ${c} refers to wire ${wire} but the circuit has ${header.nWires} wires`);
        visit(c, lc, wire, buf, at + 4);
        at += term;
      }
    }
  }
  if (filePos - (end - at) !== sectionEnd) throw bad(file, "constraints section longer than its constraints");
}
