/**
 * Runs ptau chunks (ptau-chunk.ts) on every core: one worker thread per core, each with its own
 * instance of the curve's wasm module and its own tables, chunks handed to whichever thread
 * is free. With one thread the same runner works in-process.
 *
 * Every failure reaches the caller: a chunk that throws rejects its own promise; a thread that
 * dies rejects what it was computing and every later call.
 */
import { Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { packageRoot } from "../util/paths.js";
import { describeError, ZkError } from "../errors.js";
import { errorOf, type Reply } from "../witness/protocol.js";
import { ChunkRunner, type ChunkTask } from "./ptau-chunk.js";
import { instantiateCurve } from "./wasm-curve.js";
import type { Group } from "./fixedbase.js";

/** What a worker is started with (its workerData). */
export interface PtauWorkerStart {
  readonly module: WebAssembly.Module;
  readonly generators: Readonly<Record<Group, Uint8Array>>;
}

export interface ChunkRequest {
  readonly id: number;
  readonly task: ChunkTask;
}

export type ChunkReply = Reply<{ readonly points: Uint8Array }> & { readonly id: number };

export interface ChunkPool {
  run(task: ChunkTask): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface Pending {
  readonly resolve: (points: Uint8Array) => void;
  readonly reject: (e: ZkError) => void;
}

interface Member {
  readonly worker: Worker;
  readonly name: string;
  /** the request it is computing, or null when idle */
  busy: { readonly id: number; readonly pending: Pending } | null;
  /** the error it died of ('error' comes before 'exit') */
  error: string | null;
}

function workerUrl(): URL {
  // workers run compiled JavaScript (dist/), whichever way this module was loaded
  return pathToFileURL(path.join(packageRoot(), "dist", "src", "prove", "ptau-worker.js"));
}

class ThreadPool implements ChunkPool {
  private readonly members: Member[] = [];
  private readonly queue: { readonly req: ChunkRequest; readonly pending: Pending }[] = [];
  private failure: ZkError | null = null;
  private closing = false;
  private nextId = 0;

  constructor(start: PtauWorkerStart, threads: number) {
    for (let i = 0; i < threads; i++) {
      const m: Member = {
        worker: new Worker(workerUrl(), { workerData: start }),
        name: `ptau thread ${i + 1}`,
        busy: null,
        error: null,
      };
      m.worker.on("message", (r: ChunkReply) => this.answered(m, r));
      m.worker.on("error", (e) => (m.error = describeError(e)));
      m.worker.on("exit", (code) => this.died(m, code));
      this.members.push(m);
    }
  }

  run(task: ChunkTask): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, task }, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const m of this.members) {
      if (m.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      m.busy = { id: next.req.id, pending: next.pending };
      m.worker.postMessage(next.req);
    }
  }

  private answered(m: Member, r: ChunkReply): void {
    const busy = m.busy;
    if (!busy || busy.id !== r.id) return; // cannot happen: one request per thread at a time
    m.busy = null;
    if (r.type === "ok") busy.pending.resolve(r.points);
    else busy.pending.reject(errorOf(r, `${m.name} failed on a chunk`));
    this.dispatch();
  }

  /** A thread's 'exit' outside close(): fail this and every later call, and stop the others. */
  private died(m: Member, code: number): void {
    if (this.closing) return;
    const why = new ZkError("WORKER", `${m.name} died (exit code ${code})${m.error ? `: ${m.error}` : ""}`);
    void this.tearDown(why);
  }

  private tearDown(failure: ZkError): Promise<unknown> {
    this.failure ??= failure;
    this.closing = true;
    for (const m of this.members) m.busy?.pending.reject(this.failure);
    for (const q of this.queue.splice(0)) q.pending.reject(this.failure);
    return Promise.all(this.members.map((m) => m.worker.terminate()));
  }

  async close(): Promise<void> {
    await this.tearDown(new ZkError("WORKER", "the ptau threads have been closed"));
  }
}

/** The one-thread path: the same runner, in-process, one chunk per event-loop turn (so writes and progress go on). */
function inProcessPool(start: PtauWorkerStart): ChunkPool {
  const runner = new ChunkRunner(instantiateCurve(start.module), start.generators);
  let closed = false;
  return {
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
