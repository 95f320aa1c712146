/**
 * Powers of tau for development: generated locally, cached by power, never for production.
 *
 * snarkjs's own route (`powersoftau new` + `prepare phase2`) spends minutes to hours on FFTs
 * over curve points (78 s at power 12, ~1.8 h at 18 on 2 cores). Here tau, alpha and beta are
 * drawn at random and every point of every section is computed directly from them, as [s]·G
 * for a scalar s known in closed form (ptau-plan.ts), by fixed-base multiplication
 * (fixedbase.ts) on every core (ptau-pool.ts). The toxic waste exists on this machine while
 * the file is made, so anyone who could read its memory could forge proofs: every artifact
 * that depends on such a file says "development only". For production, pass a public
 * ceremony's prepared file with --ptau.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { createHash, randomBytes } from "node:crypto";
import { binFileHeader, sectionHeader } from "../formats/binfile.js";
import {
  BN254_Q,
  PTAU_MAGIC,
  PTAU_SECTION,
  PTAU_VERSION,
  ptauSectionPoints,
  readPtauLayout,
  type PtauInfo,
  type PtauLayout,
} from "../formats/ptau.js";
import { P as R } from "../field.js";
import type { Group } from "./fixedbase.js";
import { curveWasm } from "./curve.js";
import { onDomain, planDevPtau, type PlannedChunk, type PlannedSection, type Secrets } from "./ptau-plan.js";
import { openChunkPool } from "./ptau-pool.js";
import { exists, writeJsonAtomic, writeThroughHandle } from "../util/fsx.js";
import { fileDigestHex } from "../util/hash.js";
import { ZkError, isZkError } from "../errors.js";
import {
  rememberPtau,
  verifyPtau,
  verifyRecorded,
  type PtauRecord,
  type PtauVerdict,
  type VerifyPtauOptions,
} from "./ptau-trust.js";
import type { Progress } from "../util/progress.js";

/**
 * The largest development file generated on request: power 21 (2.4 GB) took 12.3 minutes on
 * this project's 2-core machine under load average 6 (529 CPU seconds, so about 4.5 minutes on
 * two idle cores), as long as a 2^21 setup; power 22 would be 4.8 GB and twice that.
 */
export const MAX_DEV_POWER = 21;

export function cacheDir(): string {
  if (process.env.ZKINFER_CACHE) return process.env.ZKINFER_CACHE;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "zkinfer");
}

export function devPtauPath(power: number): string {
  return path.join(cacheDir(), "ptau", `zkinfer-dev-bn254-${power}.ptau`);
}

export interface DevPtau {
  readonly file: string;
  readonly generated: boolean;
  readonly verdict: PtauVerdict;
  /** Set when a cached file failed its check and was made again. */
  readonly warning?: string;
}

/** Where the record of a generated file (its size and blake2b-512) lies: beside it. */
export function devPtauRecordPath(file: string): string {
  return `${file}.json`;
}

/**
 * Returns the cached development ptau of this power, generating it first if needed. A cached
 * file is checked before use (once per process): the cache is only a folder anyone with the
 * user's rights can write, and a torn or corrupted file would otherwise only show up as keys
 * that cannot prove. The check is the file's blake2b-512 against the one recorded when it was
 * made (0.5–0.7 GB/s, about 2 s at power 20), not the consistency check (2–3 minutes at power
 * 18). That gives up nothing: a development file is exactly as trustworthy as this machine,
 * since whoever can write the cache can as well write a perfectly consistent file from a tau
 * of their own, which the consistency check would pass. Against damage, which is all a check
 * can catch here, the hash is the stronger test. A file with no record (made by an older
 * zkinfer) gets the consistency check once, and then its record.
 */
