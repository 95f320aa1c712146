/**
 * The wasm backend on one thread over plain memory, with no Node APIs: what a browser runs
 * (the proving page's witness Worker), given the compiled kernels (kernelModule with the page's
 * URL of kernels.wasm). Node's generator (runner.ts) adds threads and test faults around the
 * same prepare().
 */
import type { WitnessPlan } from "../../../circuit/plan.js";
import type { WitnessGenerator } from "../../backend.js";
import { heapBase, instantiateKernels } from "./kernels.js";
import { prepare, singleThread } from "./backend.js";

const PAGE = 65536;

export async function wasmGenerator(plan: WitnessPlan, module: WebAssembly.Module): Promise<WitnessGenerator> {
  const prepared = prepare(plan, await heapBase(module, false));
  const memory = new WebAssembly.Memory({ initial: Math.ceil(prepared.size / PAGE) + 1, maximum: 65536 });
  const run = prepared.bind(memory, singleThread(await instantiateKernels(module, memory)));
  return { witness: (input, salts) => run(input, salts), close: async () => undefined };
}
