/**
 * A piscina worker: instantiates the kernels once over the memory it shares with the main
 * thread, then runs kernel calls (a name, pointer arguments and an index range) on it.
 */
import { workerData } from "node:worker_threads";
import { instantiateKernels, type Kernels, type KernelName } from "./kernels.js";

export interface KernelTask {
  readonly name: KernelName;
  readonly args: (number | bigint)[];
  readonly from: number;
  readonly to: number;
}

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };
let kernels: Promise<Kernels> | null = null;

export default async function run(task: KernelTask): Promise<void> {
  kernels ??= instantiateKernels(module, memory);
  const k = await kernels;
  (k[task.name] as (...a: (number | bigint)[]) => void)(...task.args, task.from, task.to);
}
