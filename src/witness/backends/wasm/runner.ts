/**
 * Runs a plan on the WebAssembly kernels: one memory per runner, sized for the plan, and the
 * kernels instantiated over it. With threads > 1 the memory is shared with worker threads,
 * and big steps split their index range: the main thread takes one chunk, each worker one,
 * handed over through a doorbell in shared memory (doorbell.ts, team.ts).
 */
import type { Worker } from "node:worker_threads";
import type { Salts, WitnessPlan } from "../../../circuit/plan.js";
import type { IntTensor, PlanValue } from "../../../quantize/qgraph.js";
import { heapBase, instantiateKernels } from "./kernels.js";
import { packageKernels } from "./kernel-file.js";
import { prepare, singleThread, type Executor, type Profile } from "./backend.js";
import { startTeam } from "./team.js";
import { stepLabel } from "../../protocol.js";
import { faultFromEnv, faultHere, strike, type Fault, type FaultCounter } from "../../fault.js";

const PAGE = 65536;
/**
 * Work (≈ instructions) below which a step is not worth splitting across threads (about a
 * millisecond's worth: below that the tiles are too small to beat the hand-over).
 */
export const SPLIT_THRESHOLD = 100_000;

export interface WasmRunner {
  run(input: IntTensor, salts?: Salts): Promise<{ wtns: Uint8Array; outputs: PlanValue[] }>;
  close(): Promise<void>;
}

export interface RunnerOptions {
  readonly threads?: number;
  readonly profile?: Profile;
  /** split steps above this much work (default SPLIT_THRESHOLD) */
  readonly splitAbove?: number;
  /** called as each plan step starts */
  readonly onStep?: (i: number) => void;
  /** test-only: a fault for the worker threads (fault.ts); default ZKINFER_TEST_FAULT, null for none */
  readonly fault?: Fault | null;
  /** called with each worker thread as it starts */
  readonly onWorker?: (worker: Worker, index: number) => void;
}

export async function wasmRunner(plan: WitnessPlan, opts: RunnerOptions = {}): Promise<WasmRunner> {
  const threads = opts.threads ?? 1;
  const shared = threads > 1;
  const fault = opts.fault === undefined ? faultFromEnv() : opts.fault;
  const module = await packageKernels(shared);
  const prepared = prepare(plan, await heapBase(module, shared));
  const pages = Math.ceil(prepared.size / PAGE) + 1;
  const memory = new WebAssembly.Memory(
    shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages, maximum: 65536 },
  );
  const k = await instantiateKernels(module, memory);
  const team = shared
    ? await startTeam(k, module, memory, {
        threads,
        splitAbove: opts.splitAbove ?? SPLIT_THRESHOLD,
        fault,
        stepName: (i) => stepLabel(plan.steps, i),
        onWorker: opts.onWorker,
      })
    : null;
  const exec = team ?? withFault(singleThread(k), faultHere(fault));
  const onStep =
    team || opts.onStep
      ? (i: number) => {
          team?.enterStep(i);
          opts.onStep?.(i);
        }
      : undefined;
  const run = prepared.bind(memory, exec, { profile: opts.profile, onStep });
  return { run, close: async () => team?.close() };
}

/** One thread's executor with a test fault (in a batch worker, whose witness runs on one thread). */
function withFault(exec: Executor, faults: FaultCounter | null): Executor {
  if (!faults) return exec;
  return {
    k: exec.k,
    run(name, args, n, cost) {
      const f = faults.next();
      if (f) strike(f, name);
      return exec.run(name, args, n, cost);
    },
  };
}
