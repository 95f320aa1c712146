/**
 * The witness in the page: the WebGPU kernels on the page's own GPU device (the same generator
 * as Node's webgpu backend), or the wasm kernels in a Worker. `auto` takes WebGPU on a real
 * GPU only: a software adapter (SwiftShader, which headless Chromium offers) runs shaders on
 * the CPU, below the wasm kernels, so auto leaves it to an explicit choice.
 */
import type { Salts, WitnessPlan } from "../../src/circuit/plan.js";
import type { IntTensor, PlanValue } from "../../src/quantize/qgraph.js";
import { ZkError } from "../../src/errors.js";
import { asInputError } from "../../src/quantize/window.js";
import type { WitnessGenerator } from "../../src/witness/backend.js";
import { describeAdapter, deviceLimits, type AdapterReport } from "../../src/witness/backends/webgpu/adapters.js";
import { openWebgpu } from "../../src/witness/backends/webgpu/generator.js";
import { client, type WitnessReply, type WitnessRequest } from "./protocol.js";

export type PageBackend = "auto" | "webgpu" | "wasm";

export interface PageGpu {
  readonly device: GPUDevice | null;
  readonly adapter: AdapterReport | null;
  /** why there is no device, when there is none */
  readonly problem: string | null;
}

/** The page's GPU: navigator.gpu's adapter and a device with the limits the kernels want. */
export async function pageGpu(): Promise<PageGpu> {
  if (typeof navigator === "undefined" || !("gpu" in navigator) || !navigator.gpu)
    return {
      device: null,
      adapter: null,
      problem: "this browser has no WebGPU (navigator.gpu; it needs a secure context: https or localhost)",
    };
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { device: null, adapter: null, problem: "the browser offers no WebGPU adapter" };
    const device = await adapter.requestDevice({ label: "zkinfer", requiredLimits: deviceLimits(adapter) });
    return { device, adapter: describeAdapter(adapter, "browser"), problem: null };
  } catch (e) {
    return {
      device: null,
      adapter: null,
      problem: `WebGPU failed to start: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

export interface PageWitnessResult {
  readonly wtns: Uint8Array;
  readonly outputs: readonly PlanValue[];
  readonly backend: "webgpu" | "wasm";
  readonly ms: number;
}

/** Witnesses on either backend, each plan opened once. */
export class PageWitness {
  private webgpu: { plan: string; generator: Promise<WitnessGenerator> } | null = null;
  private readonly wasm = client<WitnessRequest, WitnessReply>(
    () => new Worker(new URL("./witness-worker.ts", import.meta.url), { type: "module" }),
    "the wasm witness worker",
  );

  constructor(readonly gpu: PageGpu) {}

  /** What `auto` means here. */
  resolve(choice: PageBackend): "webgpu" | "wasm" {
    if (choice !== "auto") return choice;
    return this.gpu.device && this.gpu.adapter && !this.gpu.adapter.software ? "webgpu" : "wasm";
  }

  /** A witness, or for an input outside a rescale's window the user's error (BAD_INPUT), as on the command line. */
  witness(
    planText: string,
    plan: WitnessPlan,
    input: IntTensor,
    salts: Salts,
    choice: PageBackend,
  ): Promise<PageWitnessResult> {
    return this.compute(planText, plan, input, salts, choice).catch((e: unknown) => {
      throw asInputError(e);
    });
  }

  private async compute(
    planText: string,
    plan: WitnessPlan,
    input: IntTensor,
    salts: Salts,
    choice: PageBackend,
  ): Promise<PageWitnessResult> {
    const backend = this.resolve(choice);
    const t = performance.now();
    if (backend === "wasm") {
      const r = await this.wasm({ plan: planText, input, salts });
      return { wtns: r.wtns, outputs: r.outputs, backend, ms: performance.now() - t };
    }
    const device = this.gpu.device;
    if (!device) throw new ZkError("GPU", `no WebGPU here: ${this.gpu.problem}`);
    if (this.webgpu?.plan !== planText) {
      void this.webgpu?.generator.then((g) => g.close()).catch(() => undefined);
      this.webgpu = { plan: planText, generator: openWebgpu(plan, device) };
    }
    const r = await (await this.webgpu.generator).witness(input, salts);
    return { wtns: r.wtns.slice(), outputs: r.outputs, backend, ms: performance.now() - t };
  }
}
