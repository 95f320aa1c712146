/**
 * Kernel calls handed to worker threads through shared memory instead of messages. A message
 * round trip to a worker that has gone idle costs 0.1–0.3 ms here (and spikes of several ms
 * on a VM whose idle vCPU the host has parked), against kernel tiles of about a millisecond;
 * so each worker, while a witness runs, waits for its next call by spinning on a slot of a
 * SharedArrayBuffer, and only sleeps (Atomics.wait) after a quiet spell.
 *
 * One slot per worker: a sequence number the main thread bumps to post a call, the kernel,
 * its index range, its arguments (as i64, with a mask of those the kernel takes as BigInt),
 * and a `done` the worker sets to the sequence number it finished.
 */
import { NAMES, type Kernels, type KernelName } from "./kernels.js";

const STRIDE = 32; // Int32 words per slot: 128 bytes, so slots never share a cache line
const MAX_ARGS = 24;
const SEQ = 0, DONE = 1, KERNEL = 2, ARGC = 3, MASK = 4, FROM = 5, TO = 6, FAILED = 7, READY = 8;
const STOP = -1;
/** How long a waiting side spins before it sleeps. */
const SPIN_MS = 1;

export interface Doorbell {
  readonly ctl: SharedArrayBuffer;
  readonly args: SharedArrayBuffer;
}

export function makeDoorbell(workers: number): Doorbell {
  return { ctl: new SharedArrayBuffer(4 * STRIDE * workers), args: new SharedArrayBuffer(8 * MAX_ARGS * workers) };
}

/** Spins, then sleeps, until `i32[at]` differs from `value`. */
function waitChange(i32: Int32Array, at: number, value: number): void {
  const t = performance.now();
  while (Atomics.load(i32, at) === value) {
    if (performance.now() - t > SPIN_MS) Atomics.wait(i32, at, value, 50);
  }
}

/** The main thread's side: post a call to a worker, and wait for it. */
export class Bell {
  private readonly c: Int32Array;
  private readonly a: BigInt64Array;
  constructor(d: Doorbell) {
    this.c = new Int32Array(d.ctl);
    this.a = new BigInt64Array(d.args);
  }
  post(slot: number, name: KernelName, args: readonly (number | bigint)[], from: number, to: number): void {
    if (args.length > MAX_ARGS) throw new Error(`kernel ${name}: more than ${MAX_ARGS} arguments`);
    const b = slot * STRIDE;
    let mask = 0;
    args.forEach((v, i) => {
      this.a[slot * MAX_ARGS + i] = BigInt(v);
      if (typeof v === "bigint") mask |= 1 << i;
    });
    this.c[b + KERNEL] = NAMES.indexOf(name);
    this.c[b + ARGC] = args.length;
    this.c[b + MASK] = mask;
    this.c[b + FROM] = from;
    this.c[b + TO] = to;
    Atomics.add(this.c, b + SEQ, 1); // publishes the fields above
    Atomics.notify(this.c, b + SEQ);
  }
  /** Waits for the slot's last call; throws if the kernel failed. */
  wait(slot: number): void {
    const b = slot * STRIDE;
    const seq = Atomics.load(this.c, b + SEQ);
    let done: number;
    while ((done = Atomics.load(this.c, b + DONE)) !== seq) waitChange(this.c, b + DONE, done);
    if (this.c[b + FAILED]) throw new Error(`kernel ${NAMES[this.c[b + KERNEL]!]} failed in a worker thread`);
  }
  /** Resolves once every worker is serving (before that, a blocking wait could starve piscina's start-up messages). */
  async ready(slots: number): Promise<void> {
    for (let s = 0; s < slots; s++) while (Atomics.load(this.c, s * STRIDE + READY) !== 1) await new Promise((r) => setTimeout(r, 1));
  }
  stop(slot: number): void {
    const b = slot * STRIDE;
    this.c[b + KERNEL] = STOP;
    Atomics.add(this.c, b + SEQ, 1);
    Atomics.notify(this.c, b + SEQ);
  }
}

/** The worker's side: answer calls on `slot` until told to stop. */
export function serve(d: Doorbell, slot: number, k: Kernels): void {
  const c = new Int32Array(d.ctl), a = new BigInt64Array(d.args);
  const b = slot * STRIDE;
  // the last call answered: a call posted before this worker started is still pending
  let seq = Atomics.load(c, b + DONE);
  Atomics.store(c, b + READY, 1);
  for (;;) {
    waitChange(c, b + SEQ, seq);
    seq = Atomics.load(c, b + SEQ);
    const kernel = c[b + KERNEL]!;
    if (kernel === STOP) return;
    const mask = c[b + MASK]!;
    const args: (number | bigint)[] = [];
    for (let i = 0; i < c[b + ARGC]!; i++) {
      const v = a[slot * MAX_ARGS + i]!;
      args.push(mask & (1 << i) ? v : Number(v));
    }
    try {
      (k[NAMES[kernel]!] as (...x: (number | bigint)[]) => void)(...args, c[b + FROM]!, c[b + TO]!);
      c[b + FAILED] = 0;
    } catch {
      c[b + FAILED] = 1;
    }
    Atomics.store(c, b + DONE, seq);
    Atomics.notify(c, b + DONE);
  }
}
