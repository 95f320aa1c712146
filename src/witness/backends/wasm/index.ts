/** The `wasm` backend: the plan on the WebAssembly kernels (kernels/wasm/), optionally over threads. */
import type { WitnessBackend } from "../../backend.js";
import { wasmRunner } from "./runner.js";
import { WASM_OPS } from "./backend.js";

export const wasmBackend: WitnessBackend = {
  name: "wasm",
  summary: "WebAssembly kernels with SIMD, big steps split over threads",
  supports: (op) => WASM_OPS.has(op),
  open: async (plan, opts) => {
    const runner = await wasmRunner(plan, opts);
    return { witness: (input, salts) => runner.run(input, salts), close: () => runner.close() };
  },
};
