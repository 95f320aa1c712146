/**
 * The `webgpu` backend: the plan on WGSL compute shaders (kernels/webgpu/), in Node through the
 * optional `webgpu` package (node-gpu.ts: a real GPU when there is one, else the software
 * adapter). The proving page opens the same generator on its own device (generator.ts).
 */
import type { WitnessBackend } from "../../backend.js";
import { WEBGPU_OPS } from "./calls.js";

export const webgpuBackend: WitnessBackend = {
  name: "webgpu",
  summary: "WGSL compute shaders on a GPU through WebGPU (the webgpu package in Node)",
  supports: (op) => WEBGPU_OPS.has(op),
  open: async (plan, opts) => {
    // loaded when a plan is opened, not when the CLI starts
    const [{ nodeDevice }, { openWebgpu }] = await Promise.all([import("./node-gpu.js"), import("./generator.js")]);
    const { device } = await nodeDevice();
    return openWebgpu(plan, device, {
      profile: opts.profile,
      onStep: opts.onStep,
      minLimbs: opts.limbs?.min,
      maxLimbs: opts.limbs?.max,
    });
  },
};
