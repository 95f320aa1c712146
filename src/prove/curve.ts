/**
 * The BN254 curve from ffjavascript, shared with snarkjs (ffjavascript caches one instance
 * per process). Its worker threads keep Node alive, so the CLI calls `releaseCurve` last.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { Curve } from "ffjavascript";
import { packageRoot } from "../util/paths.js";
import type { PtauWorkerStart } from "./ptau-pool.js";

let curve: Promise<Curve> | null = null;

/** The curve, built on first use (ffjavascript loads only then: the CLI's start-up does not pay for it). */
export function getCurve(): Promise<Curve> {
  curve ??= import("ffjavascript").then((f) => f.buildBn128());
  return curve;
}

export async function releaseCurve(): Promise<void> {
  const c = (globalThis as { curve_bn128?: Curve | null }).curve_bn128;
  if (c) await c.terminate();
  (globalThis as { curve_bn128?: Curve | null }).curve_bn128 = null;
  curve = null;
}

export type CurveWasm = PtauWorkerStart & { readonly roots: readonly bigint[] };

let wasm: Promise<CurveWasm> | null = null;

/**
 * The curve's wasm module compiled once, with the generators, for instances of its own
 * (ptau generation's threads, wasm-curve.ts), the fixed-base kernel beside it (null when
 * kernels/wasm is not built: fixedbase.ts then calls wasmcurves, ~1.4× slower), and the domain
 * roots ffjavascript uses (roots[p] of order 2^p), which the Lagrange sections must share with
 * snarkjs. Only a single-thread curve keeps its code, so one is built for it (~0.3 s, once per
 * process).
 */
export function curveWasm(): Promise<CurveWasm> {
  wasm ??= import("ffjavascript").then(async (f) => {
    const c = await f.buildBn128(true);
    if (!c.tm.code) throw new Error("ffjavascript's single-thread curve kept no wasm code");
    return {
      module: await WebAssembly.compile(new Uint8Array(c.tm.code)),
      kernel: await fixedBaseKernel(),
      generators: { G1: c.G1.one, G2: c.G2.one },
      roots: c.Fr.w.map((w) => c.Fr.toObject(w)),
    };
  });
  return wasm;
}

async function fixedBaseKernel(): Promise<WebAssembly.Module | null> {
  const file = path.join(packageRoot(), "kernels", "wasm", "build", "bn254.wasm");
  const bytes = await readFile(file).catch(() => null);
  return bytes && WebAssembly.compile(new Uint8Array(bytes));
}
