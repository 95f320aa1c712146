/**
 * Runs a plan on the WebAssembly kernels: one memory per runner, sized for the plan, and the
 * kernels instantiated over it. With threads > 1 the memory is shared with piscina workers,
 * and big steps split their index range: the main thread takes one chunk, each worker one,
 * handed over through a doorbell in shared memory (doorbell.ts).
 */
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { Piscina } from "piscina";
import type { Salts, WitnessPlan } from "../../circuit/plan.js";
import type { IntTensor } from "../../quantize/qgraph.js";
import { packageRoot } from "../../util/paths.js";
import { instantiateKernels, kernelModule, type Kernels, type KernelName } from "./kernels.js";
import { prepare, singleThread, type Executor, type Profile } from "./backend.js";
import type { ServeTask } from "./worker.js";
import { Bell, makeDoorbell } from "./doorbell.js";

const PAGE = 65536;
/**
 * Work (≈ instructions) below which a step is not worth splitting across threads (about a
 * millisecond's worth: below that the tiles are too small to beat the hand-over).
 */
export const SPLIT_THRESHOLD = 100_000;

export interface WasmRunner {
  run(input: IntTensor, salts?: Salts): Promise<{ wtns: Uint8Array; outputs: IntTensor[] }>;
  close(): Promise<void>;
}

async function heapBase(module: WebAssembly.Module, shared: boolean): Promise<number> {
  // the kernels declare a maximum (65536 pages), so the memory given to them must have one too
  const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 1, shared: true } : { initial: 1, maximum: 65536 });
  return (await instantiateKernels(module, memory)).heap_base();
}

export async function wasmRunner(plan: WitnessPlan, threads = 1, profile?: Profile, splitAbove = SPLIT_THRESHOLD): Promise<WasmRunner> {
  const shared = threads > 1;
  const module = await kernelModule(shared);
  const prepared = prepare(plan, await heapBase(module, shared));
  const pages = Math.ceil(prepared.size / PAGE) + 1;
  const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages, maximum: 65536 });
  const k = await instantiateKernels(module, memory);
  const pool = shared ? pooled(k, module, memory, threads, splitAbove) : null;
  await pool?.ready;
  const exec = pool ?? singleThread(k);
  const run = prepared.bind(memory, exec, profile);
  return { run, close: async () => pool?.close() };
}

function pooled(k: Kernels, module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, splitAbove: number): Executor & { ready: Promise<void>; close(): Promise<void> } {
  // workers run compiled JavaScript (dist/), whichever way this module was loaded
  const filename = pathToFileURL(path.join(packageRoot(), "dist", "src", "witness", "wasm", "worker.js")).href;
  const workers = threads - 1;
  const pool = new Piscina({ filename, minThreads: workers, maxThreads: workers, workerData: { module, memory } });
  const doorbell = makeDoorbell(workers);
  const bell = new Bell(doorbell);
  // one long task per worker: it serves this runner's kernel calls until close()
  const serving = Array.from({ length: workers }, (_, slot) => pool.run({ slot, doorbell } satisfies ServeTask) as Promise<void>);
  return {
    k,
    ready: Promise.race([bell.ready(workers), Promise.all(serving).then(() => { throw new Error("a kernel worker stopped early"); })]),
    run(name: KernelName, args: readonly (number | bigint)[], n: number, cost: number) {
      if (n * cost < splitAbove || n < threads) {
        (k[name] as (...a: (number | bigint)[]) => void)(...args, 0, n);
        return;
      }
      const chunk = Math.ceil(n / threads);
      const posted: number[] = [];
      for (let t = 1; t < threads; t++) {
        const from = t * chunk, to = Math.min(n, from + chunk);
        if (from < to) {
          bell.post(t - 1, name, args, from, to);
          posted.push(t - 1);
        }
      }
      (k[name] as (...a: (number | bigint)[]) => void)(...args, 0, Math.min(n, chunk));
      for (const slot of posted) bell.wait(slot);
    },
    async close() {
      for (let slot = 0; slot < workers; slot++) bell.stop(slot);
      await Promise.all(serving);
      await pool.destroy();
    },
  };
}
