/**
 * A witness worker thread: instantiates the kernels once over the memory it shares with the
 * main thread, replies `ok` (ready) or `err` (why it could not start) on its parent port, then
 * serves the kernel calls posted to its doorbell slot until the runner terminates it
 * (doorbell.ts says why not messages; team.ts, how a death is seen).
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { instantiateKernels, type Kernels } from "./kernels.js";
import { serve, type Doorbell } from "./doorbell.js";
import { errReply, type Reply } from "../../protocol.js";
import { faultHere, type Fault } from "../../fault.js";

/** What a worker is started with (its workerData). */
export interface WorkerStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly doorbell: Doorbell;
  readonly slot: number;
  /** where it posts the err replies to kernel calls (transferred) */
  readonly replies: MessagePort;
  /** test-only (fault.ts) */
  readonly fault: Fault | null;
}

/** The one message a worker posts on its parent port: ready, or why not. */
export type StartReply = Reply;

async function start(s: WorkerStart): Promise<Kernels | null> {
  try {
    const k = await instantiateKernels(s.module, s.memory);
    parentPort!.postMessage({ type: "ok" } satisfies StartReply);
    return k;
  } catch (e) {
    parentPort!.postMessage(errReply(e) satisfies StartReply);
    return null;
  }
}

const s = workerData as WorkerStart;
const k = await start(s);
// outside start()'s try: an exception that escapes the loop kills the thread, and the runner's exit handler reports it
if (k) serve(s.doorbell, s.slot, k, s.replies, faultHere(s.fault));
