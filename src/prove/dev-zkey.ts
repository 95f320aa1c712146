/**
 * Development Groth16 keys without a ptau file: the .zkey snarkjs's `zkey new` + one
 * `zkey contribute` would make from a development ptau, written directly from freshly drawn
 * tau, alpha, beta and delta (gamma = 1, as snarkjs leaves it). snarkjs's `zkey new` reads
 * the whole circuit and every ptau point into memory and sums them by multi-exponentiation
 * (it ran out of a 4 GB heap at 2^21); here every point is [s]·G of a scalar summed over
 * the circuit's terms (dev-zkey-sums.ts, streaming the .r1cs), by the fixed-base threads that
 * make development ptau files (ptau-pool.ts), written in order as they come. Section 10 holds
 * snarkjs's csHash and, for delta ≠ 1, the contribution record of that delta
 * (dev-zkey-contribution.ts): `snarkjs zkey verify` against a ptau of the same secrets accepts
 * the key.
 *
 * The toxic waste exists on this machine while the key is made, exactly as with a
 * development ptau: such keys are for development only.
 */
import { type promises as fs } from "node:fs";
import * as os from "node:os";
import { createHash, type Hash } from "node:crypto";
import { writeThroughHandle } from "../util/fsx.js";
import { binFileHeader, sectionHeader } from "../formats/binfile.js";
import { openR1csStream, type R1csStream, type TermVisitor } from "../formats/r1cs-stream.js";
import { BN254_Q, P as R, writeBigField } from "../field.js";
import type { Group } from "./fixedbase.js";
import { curveWasm, getCurve } from "./curve.js";
import { contributionsSection } from "./dev-zkey-contribution.js";
import { instantiateCurve, type WasmCurve } from "./wasm-curve.js";
import { openChunkPool, type ChunkPool } from "./ptau-pool.js";
import type { ChunkTask, ScalarSpec } from "./ptau-chunk.js";
import { G2_COST, powMod } from "./ptau-plan.js";
import { WireSums } from "./dev-zkey-sums.js";
import { ZKEY_COEF_BYTES as COEF_BYTES, ZKEY_SECTION as S } from "../formats/zkey.js";
import {
  checkSecrets,
  grothHeaderBytes,
  hHashSpecs,
  hSpecs,
  hashedHCount,
  hashedLength,
  lagrangeSpecs,
  pointSectionBytes,
  ranges,
  zkeyShape,
  zkeyWindows,
  type ZkeySecrets,
  type ZkeyShape,
} from "./dev-zkey-plan.js";
import type { Progress } from "../util/progress.js";

export type { ZkeySecrets };

export interface DevZkeyOptions {
  /** Threads computing points (default: one per core). */
  readonly threads?: number;
  /** Points per chunk handed to a thread (tests make them small, to cross chunk boundaries). */
  readonly chunkPoints?: Readonly<Record<Group, number>>;
  /** Bytes of the .r1cs read at a time (tests make it tiny, to refill inside constraints). */
  readonly readBytes?: number;
  readonly progress?: Progress;
}

export interface DevZkeyInfo extends ZkeyShape {
  /** snarkjs's circuit hash, as section 10 holds it (hex). */
  readonly csHash: string;
}

/** ~0.1 s of work a chunk, as for ptau files. */
const CHUNK_POINTS: Readonly<Record<Group, number>> = { G1: 8192, G2: 2048 };

/** One thing to put in the file, the hash, or both, in order: bytes as they are, or a chunk's points. */
type Piece = { readonly write: boolean; readonly hash: boolean } & (
  { readonly bytes: Uint8Array } | { readonly task: ChunkTask; readonly cost: number }
);

/** Writes `zkeyFile` for the circuit `r1csFile` and these secrets; resolves to its shape and csHash. */
export async function writeDevZkey(
  r1csFile: string,
  zkeyFile: string,
  secrets: ZkeySecrets,
  opts: DevZkeyOptions = {},
): Promise<DevZkeyInfo> {
  const r1cs = await openR1csStream(r1csFile, opts.readBytes);
  try {
    const h = r1cs.header;
    const shape = zkeyShape(r1csFile, h.nWires, h.nPubOut, h.nPubIn, h.nConstraints);
    checkSecrets(secrets, shape.power);
    const start = await curveWasm();
    const wc = instantiateCurve(start.module, start.kernel);
    const sums = new WireSums(wc, shape.nVars, lagrangeSpecs(shape.power, secrets.tau, start.roots, CHUNK_POINTS.G1));
    const threads = opts.threads ?? Math.max(1, os.availableParallelism());
    const windows = zkeyWindows(shape, threads);
    const chunk = opts.chunkPoints ?? CHUNK_POINTS;
    const task = (group: Group, scalars: ScalarSpec): ChunkTask => ({ group, window: windows[group], scalars });

    const pool = openChunkPool(start, threads);
    try {
      const csHash = await writeThroughHandle(zkeyFile, async (fh) => {
        const out = new PositionalWriter(fh);
        const hasher = createHash("blake2b512");
        const total = totalCost(shape, secrets.delta);
        const run = runner({ pool, out, hasher, wc, threads, total, progress: opts.progress });
        await pool.tables(windows);
        await run(headPieces(shape, secrets, task));
        await writeCoefficients(r1cs, sums, shape, out, opts.progress);
        sums.finish(secrets.alpha, secrets.beta, powMod(secrets.delta, R - 2n, R), shape.nPublic);
        await run(pointPieces(shape, secrets, start.roots, sums, chunk, task));
        const hash = hasher.digest();
        const contributions = contributionsSection(await getCurve(), hash, secrets.delta);
        await out.write(sectionHeader(S.CONTRIB, contributions.length));
        await out.write(contributions);
        return hash;
      });
      opts.progress?.done(`zkey: ${shape.nVars} wires, domain 2^${shape.power}`);
      return { ...shape, csHash: csHash.toString("hex") };
    } finally {
      await pool.close();
    }
  } finally {
    await r1cs.close();
  }
}

