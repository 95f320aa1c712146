/** How the wasm backend runs a kernel: on this thread, or split across the team's threads (team.ts). */
import type { KernelArgs, KernelName, Kernels } from "./kernels.js";

/** Runs kernels: on this thread, or split across worker threads that share the memory. */
export interface Executor {
  readonly k: Kernels;
  /** kernel `name`(...args, from, to) over [0, n); `cost` ≈ work per item, to decide whether splitting pays */
  run<K extends KernelName>(name: K, args: KernelArgs<K>, n: number, cost: number): Promise<void> | void;
}

/** Calls a kernel with its arguments and an index range (the one untyped spot: the name picks the signature). */
export function callKernel(
  k: Kernels,
  name: KernelName,
  args: readonly (number | bigint)[],
  from: number,
  to: number,
): void {
  (k[name] as (...a: (number | bigint)[]) => void)(...args, from, to);
}

export function singleThread(k: Kernels): Executor {
  return {
    k,
    run(name, args, n) {
      callKernel(k, name, args, 0, n);
    },
  };
}
