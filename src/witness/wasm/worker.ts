/**
 * A piscina worker: instantiates the kernels once over the memory it shares with the main
 * thread, then serves kernel calls (a name, pointer arguments and an index range) posted
 * through its doorbell slot, until the runner closes (doorbell.ts says why not messages).
 */
import { workerData } from "node:worker_threads";
import { instantiateKernels } from "./kernels.js";
import { serve, type Doorbell } from "./doorbell.js";

export interface ServeTask {
  readonly slot: number;
  readonly doorbell: Doorbell;
}

const { module, memory } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory };

export default async function run(task: ServeTask): Promise<void> {
  serve(task.doorbell, task.slot, await instantiateKernels(module, memory));
}