/** Writes at a position of its own, so a section's size can be filled in once known. */
class PositionalWriter {
  pos = 0;
  constructor(private readonly fh: fs.FileHandle) {}

  async write(b: Uint8Array): Promise<void> {
    await this.writeAt(b, this.pos);
    this.pos += b.length;
  }

  async writeAt(b: Uint8Array, pos: number): Promise<void> {
    for (let at = 0; at < b.length;) at += (await this.fh.write(b, at, b.length - at, pos + at)).bytesWritten;
  }
}

/** Points of work, in G1 units, for progress. */
function totalCost(shape: ZkeyShape, delta: bigint): number {
  const { nVars, nPublic, domainSize: n } = shape;
  const privates = nVars - nPublic - 1;
  return nPublic + 1 + 2 * n + privates * (delta % R === 1n ? 1 : 2) + 2 * nVars + G2_COST * nVars;
}

interface RunContext {
  readonly pool: ChunkPool;
  readonly out: PositionalWriter;
  readonly hasher: Hash;
  readonly wc: WasmCurve;
  readonly threads: number;
  readonly total: number;
  readonly progress?: Progress;
}

/**
 * A function that puts pieces through: chunks queue up ahead of the writer, several per
 * thread, and each is written and/or hashed in turn (the hash over uncompressed points, as
 * snarkjs's csHasher sees them).
 */
function runner(ctx: RunContext): (pieces: Iterable<Piece>) => Promise<void> {
  let done = 0;
  return async (pieces) => {
    const ahead: { piece: Piece; bytes: Promise<Uint8Array> }[] = [];
    const finishOldest = async () => {
      const { piece, bytes } = ahead.shift()!;
      const b = await bytes;
      if (piece.write) await ctx.out.write(b);
      if ("task" in piece) {
        if (piece.hash) ctx.hasher.update(uncompressed(ctx.wc, piece.task.group, b));
        done += piece.cost;
        ctx.progress?.update("zkey", done / ctx.total);
      } else if (piece.hash) ctx.hasher.update(b);
    };
    for (const piece of pieces) {
      let bytes: Promise<Uint8Array>;
      if ("task" in piece) {
        bytes = ctx.pool.run(piece.task);
        bytes.catch(() => undefined); // awaited in turn; a rejection meanwhile is not unhandled
      } else bytes = Promise.resolve(piece.bytes);
      ahead.push({ piece, bytes });
      if (ahead.length > 8 * ctx.threads + 8) await finishOldest();
    }
    while (ahead.length) await finishOldest();
  };
}

/** LEM points as snarkjs hashes them (batchLEMtoU: big-endian standard coordinates, zero flagged). */
function uncompressed(wc: WasmCurve, group: Group, lem: Uint8Array): Uint8Array {
  const mark = wc.mark();
  try {
    const p = wc.alloc(lem.length);
    wc.bytes().set(lem, p);
    const n = lem.length / (group === "G1" ? 64 : 128);
    wc.fn(group === "G1" ? "g1m_batchLEMtoU" : "g2m_batchLEMtoU")(p, n, p);
    return wc.bytes().slice(p, p + lem.length);
  } finally {
    wc.release(mark);
  }
}

function scalarBytes(values: readonly bigint[]): Uint8Array {
  const b = new Uint8Array(values.length * 32);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => writeBigField(v, i * 32, ((x % R) + R) % R));
  return b;
}

const bytes = (b: Uint8Array, write = true, hash = false): Piece => ({ bytes: b, write, hash });

