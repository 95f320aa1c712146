/** The witness backends, by name: adding one is a folder beside these and a line here. */
import type { WitnessBackend } from "../backend.js";
import { jsBackend } from "./js/index.js";
import { wasmBackend } from "./wasm/index.js";
import { webgpuBackend } from "./webgpu/index.js";

export const BACKENDS: readonly WitnessBackend[] = [wasmBackend, webgpuBackend, jsBackend];
