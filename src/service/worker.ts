/**
 * A prover worker: takes tasks from the queue and runs witness + Groth16 with the project's own
 * stages, keeping each circuit loaded (plan, kernels, proving key bytes) between jobs. What it
 * returns is a claim: the service checks every proof before anyone sees it (verifier.ts).
 *
 * Run anywhere: `zkinfer worker --redis URL --service URL` fetches circuits from the service by
 * content hash (artifacts.ts); `zkinfer serve` without --redis runs these in-process on its own
 * directories. BullMQ's locks make a task one worker's at a time; a worker that dies mid-proof
 * stops renewing its lock, and another worker's stalled-job check hands the task on.
 */
import * as os from "node:os";
import { randomBytes } from "node:crypto";
import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import { loadCircuit, saltsFromStrings, type LoadedCircuit } from "./circuit.js";
import type { CircuitSource } from "./artifacts.js";
import { PREFIX, QUEUES, type TaskJobData, type TaskProgress, type TaskResult } from "./jobs.js";
import { quietRepeats, reachable, within, type Connection } from "./redis.js";
import type { Backend } from "../witness/witness.js";
import { sizeOf } from "../model/shapes.js";
import { describeError, isZkError } from "../errors.js";
import { getCurve } from "../prove/curve.js";

/** Fault injection for tests (a slow worker, a lying one); an honest worker has none. */
export interface WorkerHooks {
  /** runs after the witness, before the proof */
  beforeProve?(task: TaskJobData): Promise<void>;
  /** replaces what the worker returns */
  tamper?(result: TaskResult, task: TaskJobData, circuit: LoadedCircuit): Promise<TaskResult | null>;
}

export interface WorkerOptions {
  readonly connection: Connection;
  readonly source: CircuitSource;
  /** tasks proved at once (default 1) */
  readonly concurrency?: number;
  /** this worker's id in job records (default host-pid-random) */
  readonly name?: string;
  /** how long a task's lock lasts without renewal: a dead worker's task is handed on after this (default 30 s) */
  readonly lockMs?: number;
  /** how often this worker looks for other workers' stalled tasks (default 30 s) */
  readonly stalledMs?: number;
  readonly backend?: Backend;
  /** circuits kept loaded at once (default 8; the least recently used idle one is dropped) */
  readonly maxCircuits?: number;
  readonly hooks?: WorkerHooks;
  readonly log?: (line: string) => void;
}

export interface ProofWorker {
  readonly id: string;
  /**
   * Stops taking tasks and waits for the running ones to finish and be recorded. With `force`, or
   * when Redis is unreachable (nothing could be recorded), abandons them: the queue hands them on.
   */
  close(force?: boolean): Promise<void>;
}

/** An excluded worker hands a task back this many times, then proves it anyway. */
const MAX_BOUNCES = 10;
const BOUNCE_DELAY_MS = 250;

interface Slot {
  readonly circuit: Promise<LoadedCircuit>;
  users: number;
}

/** Loaded circuits by id, least recently used first; idle ones beyond `max` are closed. */
function circuitCache(source: CircuitSource, max: number, backend: Backend | undefined) {
  const slots = new Map<string, Slot>();
  const load = async (id: string): Promise<LoadedCircuit> => {
    try {
      return await loadCircuit(await source.dir(id), id, { prover: true, backend });
    } catch (e) {
      if (!isZkError(e) || e.code !== "BAD_FILE") throw e;
      await source.evict(id); // a damaged cached copy: fetch it once more
      return loadCircuit(await source.dir(id), id, { prover: true, backend });
    }
  };
  const trim = () => {
    for (const [id, s] of slots) {
      if (slots.size <= max) break;
      if (s.users > 0) continue;
      slots.delete(id);
      void s.circuit.then(
        (c) => c.close(),
        () => undefined,
      );
    }
  };
  return {
    async use<T>(id: string, fn: (c: LoadedCircuit) => Promise<T>): Promise<T> {
      let s = slots.get(id);
      if (s) slots.delete(id);
      else {
        s = { circuit: load(id), users: 0 };
        s.circuit.catch(() => slots.delete(id));
      }
      slots.set(id, s); // most recently used last
      s.users++;
      const slot = s;
      let circuit: LoadedCircuit | null = null;
      try {
        circuit = await slot.circuit;
        return await fn(circuit);
      } finally {
        slot.users--;
        // a prover thread died (out of memory?): the next job loads the circuit afresh
        if (circuit?.broken && slots.get(id) === slot) slots.delete(id);
        if (circuit && slots.get(id) !== slot && slot.users === 0) void circuit.close().catch(() => undefined);
        trim();
      }
    },
    async close() {
      const all = [...slots.values()];
      slots.clear();
      await Promise.all(
        all.map((s) =>
          s.circuit.then(
            (c) => c.close(),
            () => undefined,
          ),
        ),
      );
    },
  };
}

