/**
 * A Groth16 prover over a snarkjs .zkey and witness, giving the proof snarkjs's
 * `groth16.prove` gives (the same relation, fresh r and s): `snarkjs groth16 verify` checks it.
 *
 * Why not snarkjs's prover for every proof: it reads every section of the key into memory,
 * copies each multi-exponentiation's bases into every thread, and reads the key again for
 * every proof. A power-21 segment's proof peaked at 4.9 GB. This one opens a key once and
 * keeps it, spread over its threads with no point held twice (groth16-share.ts), and proves
 * any number of witnesses with it: the same power-21 proof peaks near 1.2 GB.
 *
 * The arithmetic is wasmcurves' (the module snarkjs's threads run), called directly:
 *   1. on this thread: A·w, B·w at the constraints (qap_buildABC), C = A·B there; each
 *      interpolated (ifft), shifted to the odd coset (×inc^i, inc a 2n-th root of unity) and
 *      evaluated there (fft); A·B − C on the coset, which is H's scalars (the key's H points
 *      are the coset's Lagrange basis divided by Z, as snarkjs makes them);
 *   2. meanwhile on the threads: Σ w_i·A_i, Σ w_i·B1_i, Σ w_i·B2_i, Σ_private w_i·C_i, then
 *      Σ h_j·H_j once step 1 is done;
 *   3. here again: π_A = α + A + r·δ, π_B = β + B2 + s·δ, π_C = C + H + s·π_A + r·(β + B1 + s·δ) − rs·δ.
 */
import { Worker } from "node:worker_threads";
import { openSync, closeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import type { Groth16Proof } from "snarkjs";
import { readZkeyLayout, ZKEY_COEF_BYTES, ZKEY_SECTION, type ZkeyLayout } from "../formats/zkey.js";
import { P as R, readBigField, writeBigField } from "../field.js";
import { packageRoot } from "../util/paths.js";
import { describeError, ZkError } from "../errors.js";
import { errorOf, type Reply } from "../witness/protocol.js";
import { defaultThreads } from "../witness/witness.js";
import { readWtns } from "../formats/wtns.js";
import { fileDigestHex } from "../util/hash.js";
import { curveWasm } from "./curve.js";
import { instantiateCurve, type WasmCurve } from "./wasm-curve.js";
import { JACOBIAN, readInto, toOddCoset, type ShareStart } from "./groth16-share.js";

const FR = 32;

/** What a prover thread is started with (its workerData). */
export interface ShareWorkerStart {
  readonly module: WebAssembly.Module;
  readonly share: ShareStart;
}

export interface ShareMessage {
  readonly id: number;
  readonly kind: "wires" | "coset" | "quotient";
  readonly scalars: Uint8Array;
}

/** A thread's answer; id -1 answers its start (the share loaded, or the error it met). */
export type ShareReply = Reply<{ readonly bytes: Uint8Array }> & { readonly id: number };

export interface Groth16Output {
  readonly proof: Groth16Proof;
  readonly publicSignals: string[];
  /** wall seconds: the quotient's scalars on the calling thread (step 1), then waiting for the threads' sums (step 2) */
  readonly seconds: { readonly quotient: number; readonly sums: number };
}

/** One prover thread and the requests it has not answered. */
class ShareThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: ZkError | null = null;
  readonly ready: Promise<void>;

  constructor(start: ShareWorkerStart, name: string) {
    // threads run compiled JavaScript (dist/), whichever way this module was loaded
    const url = pathToFileURL(path.join(packageRoot(), "dist", "src", "prove", "groth16-worker.js"));
    this.worker = new Worker(url, { workerData: start });
    this.ready = new Promise((resolve, reject) => this.pending.set(-1, { resolve: () => resolve(), reject }));
    this.worker.on("message", (r: ShareReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.type === "ok") p.resolve(r.bytes);
      else p.reject(errorOf(r, name));
    });
    const fail = (why: string) => {
      this.failure ??= new ZkError("WORKER", `${name} ${why}`);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on("error", (e) => fail(`failed: ${describeError(e)}`));
    this.worker.on("exit", (code) => fail(`exited (code ${code}) before answering: out of memory?`));
  }

  /** whether the thread died (or was closed): it answers nothing more */
  get dead(): boolean {
    return this.failure !== null;
  }

  ask(kind: ShareMessage["kind"], scalars: Uint8Array): Promise<Uint8Array> {
    if (this.failure) {
      const failed = Promise.reject(this.failure);
      failed.catch(() => undefined); // awaited later, like any answer
      return failed;
    }
    const id = this.nextId++;
    const answer = new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ id, kind, scalars } satisfies ShareMessage, [scalars.buffer as ArrayBuffer]);
    // awaited later, maybe after another answer failed: never an unhandled rejection meanwhile
    answer.catch(() => undefined);
    return answer;
  }

  async close(): Promise<void> {
    this.failure ??= new ZkError("WORKER", "the prover was closed");
    await this.worker.terminate();
  }
}