export async function ensureDevPtau(power: number, progress?: Progress): Promise<DevPtau> {
  if (power > MAX_DEV_POWER) {
    throw new ZkError(
      "RESOURCE",
      `a development ptau of power ${power} would take too long to generate here (limit ${MAX_DEV_POWER}); pass a prepared ceremony file with --ptau`,
    );
  }
  const file = devPtauPath(power);
  const recordFile = devPtauRecordPath(file);
  let warning: string | undefined;
  if (await exists(file)) {
    try {
      const layout = await readPtauLayout(file);
      if (layout.info.power !== power || !layout.info.prepared) {
        throw new ZkError(
          "BAD_FILE",
          `${file}: holds power ${layout.info.power}${layout.info.prepared ? "" : ", unprepared"}, expected a prepared file of power ${power}`,
        );
      }
      const record = await readRecord(recordFile);
      if (record) return { file, generated: false, verdict: await verifyRecorded(file, layout, record, progress) };
      // made before records were kept: checked once the long way (a development file is never a ceremony's: no table to hash against)
      const verdict = await verifyPtau(file, layout, power, { known: [], progress });
      await writeJsonAtomic(recordFile, {
        power,
        size: layout.size,
        blake2b: await fileDigestHex(file, "blake2b512"),
      } satisfies PtauRecord);
      return { file, generated: false, verdict };
    } catch (e) {
      if (!isZkError(e)) throw e;
      warning = `the cached development ptau failed its check and was generated again (${e.message})`;
    }
  }
  await fs.rm(recordFile, { force: true }); // a crash between the file and its record leaves no record: the long check then
  const blake2b = await generateDevPtau(power, file, progress);
  await writeJsonAtomic(recordFile, { power, size: (await fs.stat(file)).size, blake2b } satisfies PtauRecord);
  const verdict: PtauVerdict = { method: "generated", power };
  await rememberPtau(file, verdict);
  return { file, generated: true, verdict, ...(warning ? { warning } : {}) };
}

/** The record beside a cached file, or null when there is none or it does not parse as one. */
async function readRecord(file: string): Promise<PtauRecord | null> {
  const text = await fs.readFile(file, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as Partial<PtauRecord>;
    return Number.isInteger(r.power) && Number.isInteger(r.size) && typeof r.blake2b === "string"
      ? { power: r.power!, size: r.size!, blake2b: r.blake2b }
      : null;
  } catch {
    return null;
  }
}

export function randomScalar(): bigint {
  let v = 0n;
  while (v === 0n) v = BigInt("0x" + randomBytes(40).toString("hex")) % R;
  return v;
}

/** Fresh toxic waste: tau off the domains (every L_i(tau) then exists), alpha and beta non-zero. */
export function drawSecrets(power: number): Secrets {
  let tau = randomScalar();
  while (onDomain(tau, power)) tau = randomScalar();
  return { tau, alpha: randomScalar(), beta: randomScalar() };
}

export interface DevPtauOptions {
  /** Threads computing points (default: one per core). */
  readonly threads?: number;
  /** Points per chunk handed to a thread (tests make them small, to cross chunk boundaries). */
  readonly chunkPoints?: Readonly<Record<Group, number>>;
  readonly progress?: Progress;
}

/** Chunks of ~0.1 s each: small enough to share out evenly, large enough that a message is noise. */
const CHUNK_POINTS: Readonly<Record<Group, number>> = { G1: 8192, G2: 2048 };

/** Generates a development file of `power` at `file`; resolves to its blake2b-512 (hex). */
export function generateDevPtau(power: number, file: string, progress?: Progress): Promise<string> {
  return writeDevPtau(power, file, drawSecrets(power), { progress });
}

function headerSection(power: number): Uint8Array {
  const h = new Uint8Array(44);
  const v = new DataView(h.buffer);
  v.setUint32(0, 32, true);
  let q = BN254_Q;
  for (let j = 0; j < 32; j += 8) {
    v.setBigUint64(4 + j, BigInt.asUintN(64, q), true);
    q >>= 64n;
  }
  v.setUint32(36, power, true);
  v.setUint32(40, power, true);
  return h;
}

/** The file in order: headers and the contributions section as bytes, every point section's chunks between. */
function* filePieces(power: number, sections: readonly PlannedSection[]): Generator<Uint8Array | PlannedChunk> {
  const sizes = ptauSectionPoints(power);
  yield binFileHeader(PTAU_MAGIC, PTAU_VERSION, 11);
  yield sectionHeader(PTAU_SECTION.HEADER, 44);
  yield headerSection(power);
  for (const s of sections) {
    if (s.type === PTAU_SECTION.LAGRANGE_TAU_G1) {
      // the contributions section sits between the plain and the Lagrange sections
      yield sectionHeader(PTAU_SECTION.CONTRIBUTIONS, 4);
      yield new Uint8Array(4); // no contributions: this file never was a ceremony
    }
    const { count, bytes } = sizes[s.type]!;
    yield sectionHeader(s.type, count * bytes);
    yield* s.chunks;
  }
}