export async function startWorker(opts: WorkerOptions): Promise<ProofWorker> {
  const id = opts.name ?? `${os.hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`;
  const log = opts.log ?? (() => undefined);
  const cache = circuitCache(opts.source, opts.maxCircuits ?? 8, opts.backend);
  await getCurve(); // one curve for all concurrent proofs (see serve.ts)
  const progress = (job: Job<TaskJobData>, stage: TaskProgress["stage"]) =>
    job.updateProgress({ stage, worker: id } satisfies TaskProgress);

  const processor = async (job: Job<TaskJobData, TaskResult | null>, token?: string): Promise<TaskResult | null> => {
    const t = job.data;
    if (t.exclude.includes(id) && t.bounces < MAX_BOUNCES && token) {
      // the service rejected this worker's proof of this task: leave it to another worker
      await job.updateData({ ...t, bounces: t.bounces + 1 });
      await job.moveToDelayed(Date.now() + BOUNCE_DELAY_MS, token);
      throw new DelayedError();
    }
    await progress(job, "loading");
    return cache.use(t.circuit, async (c) => {
      const size = sizeOf(c.meta.input.shape);
      if (!Array.isArray(t.input) || t.input.length !== size || !t.input.every(Number.isInteger)) {
        throw new UnrecoverableError(
          `task ${job.id}: the input must be ${size} integers for circuit ${t.circuit.slice(0, 12)}…`,
        );
      }
      await progress(job, "witness");
      const t0 = performance.now();
      const w = await c.witness(
        { shape: c.meta.input.shape, data: Float64Array.from(t.input) },
        saltsFromStrings(t.salts),
      );
      const t1 = performance.now();
      await progress(job, "proving");
      await opts.hooks?.beforeProve?.(t);
      const t2 = performance.now();
      const { proof, publicSignals } = await c.prove(w.wtns);
      const seconds = { witness: (t1 - t0) / 1000, prove: (performance.now() - t2) / 1000 };
      const result: TaskResult = { proof, public: publicSignals, worker: id, seconds };
      log(
        `task ${job.id}: proved circuit ${c.id.slice(0, 12)}… in ${seconds.prove.toFixed(2)} s (witness ${(seconds.witness * 1000).toFixed(1)} ms)`,
      );
      return opts.hooks?.tamper ? opts.hooks.tamper(result, t, c) : result;
    });
  };

  const worker = new Worker<TaskJobData, TaskResult | null>(QUEUES.tasks, processor, {
    connection: opts.connection,
    prefix: PREFIX,
    name: id,
    concurrency: opts.concurrency ?? 1,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.stalledMs ?? 30_000,
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on("failed", (job, err) => log(`task ${job?.id ?? "?"} failed: ${describeError(err)}`));
  const queueLog = quietRepeats(log);
  worker.on("error", (err) => queueLog(`queue error: ${describeError(err)}`));
  void worker.run().catch((e: unknown) => log(`worker stopped: ${describeError(e)}`));
  await worker.waitUntilReady();
  return {
    id,
    async close(force = false) {
      if (!force && (await reachable(opts.connection))) await worker.close();
      else if ((await within(worker.close(true), 5000)) === "timeout") await worker.disconnect();
      await cache.close();
    },
  };
}