/** [from, to) of `n` for each of `k` parts: contiguous, as even as they go. */
function parts(n: number, k: number): [number, number][] {
  return Array.from({ length: k }, (_, i): [number, number] => [
    Math.floor((i * n) / k),
    Math.floor(((i + 1) * n) / k),
  ]);
}

/** A copy of bytes [from, to) with a buffer of its own, to hand to a thread (a Buffer's slice is a view). */
function copyOf(b: Uint8Array, from: number, to: number): Uint8Array {
  return new Uint8Array(b.subarray(from, to));
}

/** The field element at byte `at` of `b` (32 bytes, little-endian). */
function fieldAt(b: Uint8Array, at: number): bigint {
  return readBigField(new DataView(b.buffer, b.byteOffset, b.byteLength), at);
}

/** A scalar below r as 32 little-endian bytes. */
function scalarBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(FR);
  writeBigField(new DataView(b.buffer), 0, v);
  return b;
}

/** r's top byte (0x30): a value whose top byte is below it is below r. */
const R_TOP = Number(R >> 248n);

/** The first wire (32-byte little-endian values) that is not below r, or -1. */
function unreducedWire(data: Uint8Array): number {
  for (let i = 0, at = 0; at < data.length; i++, at += FR) {
    // almost every value is settled by its top byte
    if (data[at + FR - 1]! >= R_TOP && fieldAt(data, at) >= R) return i;
  }
  return -1;
}

/** A uniform scalar mod r: 512 random bits reduced, so the bias is below 2^-250. */
function randomScalar(): bigint {
  const b = randomBytes(64);
  return ((fieldAt(b, 32) << 256n) | fieldAt(b, 0)) % R;
}

/** Threads that pay for themselves: a share under ~512 wires costs more to start than to sum. */
function threadCount(layout: ZkeyLayout, threads: number): number {
  return Math.max(1, Math.min(threads, Math.ceil(Math.max(layout.nVars, layout.domainSize) / 512)));
}

export class Groth16Prover {
  private closed = false;
  /** the last proof asked for: the next one starts after it */
  private tail: Promise<unknown> = Promise.resolve();

  /** Whether a thread died (out of memory?): every later proof fails; open the key again. */
  get failed(): boolean {
    return !this.closed && this.threads.some((t) => t.dead);
  }

  /** How many threads sum (each holding its share of the key). */
  get threadCount(): number {
    return this.threads.length;
  }

  private constructor(
    readonly layout: ZkeyLayout,
    private readonly wc: WasmCurve,
    private readonly threads: readonly ShareThread[],
    private readonly wireParts: readonly [number, number][],
    private readonly domainParts: readonly [number, number][],
    /** the coefficients, the witness, A, B, C (each domain × 32 bytes), 1 and inc (Montgomery) */
    private readonly mem: {
      readonly coefs: number;
      readonly witness: number;
      readonly abc: readonly [number, number, number];
      readonly one: number;
      readonly inc: number;
    },
  ) {}

  /** Opens a proving key for any number of proofs, `threads` threads summing (default: every core). */
  static async open(file: string, opts: { readonly threads?: number } = {}): Promise<Groth16Prover> {
    const layout = await readZkeyLayout(file);
    if (layout.power >= 28)
      throw new ZkError("BAD_FILE", `${file}: a domain of 2^${layout.power} is beyond BN254's 2^28`);
    const { module, roots } = await curveWasm();
    const wc = instantiateCurve(module);
    const { nVars, domainSize, nCoefs } = layout;
    const coefs = wc.alloc(nCoefs * ZKEY_COEF_BYTES);
    const fd = openSync(file, "r");
    try {
      readInto(fd, wc, coefs, nCoefs * ZKEY_COEF_BYTES, layout.sections.get(ZKEY_SECTION.COEFFS)!.start + 4, file);
    } finally {
      closeSync(fd);
    }
    const witness = wc.alloc(nVars * FR);
    const abc = [wc.alloc(domainSize * FR), wc.alloc(domainSize * FR), wc.alloc(domainSize * FR)] as const;
    const one = wc.alloc(FR);
    const inc = wc.alloc(FR);
    wc.fn("frm_one")(one);
    wc.bytes().set(scalarBytes(roots[layout.power + 1]!), inc);
    wc.fn("frm_toMontgomery")(inc, inc);

    const k = threadCount(layout, opts.threads ?? defaultThreads());
    const wireParts = parts(nVars, k);
    const domainParts = parts(domainSize, k);
    const threads = wireParts.map(
      (wires, i) =>
        new ShareThread(
          {
            module,
            share: {
              inc: wc.bytes().slice(inc, inc + FR),
              file,
              sections: layout.sections,
              nPublic: layout.nPublic,
              wires,
              domain: domainParts[i]!,
            },
          },
          `prover thread ${i}`,
        ),
    );
    try {
      await Promise.all(threads.map((t) => t.ready));
    } catch (e) {
      await Promise.all(threads.map((t) => t.close()));
      throw e;
    }
    return new Groth16Prover(layout, wc, threads, wireParts, domainParts, { coefs, witness, abc, one, inc });
  }

