/**
 * The iden3 container (binfile.ts) read from a file by position, for files too large to hold:
 * a power-21 proving key is 700 MB, a 1.6M-constraint circuit 600 MB, and their readers
 * (zkey.ts, r1cs-stream.ts) need the section table and a few headers up front, never the
 * whole file. binfile.ts parses a container already in memory and stays free of Node's fs, so
 * browsers load it too.
 */
import { promises as fs } from "node:fs";
import { ZkError } from "../errors.js";
import type { SectionRef } from "./binfile.js";

export interface BinFileTable {
  /** the open file; the caller closes it */
  readonly handle: fs.FileHandle;
  readonly size: number;
  readonly version: number;
  /** each section type's first section */
  readonly sections: ReadonlyMap<number, SectionRef>;
  /** the types that appear more than once */
  readonly repeated: readonly number[];
  /** `n` bytes at `pos`; a file that ends first is `bad` */
  read(pos: number, n: number): Promise<Uint8Array>;
}

/**
 * Opens `file` (`what` names it: "proving key") and reads its section table, checking the magic
 * and that no section overruns the file; `bad(problem)` makes the format's own error.
 */
export async function openBinFileTable(
  file: string,
  magic: string,
  what: string,
  bad: (problem: string) => ZkError,
): Promise<BinFileTable> {
  const handle = await fs.open(file, "r").catch((e: NodeJS.ErrnoException) => {
    throw new ZkError(
      "BAD_FILE",
      e.code === "ENOENT" ? `${what} not found: ${file}` : `cannot read ${file}: ${e.message}`,
    );
  });
  try {
    const size = (await handle.stat()).size;
    const read = async (pos: number, n: number): Promise<Uint8Array> => {
      const b = new Uint8Array(n);
      const { bytesRead } = await handle.read(b, 0, n, pos);
      if (bytesRead < n) throw bad(`truncated at byte ${pos + bytesRead}`);
      return b;
    };
    const head = new DataView((await read(0, 12)).buffer);
    const got = String.fromCharCode(head.getUint8(0), head.getUint8(1), head.getUint8(2), head.getUint8(3));
    if (got !== magic) throw bad(`magic "${got}"`);
    const sections = new Map<number, SectionRef>();
    const repeated: number[] = [];
    for (let i = 0, pos = 12; i < head.getUint32(8, true); i++) {
      const sh = new DataView((await read(pos, 12)).buffer);
      const type = sh.getUint32(0, true);
      const len = Number(sh.getBigUint64(4, true));
      if (pos + 12 + len > size) throw bad(`section ${type} overruns the file`);
      if (!sections.has(type)) sections.set(type, { start: pos + 12, size: len });
      else repeated.push(type);
      pos += 12 + len;
    }
    return { handle, size, version: head.getUint32(4, true), sections, repeated, read };
  } catch (e) {
    await handle.close();
    throw e;
  }
}
