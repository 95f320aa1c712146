/**
 * Runs ptau generation (ptau-chunk.ts) on every core: one worker thread per core, each with
 * its own instance of the curve's wasm module. First the tables: each thread makes a share of
 * every table's rows, and all of them get the whole table (through shared memory, no copy per
 * thread). Then the chunks, each handed to whichever thread is free. With one thread the same
 * runner works in-process.
 *
 * Every failure reaches the caller: a request that throws rejects its own promise; a thread
 * that dies rejects what it was computing and every later call.
 */
import { Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { packageRoot } from "../util/paths.js";
import { describeError, ZkError } from "../errors.js";
import { errorOf, type Reply } from "../witness/protocol.js";
import { ChunkRunner, type ChunkTask, type PtauRequest } from "./ptau-chunk.js";
import { instantiateCurve } from "./wasm-curve.js";
import { rowBytes, windowCount, type Group } from "./fixedbase.js";

/** What a worker is started with (its workerData). */
export interface PtauWorkerStart {
  readonly module: WebAssembly.Module;
  /** The fixed-base kernel (kernels/wasm/assembly/bn254.ts), or null to call wasmcurves instead. */
  readonly kernel: WebAssembly.Module | null;
  readonly generators: Readonly<Record<Group, Uint8Array>>;
}

/** A request as posted to a thread: numbered, so its reply is matched to it. */
export interface PtauMessage {
  readonly id: number;
  readonly req: PtauRequest;
}

export type PtauReply = Reply<{ readonly bytes: Uint8Array | null }> & { readonly id: number };

export interface ChunkPool {
  /** Makes each group's table, of the window given, in every thread; before any chunk. */
  tables(windows: Readonly<Record<Group, number>>): Promise<void>;
  run(task: ChunkTask): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface Pending {
  readonly msg: PtauMessage;
  readonly resolve: (bytes: Uint8Array | null) => void;
  readonly reject: (e: ZkError) => void;
}

interface Member {
  readonly worker: Worker;
  readonly name: string;
  /** requests for this thread only (its share of the tables), served before the common queue */
  readonly own: Pending[];
  /** the request it is computing, or null when idle */
  busy: Pending | null;
  /** the error it died of ('error' comes before 'exit') */
  error: string | null;
}

function workerUrl(): URL {
  // workers run compiled JavaScript (dist/), whichever way this module was loaded
  return pathToFileURL(path.join(packageRoot(), "dist", "src", "prove", "ptau-worker.js"));
}

/** Rows [from, to) of `windows` for each of `threads`: contiguous, as even as they go. */
function shares(windows: number, threads: number): [number, number][] {
  return Array.from({ length: threads }, (_, k): [number, number] => [
    Math.floor((k * windows) / threads),
    Math.floor(((k + 1) * windows) / threads),
  ]);
}

class ThreadPool implements ChunkPool {
  private readonly members: Member[] = [];
  private readonly queue: Pending[] = [];
  private failure: ZkError | null = null;
  private closing = false;
  private nextId = 0;

  constructor(start: PtauWorkerStart, threads: number) {
    for (let i = 0; i < threads; i++) {
      const m: Member = {
        worker: new Worker(workerUrl(), { workerData: start }),
        name: `ptau thread ${i + 1}`,
        own: [],
        busy: null,
        error: null,
      };
      m.worker.on("message", (r: PtauReply) => this.answered(m, r));
      m.worker.on("error", (e) => (m.error = describeError(e)));
      m.worker.on("exit", (code) => this.died(m, code));
      this.members.push(m);
    }
  }

  async tables(windows: Readonly<Record<Group, number>>): Promise<void> {
    const made = (["G1", "G2"] as const).map(async (group) => {
      const window = windows[group];
      const table = new Uint8Array(new SharedArrayBuffer(windowCount(window) * rowBytes(group, window)));
      const ranges = shares(windowCount(window), this.members.length);
      await Promise.all(ranges.map(([from, to], k) => this.post({ type: "rows", group, window, from, to, table }, k)));
      await Promise.all(this.members.map((_, k) => this.post({ type: "install", group, window, table }, k)));
    });
    await Promise.all(made);
  }

  async run(task: ChunkTask): Promise<Uint8Array> {
    return (await this.post({ type: "chunk", task }))!;
  }

  /** Queues a request, for thread `to` only or for the first free one. */
  private post(req: PtauRequest, to?: number): Promise<Uint8Array | null> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Uint8Array | null>((resolve, reject) => {
      const p: Pending = { msg: { id: this.nextId++, req }, resolve, reject };
      if (to === undefined) this.queue.push(p);
      else this.members[to]!.own.push(p);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const m of this.members) {
      if (m.busy) continue;
      const next = m.own.shift() ?? this.queue.shift();
      if (!next) continue;
      m.busy = next;
      m.worker.postMessage(next.msg);
    }
  }

  private answered(m: Member, r: PtauReply): void {
    const busy = m.busy;
    if (!busy || busy.msg.id !== r.id) return; // cannot happen: one request per thread at a time
    m.busy = null;
    if (r.type === "ok") busy.resolve(r.bytes);
    else busy.reject(errorOf(r, `${m.name} failed on a ${busy.msg.req.type} request`));
    this.dispatch();
  }

  /** A thread's 'exit' outside close(): fail this and every later call, and stop the others. */
  private died(m: Member, code: number): void {
    if (this.closing) return;
    void this.tearDown(new ZkError("WORKER", `${m.name} died (exit code ${code})${m.error ? `: ${m.error}` : ""}`));
  }

  private tearDown(failure: ZkError): Promise<unknown> {
    this.failure ??= failure;
    this.closing = true;
    for (const m of this.members) {
      m.busy?.reject(this.failure);
      for (const p of m.own.splice(0)) p.reject(this.failure);
    }
    for (const p of this.queue.splice(0)) p.reject(this.failure);
    return Promise.all(this.members.map((m) => m.worker.terminate()));
  }

  async close(): Promise<void> {
    await this.tearDown(new ZkError("WORKER", "the ptau threads have been closed"));
  }
}

/** The one-thread path: the same runner, in-process, one chunk per event-loop turn (so writes and progress go on). */
function inProcessPool(start: PtauWorkerStart): ChunkPool {
  const runner = new ChunkRunner(instantiateCurve(start.module, start.kernel), start.generators);
  let closed = false;
  return {
    tables: async () => undefined, // the runner makes each table whole on its first chunk
    run: (task) =>
      new Promise<Uint8Array>((resolve, reject) =>
        setImmediate(() => {
          if (closed) return reject(new ZkError("WORKER", "the ptau runner has been closed"));
          try {
            resolve(runner.run(task));
          } catch (e) {
            reject(e);
          }
        }),
      ),
    close: async () => {
      closed = true;
    },
  };
}

export function openChunkPool(start: PtauWorkerStart, threads: number): ChunkPool {
  return threads > 1 ? new ThreadPool(start, threads) : inProcessPool(start);
}
