/**
 * What a second thread can give on this machine, measured without zkinfer's scheduling: the
 * same kernel on one thread, then on two threads at once, each with its own memory. Two
 * probes: `bits` writing 128 MB of wires (memory-bound, like most of a large witness), and
 * the int16 matmul (compute-bound). On a VM whose two vCPUs may share a physical core or its
 * memory channels, these bound the witness's 2-thread speed-up from above.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { instantiateKernels } from "../src/witness/backends/wasm/kernels.js";
import { packageKernels } from "../src/witness/backends/wasm/kernel-file.js";

const ELEMS = 1 << 19,
  BITS = 8,
  BYTES = ELEMS * BITS * 32;
const N = 256; // gemm side
export type Probe = "bits" | "gemm";

async function setup(probe: Probe): Promise<() => void> {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((BYTES + 8 * ELEMS) / 65536) + 64, maximum: 65536 });
  const k = await instantiateKernels(await packageKernels(false), memory);
  const base = Math.ceil(k.heap_base() / 16) * 16;
  if (probe === "bits") return () => k.bits(base, 1000n, BITS, base + 8 * ELEMS, 0, ELEMS);
  return () => k.gemm_i16(base, base + 2 * N * N, 0, base + 4 * N * N, N / 8, N, N, 1, 66_000, 0, N);
}

function timed(run: () => void, reps: number): number {
  const t = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - t) / 1000 / reps;
}

/** Throughput of two threads at once relative to one (2.0 = perfect), and one thread's rate. */
export async function twoThreadProbe(probe: Probe): Promise<{ one: number; two: number; ratio: number; unit: string }> {
  const reps = probe === "bits" ? 10 : 200;
  const run = await setup(probe);
  timed(run, Math.ceil(reps / 3));
  const alone = timed(run, reps);
  const w = new Worker(new URL(import.meta.url), { workerData: { probe, reps } });
  try {
    await new Promise((res) => w.once("message", res));
    const theirs = new Promise<number>((res) => w.once("message", res));
    w.postMessage("go");
    const mine = timed(run, reps);
    const both = Math.max(mine, await theirs);
    const work = probe === "bits" ? BYTES / 1e9 : N ** 3 / 1e9;
    return {
      one: work / alone,
      two: (2 * work) / both,
      ratio: (2 * alone) / both,
      unit: probe === "bits" ? "GB/s" : "GMAC/s",
    };
  } finally {
    await w.terminate();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { probe, reps } = workerData as { probe: Probe; reps: number };
  const run = await setup(probe);
  timed(run, Math.ceil(reps / 3));
  port.postMessage("ready");
  port.once("message", () => port.postMessage(timed(run, reps)));
}
