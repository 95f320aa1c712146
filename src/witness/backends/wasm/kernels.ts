/**
 * The typed loader for the WebAssembly kernels (kernels/wasm/, built by `npm ci`). Works in
 * Node (reads the .wasm from the package) and in browsers (pass the bytes or a URL). Two
 * builds of one source: plain memory, and shared memory for worker threads.
 */
import { ZkError } from "../../../errors.js";

import type { instantiate } from "../../../../kernels/wasm/build/kernels.js";

/**
 * The kernels' exports exactly as AssemblyScript declares them (kernels/wasm/build/kernels.d.ts,
 * generated from kernels/wasm/assembly/index.ts by `npm ci`): pointers are byte addresses, i64
 * are BigInt. Nothing here restates a signature, so the two cannot drift apart.
 */
export type Kernels = Awaited<ReturnType<typeof instantiate>>;

/** The kernels an executor runs over an index range (the rest return a value and run whole, on one thread). */
export type KernelName = Exclude<keyof Kernels, "heap_base" | "first_outside">;

/** A kernel's arguments before its index range [from, to) (every kernel but heap_base takes one last). */
export type KernelArgs<K extends KernelName> = Kernels[K] extends (
  ...a: [...infer A extends (number | bigint)[], number, number]
) => void
  ? A
  : never;

/** Every export once, in doorbell order; typed against the declarations, so a kernel cannot be missing here or extra. */
const EXPORTS: Record<keyof Kernels, true> = {
  heap_base: true,
  encode: true,
  bits: true,
  f64_to_i64: true,
  i64_to_f64: true,
  pack_i16: true,
  gemm_i16: true,
  gemm_i64: true,
  im2col: true,
  affine: true,
  add2: true,
  gather: true,
  sum_groups: true,
  max_groups: true,
  requant: true,
  first_outside: true,
  act_relu: true,
  act_clip: true,
  act_poly: true,
};

export const NAMES = Object.keys(EXPORTS) as readonly (keyof Kernels)[];

export type KernelSource = Uint8Array | ArrayBuffer | URL;

const modules = new Map<string, Promise<WebAssembly.Module>>();

async function readKernelFile(file: string): Promise<Uint8Array> {
  const { readFile } = await import("node:fs/promises");
  const path = await import("node:path");
  const { packageRoot } = await import("../../../util/paths.js");
  const full = path.join(packageRoot(), "kernels", "wasm", "build", file);
  try {
    return new Uint8Array(await readFile(full));
  } catch {
    throw new ZkError(
      "BAD_FILE",
      `the WebAssembly kernels are not built (${full} is missing): run \`npm run build:kernels\` (npm ci does it), or use --backend js`,
    );
  }
}

/** The compiled kernel module (cached): from `source`, or in Node from the package's build. */
export function kernelModule(shared: boolean, source?: KernelSource): Promise<WebAssembly.Module> {
  const key = `${shared}:${source instanceof URL ? source.href : source ? "bytes" : "package"}`;
  let m = modules.get(key);
  if (!m) {
    m = (async () => {
      if (source instanceof URL) return WebAssembly.compileStreaming(fetch(source));
      const bytes = source ?? (await readKernelFile(shared ? "kernels-shared.wasm" : "kernels.wasm"));
      // copy into a plain ArrayBuffer: compile() rejects views of shared buffers
      return WebAssembly.compile(
        new Uint8Array(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).slice().buffer,
      );
    })();
    modules.set(key, m);
  }
  return m;
}

/** Instantiates the kernels over `memory` and checks every export is there. */
export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Kernels> {
  const abort = () => {
    throw new Error("kernel abort");
  };
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  const exports = instance.exports as Record<string, unknown>;
  for (const n of NAMES) {
    if (typeof exports[n] !== "function")
      throw new ZkError("BAD_FILE", `the WebAssembly kernels lack "${n}": rebuild them (npm run build:kernels)`);
  }
  return exports as unknown as Kernels;
}
