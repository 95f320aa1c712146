import { createRequire } from "node:module";
import * as os from "node:os";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { positional, parse, type Options } from "../args.js";
import type { Command } from "../command.js";
import { VERSION } from "../../version.js";

const options: Options = {};

/** A dependency's version, or null when it is not installed (its package.json, found up from its entry point). */
function versionOf(pkg: string): string | null {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve(pkg));
  } catch {
    return null;
  }
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!existsSync(file)) continue;
    const j = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (j.name === pkg) return j.version ?? null;
  }
  return null;
}

export const info: Command = {
  name: "info",
  summary: "versions, witness backends, the GPUs WebGPU finds and what --backend auto picks",
  usage: `zkinfer info [DIR]

  Lists the witness backends, the WebGPU adapters Dawn finds here (real GPUs, and the software
  one Mesa gives without a GPU), and the backend \`--backend auto\` (the default) would use: for
  the circuit in DIR when given, else for a plan large enough to gain from a GPU.
  --json   print {"version", "node", "backends", "webgpu": {"adapters", ...}, "auto": {...}}`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "info");
    const dir = p.positionals.length ? positional(p, 0, "the circuit directory", "info") : null;
    const [{ BACKENDS }, { chooseBackend, GPU_WORK }, { nodeGpu }, { adapterName }] = await Promise.all([
      import("../../witness/backends/index.js"),
      import("../../witness/auto.js"),
      import("../../witness/backends/webgpu/node-gpu.js"),
      import("../../witness/backends/webgpu/adapters.js"),
    ]);
    const plan = dir
      ? await (async () => {
          const { readModelMeta, readPlan } = await import("../../artifacts.js");
          return readPlan(dir, await readModelMeta(dir));
        })()
      : null;
    const gpu = await nodeGpu();
    const auto = await chooseBackend(plan);
    const webgpuVersion = versionOf("webgpu");
    out.result({
      version: VERSION,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: os.availableParallelism?.() ?? os.cpus().length,
      snarkjs: versionOf("snarkjs"),
      backends: BACKENDS.map((b) => ({ name: b.name, summary: b.summary })),
      webgpu: { package: webgpuVersion, adapters: gpu.adapters, problem: gpu.problem },
      auto: { for: dir ?? "a large plan", backend: auto.backend, reason: auto.reason, gpuWork: GPU_WORK },
    });
    const width = Math.max(...BACKENDS.map((b) => b.name.length));
    out.line(
      `zkinfer ${VERSION} (snarkjs ${versionOf("snarkjs") ?? "missing"}, Node ${process.version}, ${process.platform} ${process.arch}, ${os.cpus().length} cores)`,
    );
    out.line("witness backends:");
    for (const b of BACKENDS) out.line(`  ${b.name.padEnd(width)}  ${b.summary}`);
    out.line(`WebGPU adapters (the webgpu package${webgpuVersion ? ` ${webgpuVersion}` : ": not installed"}):`);
    if (gpu.adapters.length === 0) out.line(`  none: ${gpu.problem}`);
    for (const a of gpu.adapters) out.line(`  ${adapterName(a)}`);
    out.line(`--backend auto (the default) for ${dir ?? "a large plan"}: ${auto.backend}, since ${auto.reason}`);
    return 0;
  },
};
