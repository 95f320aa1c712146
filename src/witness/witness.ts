/**
 * The witness stage's face: run a plan on a quantized input with a chosen backend, getting
 * the complete .wtns file and the output tensors. Backends produce identical bytes:
 *   js    the reference executor (backends/js.ts), the oracle;
 *   wasm  the WebAssembly kernels (wasm/), optionally over several threads (the default).
 */
import * as os from "node:os";
import type { Worker } from "node:worker_threads";
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import type { SaltRole } from "../meta/model.js";
import type { IntTensor } from "../quantize/qgraph.js";
import { runPlanJs } from "./backends/js.js";
import { WtnsSink } from "./sink.js";
import { ZkError } from "../errors.js";
import { wasmRunner, type WasmRunner } from "./wasm/runner.js";
import type { Profile } from "./wasm/backend.js";
import type { Fault } from "./fault.js";
import { sizeOf } from "../model/shapes.js";

export const BACKENDS = ["wasm", "js"] as const;
export type Backend = (typeof BACKENDS)[number];

export function parseBackend(v: string | undefined): Backend {
  const b = v ?? "wasm";
  if (!(BACKENDS as readonly string[]).includes(b))
    throw new ZkError("BAD_OPTION", `unknown backend "${b}" (available: ${BACKENDS.join(", ")})`);
  return b as Backend;
}

export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

export function parseThreads(v: string | undefined): number {
  if (v === undefined) return defaultThreads();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256)
    throw new ZkError("BAD_OPTION", `--threads must be a whole number 1..256, got "${v}"`);
  return Number(v);
}

export interface WitnessOptions {
  readonly backend?: Backend;
  /** threads for the wasm backend (default: available cores) */
  readonly threads?: number;
  /** wasm backend: accumulate time per kernel here (benchmarks) */
  readonly profile?: Profile;
  /** wasm backend with threads: split steps above this much work (default SPLIT_THRESHOLD; tests use 0 to split every step) */
  readonly splitAbove?: number;
  /** wasm backend: called as each plan step starts, with its index */
  readonly onStep?: (i: number) => void;
  /** wasm backend, test-only: a fault for its worker threads to strike with (fault.ts); default ZKINFER_TEST_FAULT */
  readonly fault?: Fault | null;
  /** wasm backend with threads: called with each worker thread as it starts (tests use it to kill one) */
  readonly onWorker?: (worker: Worker, index: number) => void;
}

export interface WitnessResult {
  readonly wtns: Uint8Array;
  readonly outputs: readonly IntTensor[];
}

function jsWitness(plan: WitnessPlan, input: IntTensor, salts: Salts): WitnessResult {
  const sink = new WtnsSink(plan.nWires);
  let values: IntTensor[];
  try {
    values = runPlanJs(plan, input, sink, salts);
  } catch (e) {
    if (e instanceof RangeError)
      throw new ZkError(
        "UNSATISFIED",
        `witness generation failed: ${e.message} (the plan does not match this input's range; recompile)`,
      );
    throw e;
  }
  const missing = sink.firstUnwritten();
  if (missing >= 0)
    throw new ZkError(
      "UNSATISFIED",
      `witness plan left wire ${missing} unassigned (plan.json is inconsistent with the circuit; recompile)`,
    );
  return { wtns: sink.bytes, outputs: plan.outputs.map((t) => values[t]!) };
}

/**
 * A witness generator for one plan: reuse it for many inputs (the wasm backend lays out its
 * memory and starts its threads once). Close it when done.
 */
export interface WitnessGenerator {
  /** the witness; with the wasm backend `wtns` is a view valid until the next call (copy to keep it) */
  witness(input: IntTensor, salts?: Salts): Promise<WitnessResult>;
  close(): Promise<void>;
}

/**
 * Threads worth using for one witness of this plan: starting a worker costs ~20–40 ms and a
 * second thread saves ~25% of the witness (bench:witness), so plans under ~20 M operations
 * (wires plus multiply-accumulates; a witness under ~10 ms) stay on one thread whatever was asked.
 */
export function usefulThreads(plan: WitnessPlan, threads: number): number {
  let work = plan.nWires;
  for (const s of plan.steps) {
    if (s.kind === "linear" && (s.op.kind === "gemm" || s.op.kind === "conv"))
      work +=
        (s.op.weight.data.length * sizeOf(plan.tensors[s.output]!.shape)) /
        (s.op.kind === "gemm" ? s.op.weight.shape[1]! : s.op.weight.shape[0]!);
  }
  return work < 20_000_000 ? 1 : threads;
}

export async function witnessGenerator(plan: WitnessPlan, opts: WitnessOptions = {}): Promise<WitnessGenerator> {
  const backend = opts.backend ?? "wasm";
  if (backend === "js")
    return { witness: async (input, salts = {}) => jsWitness(plan, input, salts), close: async () => undefined };
  const runner: WasmRunner = await wasmRunner(plan, opts);
  return { witness: (input, salts) => runner.run(input, salts), close: () => runner.close() };
}

/** One witness (a generator made and closed around it). */
export async function computeWitness(
  plan: WitnessPlan,
  input: IntTensor,
  opts: WitnessOptions = {},
  salts: Salts = {},
): Promise<WitnessResult> {
  const g = await witnessGenerator(plan, opts);
  try {
    const r = await g.witness(input, salts);
    return { wtns: r.wtns.slice(), outputs: r.outputs };
  } finally {
    await g.close();
  }
}

/** Outputs only, no proof: what `zkinfer run` needs. */
export async function runPlan(plan: WitnessPlan, input: IntTensor, opts: WitnessOptions = {}): Promise<IntTensor[]> {
  if ((opts.backend ?? "wasm") === "js") {
    const values = runPlanJs(plan, input);
    return plan.outputs.map((t) => values[t]!);
  }
  // the outputs only: no copy of the .wtns bytes; salts change hashes, never outputs, so any will do
  const salts: Partial<Record<SaltRole, bigint>> = {};
  for (const s of plan.steps) if (s.kind === "commit" && s.salt) salts[s.salt.role] = 0n;
  const g = await witnessGenerator(plan, opts);
  try {
    return [...(await g.witness(input, salts)).outputs];
  } finally {
    await g.close();
  }
}
