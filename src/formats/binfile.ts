/**
 * The iden3 binary container used by .r1cs, .wtns, .zkey and .ptau files:
 *
 *   magic (4 ASCII bytes) | version u32 | nSections u32 | sections...
 *   section = type u32 | size u64 | size bytes of data
 *
 * All integers little-endian. Each format module names its section ids as constants and
 * reads/writes one section at a time through these helpers; readers check the magic and
 * version up front and fail if a section is not consumed exactly to its end.
 */
import { ZkError } from "../errors.js";

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  u64(v: number | bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt(v), true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a non-negative bigint below 2^(8·n8) as n8 little-endian bytes. */
  fieldLE(v: bigint, n8: number): void {
    this.ensure(n8);
    for (let i = 0; i < n8; i += 8) {
      this.view.setBigUint64(this.pos + i, BigInt.asUintN(64, v), true);
      v >>= 64n;
    }
    this.pos += n8;
  }

  /** Reserves n bytes and returns their offset, for callers that fill them in place. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  patchU64(at: number, v: number | bigint): void {
    this.view.setBigUint64(at, BigInt(v), true);
  }

  /** The bytes written so far (a view, not a copy). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Direct access for bulk writers (valid until the next write that grows the buffer). */
  raw(): Uint8Array {
    return this.buf;
  }
}

/** Writes a whole container: header, then each section with its length back-filled. */
export class BinFileWriter {
  readonly w = new ByteWriter();
  private sectionStart = -1;
  private sizeAt = -1;

  constructor(magic: string, version: number, nSections: number) {
    if (magic.length !== 4) throw new Error(`magic must be 4 characters: ${magic}`);
    this.w.bytes(new TextEncoder().encode(magic));
    this.w.u32(version);
    this.w.u32(nSections);
  }

  startSection(type: number): ByteWriter {
    if (this.sectionStart >= 0) throw new Error("previous section not ended");
    this.w.u32(type);
    this.sizeAt = this.w.reserve(8);
    this.sectionStart = this.w.pos;
    return this.w;
  }

  endSection(): void {
    if (this.sectionStart < 0) throw new Error("no section started");
    this.w.patchU64(this.sizeAt, this.w.pos - this.sectionStart);
    this.sectionStart = -1;
  }

  section(type: number, body: (w: ByteWriter) => void): void {
    body(this.startSection(type));
    this.endSection();
  }

  finish(): Uint8Array {
    if (this.sectionStart >= 0) throw new Error("section not ended");
    return this.w.result();
  }
}

/** The 12-byte file header, for writers that stream sections of known size to disk. */
export function binFileHeader(magic: string, version: number, nSections: number): Uint8Array {
  const b = new Uint8Array(12);
  b.set(new TextEncoder().encode(magic));
  const v = new DataView(b.buffer);
  v.setUint32(4, version, true);
  v.setUint32(8, nSections, true);
  return b;
}

/** The 12-byte header of a section of `size` bytes, for streaming writers. */
export function sectionHeader(type: number, size: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setBigUint64(4, BigInt(size), true);
  return b;
}

/** A bounded reader over one section: every read is checked against the section's end. */
export class SectionReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
    private readonly what: string,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw new ZkError("BAD_FILE", `${this.what}: section ends early (needed ${n} more bytes at offset ${this.pos})`);
    }
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ZkError("BAD_FILE", `${this.what}: 64-bit value too large (${v})`);
    return Number(v);
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  fieldLE(n8: number): bigint {
    this.need(n8);
    let v = 0n;
    for (let i = n8 - 8; i >= 0; i -= 8) v = (v << 64n) | this.view.getBigUint64(this.pos + i, true);
    this.pos += n8;
    return v;
  }

  /** Fails unless the section was read exactly to its end. */
  done(): void {
    if (this.pos !== this.end) {
      throw new ZkError("BAD_FILE", `${this.what}: ${this.end - this.pos} unread bytes at the end of a section`);
    }
  }
}

export interface SectionRef {
  readonly start: number;
  readonly size: number;
}

export class BinFile {
  constructor(
    readonly bytes: Uint8Array,
    readonly version: number,
    readonly sections: ReadonlyMap<number, readonly SectionRef[]>,
    readonly what: string,
  ) {}

  has(type: number): boolean {
    return (this.sections.get(type)?.length ?? 0) > 0;
  }

  /** The one section of this type; fails if it is missing or repeated. */
  section(type: number, name: string): SectionReader {
    const refs = this.sections.get(type) ?? [];
    if (refs.length === 0) throw new ZkError("BAD_FILE", `${this.what}: missing ${name} section (${type})`);
    if (refs.length > 1)
      throw new ZkError("BAD_FILE", `${this.what}: ${name} section (${type}) appears ${refs.length} times`);
    const ref = refs[0]!;
    return new SectionReader(this.bytes, ref.start, ref.start + ref.size, `${this.what} ${name} section`);
  }
}

/** Parses the container and its section table; checks magic and version first. */
export function readBinFile(bytes: Uint8Array, magic: string, maxVersion: number, what: string): BinFile {
  if (bytes.length < 12)
    throw new ZkError("BAD_FILE", `${what}: file too short (${bytes.length} bytes) to be a ${magic} file`);
  const got = new TextDecoder().decode(bytes.subarray(0, 4));
  if (got !== magic) throw new ZkError("BAD_FILE", `${what}: not a ${magic} file (starts with ${JSON.stringify(got)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version < 1 || version > maxVersion) {
    throw new ZkError(
      "BAD_FILE",
      `${what}: unsupported ${magic} version ${version} (this reader knows 1..${maxVersion})`,
    );
  }
  const nSections = view.getUint32(8, true);
  const sections = new Map<number, SectionRef[]>();
  let pos = 12;
  for (let i = 0; i < nSections; i++) {
    if (pos + 12 > bytes.length)
      throw new ZkError("BAD_FILE", `${what}: truncated in section header ${i + 1} of ${nSections}`);
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    pos += 12;
    if (pos + size > bytes.length) {
      throw new ZkError(
        "BAD_FILE",
        `${what}: section ${type} claims ${size} bytes but only ${bytes.length - pos} remain (truncated file?)`,
      );
    }
    const list = sections.get(type) ?? [];
    list.push({ start: pos, size });
    sections.set(type, list);
    pos += size;
  }
  if (pos !== bytes.length)
    throw new ZkError("BAD_FILE", `${what}: ${bytes.length - pos} trailing bytes after the last section`);
  return new BinFile(bytes, version, sections, what);
}