  /** Proves one witness, a .wtns file's bytes (every wire, 32 bytes each, little-endian, normal form). */
  /**
   * Proves one witness, a .wtns file's bytes (every wire, 32 bytes each, little-endian, normal
   * form); `what` names it in errors. Calls run one at a time: they share this thread's buffers.
   */
  prove(wtns: Uint8Array, what = "the witness"): Promise<Groth16Output> {
    const run = this.tail.then(() => this.proveNow(wtns, what));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async proveNow(wtns: Uint8Array, what: string): Promise<Groth16Output> {
    if (this.closed) throw new Error("Groth16Prover.prove after close");
    const { nVars, nPublic } = this.layout;
    const witness = readWtns(wtns, what).data;
    if (witness.length !== nVars * FR) {
      throw new ZkError(
        "BAD_FILE",
        `${what} has ${witness.length / FR} wires, and the proving key ${this.layout.file} was made for ${nVars}`,
      );
    }
    const bad = unreducedWire(witness);
    if (bad >= 0) throw new ZkError("BAD_FILE", `${what}: wire ${bad} is not below the field's modulus r`);
    const t0 = performance.now();
    const h = await this.quotientScalars(witness);
    const t1 = performance.now();
    const quotients = this.threads.map((t, i) => {
      const [a, b] = this.domainParts[i]!;
      return t.ask("quotient", copyOf(h.h, a * FR, b * FR));
    });
    const sums = await Promise.all(h.wires);
    const hs = await Promise.all(quotients);
    const seconds = { quotient: (t1 - t0) / 1000, sums: (performance.now() - t1) / 1000 };
    const publicSignals = Array.from({ length: nPublic }, (_, i) => fieldAt(witness, (i + 1) * FR).toString());
    return { proof: this.assemble(sums, hs), publicSignals, seconds };
  }

  /**
   * (A·B − C) on the odd coset, normal form: step 1 of the header. Two of the three polynomials
   * go to the coset on threads (the first two), and the sums over the wires are asked for right
   * after them, so the threads are never idle; the third goes on this thread.
   */
  private async quotientScalars(witness: Uint8Array): Promise<{ h: Uint8Array; wires: Promise<Uint8Array>[] }> {
    const { wc, mem } = this;
    const { nVars, domainSize: n, nCoefs } = this.layout;
    const f = (name: string) => wc.fn(name);
    wc.bytes().set(witness, mem.witness);
    const [pA, pB, pC] = mem.abc;
    f("qap_buildABC")(mem.coefs, nCoefs, mem.witness, pA, pB, pC, 0, n, 0, nVars);
    const away = [pB, pC].map((p, i) => {
      const t = this.threads[i];
      return t ? { p, coset: t.ask("coset", copyOf(wc.bytes(), p, p + n * FR)) } : null;
    });
    const wires = this.threads.map((t, i) => {
      const [a, b] = this.wireParts[i]!;
      return t.ask("wires", copyOf(witness, a * FR, b * FR));
    });
    for (const p of [pA, ...away.map((x, i) => (x ? null : [pB, pC][i]!))]) {
      if (p !== null) toOddCoset(wc, p, n, mem.one, mem.inc);
    }
    for (const x of away) if (x) wc.bytes().set(await x.coset, x.p);
    f("qap_joinABC")(pA, pB, pC, n, pA);
    f("frm_batchFromMontgomery")(pA, n, pA);
    return { h: wc.bytes().slice(pA, pA + n * FR), wires };
  }

  /** Step 3: the threads' sums and the key's points, with fresh r and s, as snarkjs writes a proof. */
  private assemble(sums: readonly Uint8Array[], hs: readonly Uint8Array[]): Groth16Proof {
    const { wc } = this;
    const { points } = this.layout;
    const mark = wc.mark();
    const put = (b: Uint8Array) => {
      const p = wc.alloc(b.length);
      wc.bytes().set(b, p);
      return p;
    };
    const g1 = (name: string) => wc.fn(`g1m_${name}`);
    const g2 = (name: string) => wc.fn(`g2m_${name}`);
    const G1J = JACOBIAN.G1;
    const G2J = JACOBIAN.G2;
    // the threads' parts, summed: offsets of A, B1, B2 and C in a `wires` answer
    const total = (
      list: readonly Uint8Array[],
      at: number,
      size: number,
      add: (a: number, b: number, r: number) => number,
    ) => {
      const acc = put(list[0]!.slice(at, at + size));
      for (const part of list.slice(1)) add(acc, put(part.slice(at, at + size)), acc);
      return acc;
    };
    const A = total(sums, 0, G1J, g1("add"));
    const B1 = total(sums, G1J, G1J, g1("add"));
    const B2 = total(sums, 2 * G1J, G2J, g2("add"));
    const C = total(sums, 2 * G1J + G2J, G1J, g1("add"));
    const H = total(hs, 0, G1J, g1("add"));

    const r = randomScalar();
    const s = randomScalar();
    const pr = put(scalarBytes(r));
    const ps = put(scalarBytes(s));
    const pNegRs = put(scalarBytes((R - ((r * s) % R)) % R));
    const [alpha1, beta1, beta2, delta1, delta2] = [
      points.alpha1,
      points.beta1,
      points.beta2,
      points.delta1,
      points.delta2,
    ].map(put);
    const t1 = wc.alloc(G1J);
    const t2 = wc.alloc(G2J);

    // π_A = A + α + r·δ
    g1("addMixed")(A, alpha1!, A);
    g1("timesScalarAffine")(delta1!, pr, FR, t1);
    g1("add")(A, t1, A);
    // π_B = B2 + β + s·δ (in G2), and its twin in G1 for π_C
    g2("addMixed")(B2, beta2!, B2);
    g2("timesScalarAffine")(delta2!, ps, FR, t2);
    g2("add")(B2, t2, B2);
    g1("addMixed")(B1, beta1!, B1);
    g1("timesScalarAffine")(delta1!, ps, FR, t1);
    g1("add")(B1, t1, B1);
    // π_C = C + H + s·π_A + r·B1 − rs·δ
    g1("add")(C, H, C);
    g1("timesScalar")(A, ps, FR, t1);
    g1("add")(C, t1, C);
    g1("timesScalar")(B1, pr, FR, t1);
    g1("add")(C, t1, C);
    g1("timesScalarAffine")(delta1!, pNegRs, FR, t1);
    g1("add")(C, t1, C);

    const affine1 = (p: number): string[] => {
      if (g1("isZero")(p)) return ["0", "1", "0"];
      const a = wc.alloc(64);
      g1("toAffine")(p, a);
      g1("fromMontgomeryAffine")(a, a);
      const b = wc.bytes();
      return [fieldAt(b, a).toString(), fieldAt(b, a + FR).toString(), "1"];
    };
    const affine2 = (p: number): string[][] => {
      if (g2("isZero")(p))
        return [
          ["0", "0"],
          ["1", "0"],
          ["0", "0"],
        ];
      const a = wc.alloc(128);
      g2("toAffine")(p, a);
      g2("fromMontgomeryAffine")(a, a);
      const b = wc.bytes();
      const x = (i: number) => fieldAt(b, a + i * FR).toString();
      return [
        [x(0), x(1)],
        [x(2), x(3)],
        ["1", "0"],
      ];
    };
    const proof: Groth16Proof = {
      pi_a: affine1(A),
      pi_b: affine2(B2),
      pi_c: affine1(C),
      protocol: "groth16",
      curve: "bn128",
    };
    wc.release(mark);
    return proof;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.close()));
  }
}

/**
 * Opens the key at `file` once it is checked to be the one setup made (`sha256`, from
 * setup.json): a damaged key can still yield a "proof". `fix` says what to run if it is not.
 */
export async function openCheckedKey(
  file: string,
  sha256: string,
  fix: string,
  opts: { readonly threads?: number } = {},
): Promise<Groth16Prover> {
  const digest = await fileDigestHex(file, "sha256").catch((e: NodeJS.ErrnoException) => {
    throw new ZkError(
      "BAD_FILE",
      e.code === "ENOENT" ? `proving key not found: ${file}` : `cannot read ${file}: ${describeError(e)}`,
    );
  });
  if (digest !== sha256)
    throw new ZkError("BAD_FILE", `${file} does not match setup.json (corrupted or replaced)${fix}`);
  return Groth16Prover.open(file, opts);
}
