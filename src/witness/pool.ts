/**
 * Many inputs, one plan: whole witnesses computed side by side in a piscina pool, one
 * single-threaded generator per worker (so a batch uses every core even when each witness
 * is too small to split). One input at a time is better served by `witnessGenerator`, whose
 * threads split a big layer into row tiles instead. On the webgpu backend the witnesses take
 * turns on the one GPU instead (each worker would open a device of its own).
 *
 * A worker answers every task with a typed reply (protocol.ts): an `err` becomes the caller's
 * error, with the worker's message and, for a ZkError, its code. A task that rejects instead
 * means its worker died (piscina rejects the tasks of a worker that exits or throws outside a
 * task): the pool is then torn down, and that witness and every later one reject with where
 * the worker was, from the progress words it kept ("witness worker (thread 5) died while
 * computing step 7 (requant): worker exited with code: 3").
 */
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { Piscina } from "piscina";
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import type { IntTensor } from "../quantize/qgraph.js";
import { packageRoot } from "../util/paths.js";
import { describeError, ZkError } from "../errors.js";
import {
  resolveBackend,
  witnessGenerator,
  type Backend,
  type WitnessGenerator,
  type WitnessResult,
} from "./witness.js";
import { errorOf, PROGRESS_STEP, PROGRESS_THREAD, stepLabel, type WitnessReply, type WitnessTask } from "./protocol.js";
import type { Fault } from "./fault.js";
import type { PoolStart } from "./pool-worker.js";

/** Like a WitnessGenerator, but calls may overlap and each result owns its bytes. */
export type WitnessPool = WitnessGenerator;

export interface PoolOptions {
  readonly backend?: Backend;
  readonly workers: number;
  /** test-only: a fault for the workers (fault.ts); default ZKINFER_TEST_FAULT */
  readonly fault?: Fault | null;
}

export async function witnessPool(plan: WitnessPlan, opts: PoolOptions): Promise<WitnessPool> {
  const backend = (await resolveBackend(plan, opts.backend)).name;
  // one GPU: its witnesses run one after another on this thread's device, not in workers of their own
  return opts.workers <= 1 || backend === "webgpu"
    ? serialPool(plan, backend)
    : workerPool(plan, backend, opts.workers, opts.fault);
}

/** One generator on this thread, calls serialised (its wtns buffer is reused between calls). */
async function serialPool(plan: WitnessPlan, backend: Backend): Promise<WitnessPool> {
  const g = await witnessGenerator(plan, { backend, threads: 1 });
  let last: Promise<unknown> = Promise.resolve();
  return {
    witness(input, salts) {
      const r = last.then(async () => {
        const w = await g.witness(input, salts);
        return { wtns: w.wtns.slice(), outputs: w.outputs } as WitnessResult;
      });
      last = r.catch(() => undefined);
      return r;
    },
    close: () => g.close(),
  };
}

/**
 * piscina loads a worker's module with require() first, and Node ≥ 20.19 requires an ES module
 * synchronously; a worker terminated during that load (the pool torn down because another
 * worker died, or the caller failed early) aborts the whole process ("FATAL ERROR:
 * v8::Module::IsGraphAsync must be used on an instantiated module"). Without require(esm)
 * piscina falls back to import(), which a termination interrupts cleanly.
 */
const WORKER_EXEC_ARGV = [
  ...process.execArgv,
  ...(process.allowedNodeEnvironmentFlags.has("--no-experimental-require-module")
    ? ["--no-experimental-require-module"]
    : []),
];

function workerPool(
  plan: WitnessPlan,
  backend: Backend,
  workers: number,
  fault: Fault | null | undefined,
): WitnessPool {
  // workers run compiled JavaScript (dist/), whichever way this module was loaded
  const filename = pathToFileURL(path.join(packageRoot(), "dist", "src", "witness", "pool-worker.js")).href;
  const start: PoolStart = { plan, backend, fault };
  const pool = new Piscina({
    filename,
    minThreads: workers,
    maxThreads: workers,
    workerData: start,
    idleTimeout: 60_000,
    execArgv: WORKER_EXEC_ARGV,
  });
  let failure: ZkError | null = null;
  let destroyed: Promise<void> | null = null;
  const destroy = () => (destroyed ??= pool.destroy());
  return {
    async witness(input: IntTensor, salts: Salts = {}) {
      if (failure) throw failure;
      const progress = newProgress();
      let r: WitnessReply;
      try {
        r = (await pool.run({
          input: { shape: input.shape, data: input.data },
          salts,
          progress,
        } satisfies WitnessTask)) as WitnessReply;
      } catch (e) {
        // the first death is the cause; the tasks the teardown then cancels report it too
        failure ??= destroyed
          ? new ZkError("WORKER", "the witness pool was closed while a witness was running")
          : died(plan, progress, e);
        void destroy();
        throw failure;
      }
      if (r.type === "err") throw errorOf(r, `${workerName(progress)} failed ${where(plan, progress)}`);
      return r;
    },
    close: destroy,
  };
}

function newProgress(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(8);
  new Int32Array(sab)[PROGRESS_STEP] = -1;
  return sab;
}

function workerName(progress: SharedArrayBuffer): string {
  const thread = Atomics.load(new Int32Array(progress), PROGRESS_THREAD);
  return thread ? `witness worker (thread ${thread})` : "a witness worker";
}

function where(plan: WitnessPlan, progress: SharedArrayBuffer): string {
  const step = Atomics.load(new Int32Array(progress), PROGRESS_STEP);
  return step >= 0 ? `while computing ${stepLabel(plan.steps, step)}` : "before its first step";
}

function died(plan: WitnessPlan, progress: SharedArrayBuffer, e: unknown): ZkError {
  return new ZkError("WORKER", `${workerName(progress)} died ${where(plan, progress)}: ${describeError(e)}`);
}
