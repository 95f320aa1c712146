/**
 * File output that is never half-written: every file is written to a temporary sibling and
 * renamed into place, so a crash or an error leaves either the old file or the new one.
 * Reading helpers turn the usual failures into errors that name the file.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { ZkError, describeError } from "../errors.js";

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new ZkError("BAD_FILE", `cannot write ${file}: ${describeError(e)}`, { cause: e });
  }
}

/**
 * Runs `produce(tmpPath)` (a third-party writer that only takes a file name, like snarkjs's)
 * and renames its output into place only if it succeeded.
 */
export async function produceFileAtomic(file: string, produce: (tmp: string) => Promise<void>): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await produce(tmp);
    await fs.rename(tmp, file);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Writes `file` through an open handle on a temporary name (`write` may seek and write in
 * pieces, as the ptau and zkey writers do) and renames it into place only once `write` has
 * succeeded and the handle is closed; on failure the temporary file is removed.
 */
export async function writeThroughHandle<T>(file: string, write: (fh: fs.FileHandle) => Promise<T>): Promise<T> {
  let result!: T;
  await produceFileAtomic(file, async (tmp) => {
    const fh = await fs.open(tmp, "w");
    try {
      result = await write(fh);
    } finally {
      await fh.close();
    }
  });
  return result;
}

/**
 * Writes several files that belong together: all go to temporary names first and are
 * renamed only once every one is written, so a failure leaves none of them half-made.
 */
export async function writeFilesAtomic(files: readonly (readonly [string, string | Uint8Array])[]): Promise<void> {
  const tmps: [string, string][] = [];
  try {
    for (const [file, data] of files) {
      await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
      tmps.push([tmp, file]);
      await fs.writeFile(tmp, data);
    }
    for (const [tmp, file] of tmps) await fs.rename(tmp, file);
  } catch (e) {
    await Promise.all(tmps.map(([tmp]) => fs.rm(tmp, { force: true })));
    throw new ZkError("BAD_FILE", `cannot write ${files.map(([f]) => f).join(", ")}: ${describeError(e)}`, {
      cause: e,
    });
  }
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}

export async function readFileOrFail(file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ZkError("BAD_FILE", `${what} not found: ${file}`);
    if (code === "EISDIR") throw new ZkError("BAD_FILE", `${what} is a directory, not a file: ${file}`);
    throw new ZkError("BAD_FILE", `cannot read ${what} ${file}: ${describeError(e)}`);
  }
}

/** Reads and parses a JSON file; errors name the file and, for syntax errors, what was wrong. */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  const bytes = await readFileOrFail(file, what);
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ZkError("BAD_FILE", `${what} ${file} is not valid JSON: ${describeError(e)}`);
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
