/**
 * The typed loader for the WebAssembly kernels (kernels/wasm/, built by `npm ci`), free of Node
 * APIs: browsers pass the bytes or a URL; in Node, kernel-file.ts reads them from the package.
 * Two builds of one source: plain memory, and shared memory for worker threads.
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

const byUrl = new Map<string, Promise<WebAssembly.Module>>();

/**
 * The compiled kernel module from `source` (a URL's is cached): in a browser, the bytes or the
 * page's URL of kernels.wasm; in Node, kernel-file.ts reads the package's build.
 */
export function kernelModule(source: KernelSource): Promise<WebAssembly.Module> {
  if (source instanceof URL) {
    let m = byUrl.get(source.href);
    if (!m) {
      m = WebAssembly.compileStreaming(fetch(source));
      byUrl.set(source.href, m);
    }
    return m;
  }
  // copy into a plain ArrayBuffer: compile() rejects views of shared buffers
  return WebAssembly.compile(
    new Uint8Array(source instanceof Uint8Array ? source : new Uint8Array(source)).slice().buffer,
  );
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

/** Where the plan's memory may start: above the kernels' own data. */
export async function heapBase(module: WebAssembly.Module, shared: boolean): Promise<number> {
  // the kernels declare a maximum (65536 pages), so the memory given to them must have one too
  const memory = new WebAssembly.Memory(
    shared ? { initial: 1, maximum: 1, shared: true } : { initial: 1, maximum: 65536 },
  );
  return (await instantiateKernels(module, memory)).heap_base();
}
