/**
 * The machine's ceiling for the witness: the wasm witness mostly writes field elements
 * (32 bytes per wire), so past a point it is bound by memory bandwidth, not by arithmetic.
 * This measures the `bits` kernel writing 128 MB of wires on one thread, then on two threads
 * at once (each its own memory): the ratio bounds what a second thread can give.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { instantiateKernels, kernelModule } from "../src/witness/wasm/kernels.js";

const ELEMS = 1 << 19, BITS = 8, BYTES = ELEMS * BITS * 32;

async function setup() {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((BYTES + 8 * ELEMS) / 65536) + 64, maximum: 65536 });
  const k = await instantiateKernels(await kernelModule(false), memory);
  const src = Math.ceil(k.heap_base() / 16) * 16;
  return () => k.bits(src, 1000n, BITS, src + 8 * ELEMS, 0, ELEMS);
}

function timed(run: () => void, reps: number): number {
  const t = performance.now();
  for (let i = 0; i < reps; i++) run();
  return (performance.now() - t) / 1000 / reps;
}

/** GB/s written by the bits kernel: one thread alone, and two threads together. */
export async function writeBandwidth(): Promise<{ one: number; two: number }> {
  const run = await setup();
  timed(run, 3);
  const alone = timed(run, 10);
  const w = new Worker(new URL(import.meta.url), { workerData: 10 });
  try {
    await new Promise((res) => w.once("message", res));
    const theirs = new Promise<number>((res) => w.once("message", res));
    w.postMessage("go");
    const mine = timed(run, 10);
    return { one: BYTES / alone / 1e9, two: (2 * BYTES) / Math.max(mine, await theirs) / 1e9 };
  } finally {
    await w.terminate();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const run = await setup();
  timed(run, 3);
  port.postMessage("ready");
  port.once("message", () => port.postMessage(timed(run, workerData as number)));
}