/**
 * Writes a prepared development ptau of `power` for the given secrets (generateDevPtau draws
 * them; tests pass known ones to check points against them). Tau must lie off the domains
 * (drawSecrets' does): a chunk fails otherwise, and so does the file. The file is written in order,
 * chunk by chunk, with at most a few chunks per thread in memory, to a temporary name renamed
 * into place only when complete. Resolves to the file's blake2b-512 (hex), hashed as it is written.
 */
export async function writeDevPtau(
  power: number,
  file: string,
  secrets: Secrets,
  opts: DevPtauOptions = {},
): Promise<string> {
  const start = await curveWasm();
  const threads = opts.threads ?? Math.max(1, os.availableParallelism());
  const { windows, sections } = planDevPtau(power, secrets, start.roots, {
    threads,
    chunkPoints: opts.chunkPoints ?? CHUNK_POINTS,
  });
  const total = sections.reduce((t, s) => t + s.chunks.reduce((u, c) => u + c.cost, 0), 0);
  let done = 0;
  const hash = createHash("blake2b512");

  const pool = openChunkPool(start, threads);
  try {
    await writeThroughHandle(file, async (fh) => {
      await pool.tables(windows);
      // chunks queue up ahead of the writer, several per thread (≤ 0.5 MB each), so no thread
      // waits on a write, on a section's last chunk (headers queue up with them), or on a
      // thread that another process has held back
      const ahead: { bytes: Promise<Uint8Array>; cost: number }[] = [];
      const writeOldest = async () => {
        const { bytes, cost } = ahead.shift()!;
        const b = await bytes;
        hash.update(b);
        for (let at = 0; at < b.length;) at += (await fh.write(b, at)).bytesWritten;
        done += cost;
        if (cost) opts.progress?.update(`ptau power ${power}`, done / total);
      };
      for (const piece of filePieces(power, sections)) {
        if (piece instanceof Uint8Array) ahead.push({ bytes: Promise.resolve(piece), cost: 0 });
        else {
          const bytes = pool.run(piece.task);
          bytes.catch(() => undefined); // awaited in turn below; a rejection meanwhile is not unhandled
          ahead.push({ bytes, cost: piece.cost });
        }
        if (ahead.length > 8 * threads + 8) await writeOldest();
      }
      while (ahead.length) await writeOldest();
    });
  } finally {
    await pool.close();
  }
  opts.progress?.done(`ptau power ${power}: generated (${2 ** power} powers)`);
  return hash.digest("hex");
}

export interface CheckedPtau {
  readonly info: PtauInfo;
  readonly verdict: PtauVerdict;
}

/** The cheap part of checking a user-supplied ptau, before any heavy work: BN254, prepared, big enough. */
export async function inspectUserPtau(file: string, needPower: number): Promise<PtauLayout> {
  const layout = await readPtauLayout(file);
  const info = layout.info;
  if (!info.prepared) {
    throw new ZkError(
      "BAD_FILE",
      `${file}: this ptau file is not prepared for phase 2; run \`snarkjs powersoftau prepare phase2\` on it first or use a *_final_*.ptau file`,
    );
  }
  if (info.power < needPower) {
    throw new ZkError(
      "RESOURCE",
      `${file}: power ${info.power} is too small; this circuit needs power ${needPower} (2^${needPower} ≥ constraints + public signals + 1)`,
    );
  }
  return layout;
}

/**
 * Checks a user-supplied ptau: the header first, then its content (a known ceremony file's
 * hash, or the consistency check at the power this circuit needs).
 */
export async function checkUserPtau(
  file: string,
  needPower: number,
  opts: VerifyPtauOptions = {},
): Promise<CheckedPtau> {
  const layout = await inspectUserPtau(file, needPower);
  return { info: layout.info, verdict: await verifyPtau(file, layout, needPower, opts) };
}
