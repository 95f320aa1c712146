/**
 * A piscina worker of the witness pool: builds one single-threaded generator for the plan it
 * was started with, then turns inputs into whole witnesses. Every task is answered with a
 * typed reply (../protocol.ts), an error included, so a rejected task can only mean a dead
 * worker (pool.ts).
 */
import { threadId, workerData } from "node:worker_threads";
import type { WitnessPlan } from "../circuit/plan.js";
import type { PlanValue } from "../quantize/qgraph.js";
import { witnessGenerator, type Backend, type WitnessGenerator } from "./witness.js";
import { errReply, PROGRESS_STEP, PROGRESS_THREAD, type WitnessReply, type WitnessTask } from "./protocol.js";
import type { Fault } from "./fault.js";

/** What the pool's workers are started with (their workerData). */
export interface PoolStart {
  readonly plan: WitnessPlan;
  readonly backend: Backend;
  /** test-only (fault.ts); undefined: ZKINFER_TEST_FAULT */
  readonly fault: Fault | null | undefined;
}

const { plan, backend, fault } = workerData as PoolStart;
let generator: Promise<WitnessGenerator> | null = null;
/** the running task's progress words: the generator, made once, reports its steps here */
let progress: Int32Array | null = null;

function onStep(i: number): void {
  if (progress) Atomics.store(progress, PROGRESS_STEP, i);
}

export default async function witness(task: WitnessTask): Promise<WitnessReply> {
  progress = new Int32Array(task.progress);
  Atomics.store(progress, PROGRESS_THREAD, threadId);
  try {
    generator ??= witnessGenerator(plan, { backend, threads: 1, fault, onStep });
    const r = await (await generator).witness(task.input, task.salts);
    // r.wtns is a view into the kernels' whole memory, which a structured clone would copy
    // entire (weights, tensors, scratch): copy out just the .wtns bytes
    return {
      type: "ok",
      wtns: r.wtns.slice(),
      outputs: r.outputs.map((t) => ({ shape: t.shape, data: t.data }) as PlanValue),
    };
  } catch (e) {
    return errReply(e);
  }
}
