/**
 * What a witness backend is: a name, which lowered kernel calls it implements (lowering.ts;
 * the steps it does not cover run on the shared js reference, fallback.ts), and how it opens a
 * plan into a generator that turns inputs into .wtns bytes. Every backend gives the same bytes
 * as the js reference. Backends live one per folder in backends/ and are listed in
 * backends/index.ts.
 */
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import type { IntTensor, PlanValue } from "../quantize/qgraph.js";
import type { KernelOp } from "./lowering.js";
import type { Fault } from "./protocol.js";

/** Where a witness's time goes: per kernel (or `js:<step>` for steps on the reference, `io`). */
export type Profile = Map<string, { calls: number; ms: number; items: number }>;

export interface WitnessResult {
  readonly wtns: Uint8Array;
  readonly outputs: readonly PlanValue[];
}

/**
 * A witness generator for one plan: reuse it for many inputs (a backend lays out its memory
 * and starts its threads once). Close it when done.
 */
export interface WitnessGenerator {
  /** the witness; `wtns` may be a view valid until the next call (copy to keep it) */
  witness(input: IntTensor, salts?: Salts): Promise<WitnessResult>;
  close(): Promise<void>;
}

/**
 * A worker thread as a backend starts it (node:worker_threads' Worker has these): structural,
 * so this file stays free of Node APIs and the browser pages can use the interface.
 */
export interface WorkerThread {
  readonly threadId: number;
  terminate(): Promise<number>;
}

export interface WitnessOptions {
  readonly backend?: string;
  /** threads, for backends that use them (default: available cores) */
  readonly threads?: number;
  /** accumulate time per kernel here (benchmarks) */
  readonly profile?: Profile;
  /** with threads: split steps above this much work (tests use 0 to split every step) */
  readonly splitAbove?: number;
  /** called as each plan step starts, with its index */
  readonly onStep?: (i: number) => void;
  /** test-only: a fault for worker threads to strike with (fault.ts); default ZKINFER_TEST_FAULT */
  readonly fault?: Fault | null;
  /**
   * webgpu, test-only: bounds on the kernels' number formats (limbs of 32 bits): `min` forces
   * wide arithmetic on small plans, `max` sends wider calls to the js reference
   */
  readonly limbs?: { readonly min?: number; readonly max?: number };
  /** with threads: called with each worker thread as it starts (tests use it to kill one) */
  readonly onWorker?: (worker: WorkerThread, index: number) => void;
}

export interface WitnessBackend {
  readonly name: string;
  readonly summary: string;
  /** whether this backend's kernels implement a lowered call (the rest run on the js reference) */
  supports(op: KernelOp): boolean;
  open(plan: WitnessPlan, opts: WitnessOptions): Promise<WitnessGenerator>;
}
