/**
 * `--backend auto` (the default): the webgpu backend when a real GPU is there and the plan is
 * large enough to gain, else wasm. A small plan never probes for a GPU (loading Dawn and
 * finding adapters takes ~0.1–0.3 s), so for most plans, and on every machine without a GPU,
 * auto is exactly the wasm backend it replaced as the default. A software adapter (llvmpipe,
 * SwiftShader) does not count: it runs shaders on the CPU, well below the wasm kernels.
 */
import type { WitnessPlan } from "../circuit/plan.js";
import { sizeOf } from "../model/shapes.js";
import type { AdapterReport } from "./backends/webgpu/adapters.js";

export const AUTO = "auto";

/**
 * Work (wires plus multiply-accumulates) from which auto takes a real GPU: about a second of
 * wasm on one core (bench:witness: 0.5–1 G/s). Below it, opening the GPU (device, buffers,
 * pipeline compilation: 0.05–0.75 s measured on the software adapter) and reading the wires
 * back over the bus cost more than they save. An estimate: no GPU was at hand to tune it on.
 */
export const GPU_WORK = 1_000_000_000;

/** Wires plus multiply-accumulates of the plan's matrix products and convolutions. */
export function planWork(plan: WitnessPlan): number {
  let work = plan.nWires;
  for (const s of plan.steps) {
    if (s.kind === "linear" && (s.op.kind === "gemm" || s.op.kind === "conv")) {
      const perOutput = s.op.kind === "gemm" ? s.op.weight.shape[1]! : s.op.weight.shape[0]!;
      work += (s.op.weight.data.length * sizeOf(plan.tensors[s.output]!.shape)) / perOutput;
    }
  }
  return work;
}

export interface AutoChoice {
  readonly backend: "wasm" | "webgpu";
  /** why, in a phrase ("no real GPU: only llvmpipe (software)") */
  readonly reason: string;
  /** the adapters found, when auto looked */
  readonly adapters: readonly AdapterReport[] | null;
}

/** What auto picks for `plan` (or, with null, for a plan large enough to gain from a GPU). */
export async function chooseBackend(plan: WitnessPlan | null): Promise<AutoChoice> {
  const work = plan ? planWork(plan) : Infinity;
  if (work < GPU_WORK)
    return {
      backend: "wasm",
      reason: `the plan is small (${fmtWork(work)} operations, below ${fmtWork(GPU_WORK)})`,
      adapters: null,
    };
  const { nodeGpu } = await import("./backends/webgpu/node-gpu.js");
  const { adapters, problem } = await nodeGpu();
  const real = adapters.find((a) => !a.software);
  if (real) return { backend: "webgpu", reason: `a GPU: ${real.description || real.device}`, adapters };
  return {
    backend: "wasm",
    reason: adapters.length
      ? `no real GPU (only software adapters: ${adapters.map((a) => a.device || a.description).join(", ")})`
      : `no GPU (${problem})`,
    adapters,
  };
}

function fmtWork(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : `${n}`;
}
