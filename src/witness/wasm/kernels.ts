/**
 * The typed loader for the WebAssembly kernels (kernels/wasm/, built by `npm ci`). Works in
 * Node (reads the .wasm from the package) and in browsers (pass the bytes or a URL). Two
 * builds of one source: plain memory, and shared memory for worker threads.
 */
import { ZkError } from "../../errors.js";

/** The kernels' exports (kernels/wasm/assembly/index.ts); pointers are byte addresses, i64 are BigInt. */
export interface Kernels {
  heap_base(): number;
  encode(src: number, dst: number, from: number, to: number): void;
  bits(src: number, offset: bigint, nBits: number, dst: number, from: number, to: number): void;
  f64_to_i64(src: number, dst: number, from: number, to: number): void;
  i64_to_f64(src: number, dst: number, from: number, to: number): void;
  pack_i16(src: number, k: number, kp: number, dst: number, from: number, to: number): void;
  gemm_i16(
    x: number,
    w: number,
    bias: number,
    out: number,
    k8: number,
    n: number,
    outRow: number,
    outCol: number,
    block: number,
    from: number,
    to: number,
  ): void;
  gemm_i64(
    x: number,
    w: number,
    bias: number,
    out: number,
    k: number,
    n: number,
    outRow: number,
    outCol: number,
    from: number,
    to: number,
  ): void;
  im2col(
    x: number,
    h: number,
    wd: number,
    c0: number,
    cg: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
    dh: number,
    dw: number,
    ow: number,
    kp: number,
    wide: number,
    dst: number,
    from: number,
    to: number,
  ): void;
  affine(
    x: number,
    xIdx: number,
    mul: number,
    mulIdx: number,
    add: number,
    addIdx: number,
    out: number,
    from: number,
    to: number,
  ): void;
  add2(
    a: number,
    aIdx: number,
    ka: bigint,
    b: number,
    bIdx: number,
    kb: bigint,
    out: number,
    from: number,
    to: number,
  ): void;
  gather(addr: number, shift: number, fill: bigint, out: number, from: number, to: number): void;
  sum_groups(x: number, start: number, idx: number, mult: number, out: number, from: number, to: number): void;
  max_groups(
    x: number,
    start: number,
    idx: number,
    out: number,
    wires: number,
    m: number,
    from: number,
    to: number,
  ): void;
  requant(
    x: number,
    shift: number,
    out: number,
    wires: number,
    offset: bigint,
    nBits: number,
    from: number,
    to: number,
  ): void;
  act_relu(q: number, wire: number, leaky: number, alpha: bigint, alphaShift: number, from: number, to: number): void;
  act_clip(
    q: number,
    hasLo: number,
    lo: bigint,
    loWire: number,
    hasHi: number,
    hi: bigint,
    hiBits: number,
    hiOffset: bigint,
    m2: number,
    hiWire: number,
    from: number,
    to: number,
  ): void;
  act_poly(
    q: number,
    coeffs: number,
    qMin: bigint,
    t: number,
    w: number,
    d: number,
    wire: number,
    per: number,
    from: number,
    to: number,
  ): void;
}

export type KernelName = Exclude<keyof Kernels, "heap_base">;

export const NAMES: readonly (keyof Kernels)[] = [
  "heap_base",
  "encode",
  "bits",
  "f64_to_i64",
  "i64_to_f64",
  "pack_i16",
  "gemm_i16",
  "gemm_i64",
  "im2col",
  "affine",
  "add2",
  "gather",
  "sum_groups",
  "max_groups",
  "requant",
  "act_relu",
  "act_clip",
  "act_poly",
];

export type KernelSource = Uint8Array | ArrayBuffer | URL;

const modules = new Map<string, Promise<WebAssembly.Module>>();

async function readKernelFile(file: string): Promise<Uint8Array> {
  const { readFile } = await import("node:fs/promises");
  const path = await import("node:path");
  const { packageRoot } = await import("../../util/paths.js");
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
