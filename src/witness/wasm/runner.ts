/**
 * Runs a plan on the WebAssembly kernels: one memory per runner, sized for the plan, and the
 * kernels instantiated over it. With threads > 1 the memory is shared with piscina workers,
 * and big steps split their index range: the main thread takes one chunk, each worker one.
 */
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { Piscina } from "piscina";
import type { WitnessPlan } from "../../circuit/plan.js";
import type { IntTensor } from "../../quantize/qgraph.js";
import { packageRoot } from "../../util/paths.js";
import { instantiateKernels, kernelModule, type Kernels, type KernelName } from "./kernels.js";
import { prepare, singleThread, type Executor, type Profile } from "./backend.js";
import type { KernelTask } from "./worker.js";

const PAGE = 65536;
/**
 * Work (≈ instructions) below which a step is not worth splitting across threads: a task
 * round trip costs ~0.1 ms, so a split pays only on steps of a millisecond or so.
 */
export const SPLIT_THRESHOLD = 2_000_000;

export interface WasmRunner {
  run(input: IntTensor): Promise<{ wtns: Uint8Array; outputs: IntTensor[] }>;
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
  const exec = pool ?? singleThread(k);
  const run = prepared.bind(memory, exec, profile);
  return { run, close: async () => pool?.close() };
}

function pooled(k: Kernels, module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, splitAbove: number): Executor & { close(): Promise<void> } {
  // workers run compiled JavaScript (dist/), whichever way this module was loaded
  const filename = pathToFileURL(path.join(packageRoot(), "dist", "src", "witness", "wasm", "worker.js")).href;
  const pool = new Piscina({ filename, minThreads: threads - 1, maxThreads: threads - 1, workerData: { module, memory }, idleTimeout: 60_000 });
  return {
    k,
    async run(name: KernelName, args: readonly (number | bigint)[], n: number, cost: number) {
      if (n * cost < splitAbove || n < threads) {
        (k[name] as (...a: (number | bigint)[]) => void)(...args, 0, n);
        return;
      }
      const chunk = Math.ceil(n / threads);
      const tasks: Promise<void>[] = [];
      for (let t = 1; t < threads; t++) {
        const from = t * chunk, to = Math.min(n, from + chunk);
        if (from < to) tasks.push(pool.run({ name, args: [...args], from, to } satisfies KernelTask));
      }
      (k[name] as (...a: (number | bigint)[]) => void)(...args, 0, Math.min(n, chunk));
      await Promise.all(tasks);
    },
    close: () => pool.destroy(),
  };
}
