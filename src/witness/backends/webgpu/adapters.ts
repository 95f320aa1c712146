/**
 * Which GPU adapters are real GPUs: software rasterizers (Mesa's llvmpipe and lavapipe, Google's
 * SwiftShader, Microsoft's WARP) run shaders on the CPU, where the wasm kernels are faster, so
 * `--backend auto` never picks them. Free of Node APIs (the proving page uses it too).
 */

/** What zkinfer reports of an adapter (`zkinfer info`, the proving page). */
export interface AdapterReport {
  /** how it was reached: Dawn's default backends, its OpenGL ES backend (Node), or the browser's */
  readonly via: "default" | "opengles" | "browser";
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** a software adapter: shaders run on the CPU */
  readonly software: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|swift shader|\bwarp\b|basic render|software/i;

export function describeAdapter(adapter: GPUAdapter, via: AdapterReport["via"]): AdapterReport {
  const i = adapter.info;
  const strings = [i.vendor, i.architecture, i.device, i.description].map((s) => s ?? "");
  const fallback = (i as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    via,
    vendor: strings[0]!,
    architecture: strings[1]!,
    device: strings[2]!,
    description: strings[3]!,
    software: fallback || strings.some((s) => SOFTWARE.test(s)),
  };
}

/** One line: "NVIDIA H200 (vulkan)", "llvmpipe … (software, opengles)". */
export function adapterName(a: AdapterReport): string {
  const name = [a.vendor, a.device || a.architecture, a.description].filter(Boolean).join(" · ") || "unnamed adapter";
  return `${name} (${a.software ? "software, " : ""}${a.via})`;
}

/**
 * The device limits zkinfer asks for: the adapter's largest buffers and bindings (the wire
 * vector of a large model is hundreds of MB), and storage buffers enough for every kernel.
 */
export function deviceLimits(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return {
    maxBufferSize: l.maxBufferSize,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 8),
  };
}
