/**
 * Kernel calls handed to worker threads through shared memory instead of messages. A message
 * round trip to a worker that has gone idle costs 0.1–0.3 ms here (and spikes of several ms
 * on a VM whose idle vCPU the host has parked), against kernel tiles of about a millisecond;
 * so each worker, while a witness runs, waits for its next call by spinning on a slot of a
 * SharedArrayBuffer, and only sleeps (Atomics.wait) after a quiet spell.
 *
 * One slot per worker: a sequence number the main thread bumps to post a call, the kernel,
 * its index range, its arguments (as i64, with a mask of those the kernel takes as BigInt),
 * and the answer: a status the worker writes, then `done` set to the sequence number answered.
 *
 * Every call is answered with a typed reply (../protocol.ts). `ok` is the status word alone,
 * so the fast path never leaves shared memory; `err` is a message on the slot's reply port,
 * posted before `done` is written, so the main thread reads it synchronously
 * (receiveMessageOnPort) as soon as it sees the status. A worker that dies answers nothing:
 * the main thread's 'exit' handler marks its slot dead (`fail`), which wakes the waiter. That
 * is why the main thread spins only a millisecond (most tiles end within it) and then awaits
 * Atomics.waitAsync: a blocking wait would keep the event loop, and with it the exit handler,
 * from ever running.
 */
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { NAMES, type Kernels, type KernelName } from "./kernels.js";
import { callKernel } from "./executor.js";
import { errReply, type ErrReply, type Reply } from "../../protocol.js";
import { strike, type Fault, type FaultCounter } from "../../fault.js";

const STRIDE = 32; // Int32 words per slot: 128 bytes, so slots never share a cache line
const MAX_ARGS = 24;
const SEQ = 0,
  DONE = 1,
  KERNEL = 2,
  ARGC = 3,
  MASK = 4,
  FROM = 5,
  TO = 6,
  STATUS = 7;
const OK = 0,
  ERR = 1;
/** How long a waiting side spins before it sleeps. */
const SPIN_MS = 1;

export interface Doorbell {
  readonly ctl: SharedArrayBuffer;
  readonly args: SharedArrayBuffer;
}

export function makeDoorbell(workers: number): Doorbell {
  return { ctl: new SharedArrayBuffer(4 * STRIDE * workers), args: new SharedArrayBuffer(8 * MAX_ARGS * workers) };
}

/** Spins, then sleeps, until `i32[at]` differs from `value` (the worker's side: it has nothing else to do). */
function waitChange(i32: Int32Array, at: number, value: number): void {
  const t = performance.now();
  while (Atomics.load(i32, at) === value) {
    if (performance.now() - t > SPIN_MS) Atomics.wait(i32, at, value, 50);
  }
}

/** The main thread's side: post calls to workers, and collect their replies. */
export class Bell {
  private readonly c: Int32Array;
  private readonly a: BigInt64Array;
  private readonly dead: boolean[];
  /** `replies[slot]`: the port that slot's worker posts its err replies to */
  constructor(
    d: Doorbell,
    private readonly replies: readonly MessagePort[],
  ) {
    this.c = new Int32Array(d.ctl);
    this.a = new BigInt64Array(d.args);
    this.dead = replies.map(() => false);
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

  /** Whether the slot's last call is answered, or will never be (its worker is dead). */
  settledNow(slot: number): boolean {
    const b = slot * STRIDE;
    return this.dead[slot]! || Atomics.load(this.c, b + DONE) === this.c[b + SEQ];
  }

  /** Spins up to SPIN_MS until every slot is settled: true if they all are (the fast path, no event-loop turn). */
  spin(slots: readonly number[]): boolean {
    const t = performance.now();
    for (const s of slots) {
      while (!this.settledNow(s)) if (performance.now() - t > SPIN_MS) return false;
    }
    return true;
  }

  /** Resolves once the slot is settled, letting the event loop run meanwhile (so a worker's death can be seen). */
  async settled(slot: number): Promise<void> {
    const b = slot * STRIDE;
    while (!this.dead[slot]) {
      // wait on the value just compared: if the worker answers in between, waitAsync returns at once
      const done = Atomics.load(this.c, b + DONE);
      if (done === this.c[b + SEQ]) return;
      const w = Atomics.waitAsync(this.c, b + DONE, done);
      if (w.async) await w.value;
    }
  }

  /** The reply to the slot's last call, which must be answered (not dead). */
  reply(slot: number): Reply {
    if (Atomics.load(this.c, slot * STRIDE + STATUS) === OK) return { type: "ok" };
    const m = receiveMessageOnPort(this.replies[slot]!)?.message as ErrReply | undefined;
    return m ?? { type: "err", code: null, message: "the worker reported an error but its message did not arrive" };
  }

  /** Marks the slot's worker dead, waking whoever waits on it: its call will never be answered. */
  fail(slot: number): void {
    this.dead[slot] = true;
    Atomics.notify(this.c, slot * STRIDE + DONE);
  }

  isDead(slot: number): boolean {
    return this.dead[slot]!;
  }
}

interface Call {
  readonly name: KernelName;
  readonly args: readonly (number | bigint)[];
  readonly from: number;
  readonly to: number;
}

function readCall(c: Int32Array, a: BigInt64Array, slot: number): Call {
  const b = slot * STRIDE;
  const mask = c[b + MASK]!;
  const args: (number | bigint)[] = [];
  for (let i = 0; i < c[b + ARGC]!; i++) {
    const v = a[slot * MAX_ARGS + i]!;
    args.push(mask & (1 << i) ? v : Number(v));
  }
  return { name: NAMES[c[b + KERNEL]!] as KernelName, args, from: c[b + FROM]!, to: c[b + TO]! };
}

/** Runs one call; an exception becomes an err reply on `replies` (`injected`: a test fault to throw instead). */
function answer(k: Kernels, call: Call, replies: MessagePort, injected: Fault | null): number {
  try {
    if (injected) strike(injected, call.name);
    callKernel(k, call.name, call.args, call.from, call.to);
    return OK;
  } catch (e) {
    replies.postMessage(errReply(e) satisfies ErrReply);
    return ERR;
  }
}

/** The worker's side: answer calls on `slot` for as long as the thread lives (the runner terminates it). */
export function serve(d: Doorbell, slot: number, k: Kernels, replies: MessagePort, faults: FaultCounter | null): never {
  const c = new Int32Array(d.ctl),
    a = new BigInt64Array(d.args);
  const b = slot * STRIDE;
  // the last call answered: a call posted before this worker started is still pending
  let seq = Atomics.load(c, b + DONE);
  for (;;) {
    waitChange(c, b + SEQ, seq);
    seq = Atomics.load(c, b + SEQ);
    const call = readCall(c, a, slot);
    const fault = faults?.next() ?? null;
    // crash, exit and stall strike out here, past the try that turns errors into replies,
    // as a bug in this loop, an abrupt exit or a hang would
    if (fault && fault.kind !== "throw") strike(fault, call.name);
    Atomics.store(c, b + STATUS, answer(k, call, replies, fault));
    Atomics.store(c, b + DONE, seq);
    Atomics.notify(c, b + DONE);
  }
}