/** Sections 1 and 2: the protocol, then the Groth16 header with alpha1, beta1, beta2, gamma2, delta1, delta2. */
function* headPieces(shape: ZkeyShape, s: ZkeySecrets, task: (g: Group, s: ScalarSpec) => ChunkTask): Generator<Piece> {
  const one = (group: Group, x: bigint, write: boolean, hash: boolean): Piece => ({
    task: task(group, { kind: "list", scalars: scalarBytes([x]), count: 1 }),
    cost: group === "G2" ? G2_COST : 1,
    write,
    hash,
  });
  yield bytes(binFileHeader("zkey", 1, 10));
  const protocol = new Uint8Array(4);
  protocol[0] = 1; // Groth16
  yield bytes(sectionHeader(S.HEADER, 4));
  yield bytes(protocol);
  const head = grothHeaderBytes(BN254_Q, shape);
  yield bytes(sectionHeader(S.GROTH, head.length + 3 * 64 + 3 * 128));
  yield bytes(head);
  yield one("G1", s.alpha, true, true);
  yield one("G1", s.beta, true, true);
  yield one("G2", s.beta, true, true);
  yield one("G2", 1n, true, true); // gamma2
  // csHash is the hash of the key before any contribution, whose delta is 1
  yield one("G1", s.delta, true, false);
  yield one("G1", 1n, false, true);
  yield one("G2", s.delta, true, false);
  yield one("G2", 1n, false, true);
}

/**
 * Section 4 while the wires' sums are made: every A and B term as snarkjs lists it, constraint
 * by constraint, then one A term per public signal and the constant one. Its length is known
 * only at the end: written then, over the placeholder.
 */
async function writeCoefficients(
  r1cs: R1csStream,
  sums: WireSums,
  shape: ZkeyShape,
  out: PositionalWriter,
  progress?: Progress,
): Promise<void> {
  const head = out.pos;
  await out.write(new Uint8Array(12 + 4));
  const full: Uint8Array[] = [];
  let buf = new Uint8Array(COEF_BYTES * 8192);
  let used = 0;
  let count = 0;
  const visit: TermVisitor = (c, lc, wire, coeff, at) => {
    if (!sums.addTerm(c, lc, wire, coeff, at, buf, used)) return;
    count++;
    used += COEF_BYTES;
    if (used === buf.length) {
      full.push(buf);
      buf = new Uint8Array(buf.length);
      used = 0;
    }
  };
  const flush = async () => {
    for (const b of full.splice(0)) await out.write(b);
  };
  await r1cs.forEachTerm(visit, async () => {
    await flush();
    progress?.update("zkey: reading the circuit");
  });
  const one = scalarBytes([1n]);
  for (let s = 0; s <= shape.nPublic; s++) visit(shape.nConstraints + s, 0, s, one, 0);
  full.push(buf.subarray(0, used));
  await flush();
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, count, true);
  await out.writeAt(sectionHeader(S.COEFFS, 4 + count * COEF_BYTES), head);
  await out.writeAt(n, head + 12);
}

/** Sections 3, 9, 8, 5, 6, 7 in file order, each chunk's scalars taken from the sums only when it is queued. */
function* pointPieces(
  shape: ZkeyShape,
  s: ZkeySecrets,
  roots: readonly bigint[],
  sums: WireSums,
  chunk: Readonly<Record<Group, number>>,
  task: (g: Group, s: ScalarSpec) => ChunkTask,
): Generator<Piece> {
  const { nVars, nPublic, power, domainSize: n } = shape;
  const sizes = pointSectionBytes(shape);
  const points = (group: Group, scalars: ScalarSpec, write: boolean, hash: boolean): Piece => ({
    task: task(group, scalars),
    cost: scalars.count * (group === "G2" ? G2_COST : 1),
    write,
    hash,
  });
  const list = (scalars: Uint8Array): ScalarSpec => ({ kind: "list", scalars, count: scalars.length / 32 });
  const section = function* (type: 3 | 5 | 6 | 7 | 8, group: Group, which: 0 | 1 | 2, from: number, count: number) {
    yield bytes(sectionHeader(type, sizes[type]));
    yield bytes(hashedLength(count), false, true);
    for (const [start, k] of ranges(count, chunk[group])) {
      if (type === S.C && s.delta % R !== 1n) {
        // written over delta; hashed as `zkey new` made them, before the contribution divided them by it
        yield points(group, list(sums.scalars(which, from + start, k)), true, false);
        yield points(group, list(sums.scalars(which, from + start, k, s.delta)), false, true);
      } else yield points(group, list(sums.scalars(which, from + start, k)), true, true);
    }
  };
  yield* section(S.IC, "G1", 2, 0, nPublic + 1);
  yield bytes(sectionHeader(S.H, sizes[S.H]));
  for (const spec of hSpecs(power, s, roots, chunk.G1)) yield points("G1", spec, true, false);
  const hashed = hashedHCount(n);
  yield bytes(hashedLength(hashed.declared), false, true);
  for (const spec of hHashSpecs(power, s.tau, hashed.points, chunk.G1)) yield points("G1", spec, false, true);
  yield* section(S.C, "G1", 2, nPublic + 1, nVars - nPublic - 1);
  yield* section(S.A, "G1", 0, 0, nVars);
  yield* section(S.B1, "G1", 1, 0, nVars);
  yield* section(S.B2, "G2", 1, 0, nVars);
}
