/**
 * WebGPU in Node: the optional `webgpu` package (Dawn), loaded only when a webgpu witness or
 * `zkinfer info` asks for it (it is large, and start-up time is measured). Dawn's default
 * backends (Vulkan, Metal, D3D12) give the real GPUs; without one, its OpenGL ES backend over
 * Mesa gives a software adapter (llvmpipe: EGL_PLATFORM=surfaceless, the compatibility feature
 * level), which is what CI tests on. One device per process, shared by every generator.
 */
import { ZkError } from "../../../errors.js";
import { describeAdapter, deviceLimits, type AdapterReport } from "./adapters.js";

interface Found {
  readonly adapter: GPUAdapter;
  readonly report: AdapterReport;
}

export interface NodeGpu {
  /** every adapter found, real GPUs first */
  readonly adapters: readonly AdapterReport[];
  /** why none was found, when none was */
  readonly problem: string | null;
}

let probe: Promise<{ found: Found[]; problem: string | null }> | null = null;
/** Dawn's instances: held for the life of the process (one collected frees what its adapters and devices still use) */
const instances: GPU[] = [];

async function probeOnce(): Promise<{ found: Found[]; problem: string | null }> {
  let create: (flags: string[]) => GPU;
  try {
    ({ create } = await import("webgpu"));
  } catch (e) {
    return {
      found: [],
      problem: `the optional package "webgpu" is not installed or does not load here (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
    };
  }
  const found: Found[] = [];
  const errors: string[] = [];
  try {
    const gpu = create([]);
    instances.push(gpu);
    const a = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (a) found.push({ adapter: a, report: describeAdapter(a, "default") });
  } catch (e) {
    errors.push(`default backends: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Mesa's EGL needs a platform without a display; set before Dawn first opens EGL
  process.env.EGL_PLATFORM ??= "surfaceless";
  try {
    const gpu = create(["backend=opengles"]);
    instances.push(gpu);
    const a = await gpu.requestAdapter({ featureLevel: "compatibility" });
    if (a) found.push({ adapter: a, report: describeAdapter(a, "opengles") });
  } catch (e) {
    errors.push(`OpenGL ES: ${e instanceof Error ? e.message : String(e)}`);
  }
  found.sort((x, y) => Number(x.report.software) - Number(y.report.software));
  const problem = found.length
    ? null
    : `Dawn found no adapter${errors.length ? ` (${errors.join("; ")})` : ""}: without a GPU, install Mesa's EGL (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri)`;
  return { found, problem };
}

function found(): Promise<{ found: Found[]; problem: string | null }> {
  return (probe ??= probeOnce());
}

/** The adapters Dawn finds here (for `zkinfer info` and `--backend auto`). */
export async function nodeGpu(): Promise<NodeGpu> {
  const f = await found();
  return { adapters: f.found.map((x) => x.report), problem: f.problem };
}

let device: Promise<{ device: GPUDevice; adapter: AdapterReport }> | null = null;

/** The process's device: on the best adapter (a real GPU if there is one). */
export function nodeDevice(): Promise<{ device: GPUDevice; adapter: AdapterReport }> {
  device ??= (async () => {
    const f = await found();
    const best = f.found[0];
    if (!best) throw new ZkError("GPU", `no WebGPU adapter: ${f.problem}`);
    const d = await best.adapter.requestDevice({ label: "zkinfer", requiredLimits: deviceLimits(best.adapter) });
    return { device: d, adapter: best.report };
  })();
  device.catch(() => (device = null));
  return device;
}
