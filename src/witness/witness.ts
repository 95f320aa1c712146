/**
 * The witness stage's face: run a plan on a quantized input with a chosen backend (registry in
 * backends/index.ts), getting the complete .wtns file and the output tensors. Every backend
 * produces the same bytes as the js reference.
 */
import * as os from "node:os";
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import type { SaltRole } from "../meta/model.js";
import type { IntTensor, PlanValue } from "../quantize/qgraph.js";
import { planOutputs, runPlanJs } from "./backends/js/reference.js";
import { ZkError } from "../errors.js";
import { BACKENDS } from "./backends/index.js";
import { AUTO, chooseBackend, planWork } from "./auto.js";
import { asInputError } from "../quantize/window.js";
import type { WitnessBackend, WitnessGenerator, WitnessOptions, WitnessResult } from "./backend.js";

export type { WitnessGenerator, WitnessOptions, WitnessResult } from "./backend.js";

/** A backend's name (`--backend`): one of BACKENDS, or `auto`. */
export type Backend = string;

/** The default: `auto` (auto.ts): webgpu on a real GPU for a large plan, else wasm. */
export const DEFAULT_BACKEND = AUTO;

export function backendNamed(name: string): WitnessBackend {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b)
    throw new ZkError(
      "BAD_OPTION",
      `unknown backend "${name}" (available: ${AUTO}, ${BACKENDS.map((x) => x.name).join(", ")})`,
    );
  return b;
}

/** A `--backend` value: a backend's name or `auto`. */
export function parseBackend(v: string | undefined): Backend {
  const name = v ?? DEFAULT_BACKEND;
  return name === AUTO ? AUTO : backendNamed(name).name;
}

/** The backend a name stands for with this plan (`auto` chooses; auto.ts). */
export async function resolveBackend(plan: WitnessPlan, name: Backend = DEFAULT_BACKEND): Promise<WitnessBackend> {
  return backendNamed(name === AUTO ? (await chooseBackend(plan)).backend : name);
}

export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

export function parseThreads(v: string | undefined): number {
  if (v === undefined) return defaultThreads();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) {
    throw new ZkError("BAD_OPTION", `--threads must be a whole number 1..256, got "${v}"`);
  }
  return Number(v);
}

/**
 * Threads worth using for one witness of this plan: starting a worker costs ~20–40 ms and a
 * second thread saves ~25% of the witness (bench:witness), so plans under ~20 M operations
 * (wires plus multiply-accumulates; a witness under ~10 ms) stay on one thread whatever was asked.
 */
export function usefulThreads(plan: WitnessPlan, threads: number): number {
  return planWork(plan) < 20_000_000 ? 1 : threads;
}

/** An input the circuit has no witness for (outside a rescale's window) is the user's error, named, not a bug. */
function asUserError(e: unknown): never {
  throw asInputError(e);
}

export async function witnessGenerator(plan: WitnessPlan, opts: WitnessOptions = {}): Promise<WitnessGenerator> {
  const g = await (await resolveBackend(plan, opts.backend)).open(plan, opts);
  return { witness: (input, salts) => g.witness(input, salts).catch(asUserError), close: () => g.close() };
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
export async function runPlan(plan: WitnessPlan, input: IntTensor, opts: WitnessOptions = {}): Promise<PlanValue[]> {
  if ((opts.backend ?? DEFAULT_BACKEND) === "js") {
    try {
      return planOutputs(plan, runPlanJs(plan, input));
    } catch (e) {
      asUserError(e);
    }
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
