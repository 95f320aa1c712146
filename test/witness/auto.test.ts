/**
 * `--backend auto`: wasm for small plans without looking for a GPU, wasm when only software
 * adapters are found (llvmpipe, SwiftShader: shaders on the CPU), webgpu only on a real GPU.
 */
import { describe, expect, it } from "vitest";
import { chooseBackend, GPU_WORK, planWork } from "../../src/witness/auto.js";
import { describeAdapter } from "../../src/witness/backends/webgpu/adapters.js";
import { nodeGpu } from "../../src/witness/backends/webgpu/node-gpu.js";
import type { WitnessPlan } from "../../src/circuit/plan.js";

const adapter = (info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) =>
  ({ info: { vendor: "", architecture: "", device: "", description: "", ...info } }) as unknown as GPUAdapter;

describe("auto backend", () => {
  it("tells software adapters from real GPUs", () => {
    const soft = [
      { device: "llvmpipe-llvm-15-0-6-256-bits-", description: "OpenGL version OpenGL ES 3.2 Mesa 22.3.6" },
      { vendor: "google", architecture: "swiftshader", description: "SwiftShader Device (Subzero)" },
      { description: "Microsoft Basic Render Driver" },
      { vendor: "mesa", device: "lavapipe" },
      { vendor: "nvidia", isFallbackAdapter: true },
    ];
    for (const info of soft)
      expect(describeAdapter(adapter(info), "default").software, JSON.stringify(info)).toBe(true);
    const real = [
      { vendor: "nvidia", architecture: "hopper", description: "NVIDIA H200" },
      { vendor: "apple", architecture: "metal-3" },
      { vendor: "amd", description: "AMD Radeon Pro" },
    ];
    for (const info of real)
      expect(describeAdapter(adapter(info), "default").software, JSON.stringify(info)).toBe(false);
  });

  it("keeps small plans on wasm without probing, and large ones on wasm without a real GPU", async () => {
    const small: WitnessPlan = { nWires: 1000, tensors: [], steps: [], input: 0, outputs: [] };
    expect(planWork(small)).toBeLessThan(GPU_WORK);
    expect(await chooseBackend(small)).toMatchObject({ backend: "wasm", adapters: null });
    const { adapters } = await nodeGpu();
    const big = await chooseBackend(null);
    expect(big.backend).toBe(adapters.some((a) => !a.software) ? "webgpu" : "wasm");
    if (big.backend === "wasm") expect(big.reason).toMatch(/^no (real )?GPU/);
  });
});
