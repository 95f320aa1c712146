/**
 * The typed replies of witness workers, shared by both kinds (wasm/worker.ts answers kernel
 * calls of one witness; pool-worker.ts answers whole witnesses of a batch): a discriminated
 * union, so a caller switches on `type`, and an error always arrives with the worker's message
 * and, when the worker threw a ZkError, its code (the class does not survive the thread
 * boundary; its code and message, sent as data, do).
 */
import type { PlanStep, Salts } from "../circuit/plan.js";
import type { IntTensor, PlanValue } from "../quantize/qgraph.js";
import { describeError, isZkError, ZkError, type ZkErrorCode } from "../errors.js";

/**
 * A test fault (fault.ts strikes it): what happens, at which kernel call (counted from 1, in
 * each worker). Declared here, with the rest of what crosses to workers, so the backend
 * interface that names it stays free of Node APIs (browsers load it too).
 */
export const FAULT_KINDS = ["throw", "crash", "exit", "stall"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  readonly kind: FaultKind;
  /** the kernel call it strikes at, from 1 */
  readonly call: number;
}

export interface ErrReply {
  readonly type: "err";
  /** the ZkError's code, or null for anything else (a kernel trap, a bug) */
  readonly code: ZkErrorCode | null;
  readonly message: string;
}

/** A worker's answer to one request: its result, or the error it met. */
export type Reply<T = Record<never, never>> = ({ readonly type: "ok" } & T) | ErrReply;

export function errReply(e: unknown): ErrReply {
  if (isZkError(e)) return { type: "err", code: e.code, message: e.message };
  // a trap's class is its message's first word ("RuntimeError: unreachable")
  const named = e instanceof Error && e.name !== "Error" ? `${e.name}: ${e.message}` : describeError(e);
  return { type: "err", code: null, message: named };
}

/**
 * The caller's error for an err reply. A ZkError is the user's problem and already says what it
 * is, so it comes back as it was; anything else is prefixed with where it happened.
 */
export function errorOf(r: ErrReply, where: string): ZkError {
  return r.code ? new ZkError(r.code, r.message) : new ZkError("WORKER", `${where}: ${r.message}`);
}

/** How errors name a plan step: "step 7 (requant)", "step 2 (linear conv)". */
export function stepLabel(steps: readonly PlanStep[], i: number): string {
  const s = steps[i];
  if (!s) return `step ${i}`;
  return `step ${i} (${s.kind === "linear" ? `linear ${s.op.kind}` : s.kind})`;
}

/**
 * A batch witness (pool.ts → pool-worker.ts): the input, and two words of shared memory the
 * worker keeps current, [PROGRESS_THREAD] its threadId and [PROGRESS_STEP] the plan step it is
 * on (-1 before the first): a worker that dies sends nothing, and these say where it was.
 */
export interface WitnessTask {
  readonly input: IntTensor;
  /** the salts of salted commitments (bigints clone across threads) */
  readonly salts: Salts;
  readonly progress: SharedArrayBuffer;
}
export const PROGRESS_THREAD = 0,
  PROGRESS_STEP = 1;

export type WitnessReply = Reply<{ readonly wtns: Uint8Array; readonly outputs: readonly PlanValue[] }>;
