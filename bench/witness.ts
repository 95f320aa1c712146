/**
 * `npm run bench:witness` (part of `npm run bench`): the witness alone, per model and backend —
 * witness time, wires/s, tensor MAC/s and the wasm/js ratio, for js, wasm on 1 thread, wasm
 * on 2 threads and webgpu on the adapter Dawn finds (a real GPU, else the software one), with
 * the time to open each generator — over lenet5_digits28, mlp_digits28 (bench/models/) and two synthetic CNNs
 * whose js witness takes over a second (bench/synthetic.ts): one heavy in wires, one wide. Plans come from a dry
 * compile (no constraints are built), so the large model needs no proving key. Also: a
 * profile of where the wasm witness spends its time, and the kernels alone (int16 matmul
 * GMAC/s, field encoding M wires/s) on one core. Every wasm witness is checked byte for byte
 * against the js one before its time counts.
 *
 *   node dist/bench/witness.js [--model NAME] [--min-seconds S]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { witnessGenerator, type Backend } from "../src/witness/witness.js";
import { benchModels, timeWitness, type BenchModel } from "./witness-models.js";
import type { Profile } from "../src/witness/backends/wasm/backend.js";
import { instantiateKernels } from "../src/witness/backends/wasm/kernels.js";
import { packageKernels } from "../src/witness/backends/wasm/kernel-file.js";
import { adapterName } from "../src/witness/backends/webgpu/adapters.js";
import { twoThreadProbe } from "./bandwidth.js";

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, "..", "..");
const args = process.argv.slice(2);
const only = args.includes("--model") ? args[args.indexOf("--model") + 1] : undefined;
const minSeconds = args.includes("--min-seconds") ? Number(args[args.indexOf("--min-seconds") + 1]) : 2;

async function profileOf(
  m: BenchModel,
  threads = 1,
  backend: Backend = "wasm",
): Promise<{ name: string; calls: number; ms: number; share: number }[]> {
  const profile: Profile = new Map();
  const g = await witnessGenerator(m.plan, { backend, threads, profile });
  const reps = 5;
  try {
    await g.witness(m.input);
    profile.clear();
    for (let i = 0; i < reps; i++) await g.witness(m.input);
  } finally {
    await g.close();
  }
  const total = [...profile.values()].reduce((a, e) => a + e.ms, 0);
  return [...profile.entries()]
    .map(([name, e]) => ({ name, calls: e.calls / reps, ms: e.ms / reps, share: e.ms / total }))
    .sort((a, b) => b.ms - a.ms);
}

/** The kernels alone on one core: a 256³ int16 matmul and the field encoder over 1 M values. */
async function kernelsAlone(): Promise<{ gemmGmacs: number; encodeMwires: number; bitsMwires: number }> {
  const memory = new WebAssembly.Memory({ initial: 1024, maximum: 65536 });
  const k = await instantiateKernels(await packageKernels(false), memory);
  const base = Math.ceil(k.heap_base() / 16) * 16;
  const n = 256,
    x = base,
    w = x + n * n * 2,
    out = w + n * n * 2;
  const i16 = new Int16Array(memory.buffer, x, 2 * n * n);
  for (let i = 0; i < i16.length; i++) i16[i] = ((i * 7919) % 255) - 127;
  const best = (f: () => void, reps: number) => {
    let b = Infinity;
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      f();
      b = Math.min(b, (performance.now() - t) / 1000);
    }
    return b;
  };
  // int8-range operands: a block of 2^31 / (2·127²) dot steps fits an i32 lane
  const gemm = best(() => k.gemm_i16(x, w, 0, out, n / 8, n, n, 1, 66_000, 0, n), 20);
  const m = 1 << 20,
    src = base,
    dst = src + 8 * m;
  const vals = new BigInt64Array(memory.buffer, src, m);
  for (let i = 0; i < m; i++) vals[i] = BigInt(((i * 2654435761) % 2000001) - 1000000);
  if (memory.buffer.byteLength < dst + 32 * m * 8)
    memory.grow(Math.ceil((dst + 32 * m * 8 - memory.buffer.byteLength) / 65536));
  const enc = best(() => k.encode(src, dst, 0, m), 10);
  const bits = best(() => k.bits(src, 1000000n, 8, dst, 0, m), 10);
  return { gemmGmacs: (n * n * n) / gemm / 1e9, encodeMwires: m / enc / 1e6, bitsMwires: (8 * m) / bits / 1e6 };
}

const fmtT = (s: number) => (s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms` : `${s.toFixed(2)} s`);
const fmtRate = (r: number, unit: string) =>
  r >= 1e9 ? `${(r / 1e9).toFixed(2)} G${unit}` : `${(r / 1e6).toFixed(1)} M${unit}`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
  return [fmt(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(fmt)].join("\n");
}

// the webgpu rows, on whatever adapter Dawn finds (a real GPU, else the software one)
const { nodeGpu } = await import("../src/witness/backends/webgpu/node-gpu.js");
const found = await nodeGpu();
const gpu = found.adapters[0] ?? null;
if (!gpu) process.stderr.write(`no webgpu rows: ${found.problem}\n`);
const results: Record<string, unknown>[] = [];
const rows: string[][] = [];
const profiles: Record<string, Awaited<ReturnType<typeof profileOf>>> = {};
const profiles2: Record<string, Awaited<ReturnType<typeof profileOf>>> = {};
const profilesGpu: Record<string, Awaited<ReturnType<typeof profileOf>>> = {};
for (const m of benchModels(root, only)) {
  const js = await timeWitness(m, "js", 1, null, minSeconds);
  const timings = [js.t];
  for (const threads of [1, 2]) timings.push((await timeWitness(m, "wasm", threads, js.wtns, minSeconds)).t);
  if (gpu) timings.push((await timeWitness(m, "webgpu", 1, js.wtns, minSeconds)).t);
  const wasm1 = timings[1]!.seconds;
  for (const t of timings) {
    const ratio = js.t.seconds / t.seconds;
    rows.push([
      m.name,
      t.backend,
      String(t.threads),
      fmtT(t.seconds),
      fmtRate(m.plan.nWires / t.seconds, "wires/s"),
      fmtRate(m.macs / t.seconds, "MAC/s"),
      t.backend === "js" ? "1×" : `${ratio.toFixed(1)}×`,
      (t.backend === "wasm" && t.threads > 1) || t.backend === "webgpu" ? `${(wasm1 / t.seconds).toFixed(2)}×` : "",
      fmtT(t.openSeconds),
    ]);
    results.push({
      model: m.name,
      wires: m.plan.nWires,
      macs: m.macs,
      ...t,
      wiresPerSecond: m.plan.nWires / t.seconds,
      macsPerSecond: m.macs / t.seconds,
      vsJs: ratio,
    });
  }
  profiles[m.name] = await profileOf(m);
  profiles2[m.name] = await profileOf(m, 2);
  if (gpu) profilesGpu[m.name] = await profileOf(m, 1, "webgpu");
  process.stderr.write(`${m.name}: ${m.plan.nWires} wires, ${m.macs} MACs, wtns identical across backends\n`);
}
console.log(
  table(["model", "backend", "threads", "witness", "wires/s", "tensor MAC/s", "vs js", "vs wasm × 1", "open"], rows),
);
if (gpu) console.log(`webgpu: ${adapterName(gpu)}`);

for (const [name, prof] of Object.entries(profiles)) {
  const macs = results.find((r) => r.model === name)!.macs as number;
  const gemmMs = prof.filter((p) => p.name.startsWith("gemm_")).reduce((a, p) => a + p.ms, 0);
  const two = new Map(profiles2[name]!.map((p) => [p.name, p.ms]));
  console.log(
    `\nwhere the wasm witness spends its time: ${name}` +
      (gemmMs > 0 ? ` — matmul kernels ${fmtRate(macs / (gemmMs / 1000), "MAC/s")} on 1 thread` : ""),
  );
  console.log(
    table(
      ["kernel", "calls", "ms, 1 thread", "share", "ms, 2 threads", "speed-up"],
      prof
        .filter((p) => p.share >= 0.005)
        .map((p) => {
          const t2 = two.get(p.name);
          return [
            p.name,
            String(p.calls),
            p.ms.toFixed(2),
            `${(p.share * 100).toFixed(1)}%`,
            t2 === undefined ? "" : t2.toFixed(2),
            t2 ? `${(p.ms / t2).toFixed(2)}×` : "",
          ];
        }),
    ),
  );
}

for (const [name, prof] of Object.entries(profilesGpu)) {
  console.log(`\nwhere the webgpu witness spends its time: ${name} (each dispatch timed on its own)`);
  console.log(
    table(
      ["kernel", "dispatches", "ms", "share"],
      prof
        .filter((p) => p.share >= 0.005)
        .map((p) => [p.name, String(p.calls), p.ms.toFixed(2), `${(p.share * 100).toFixed(1)}%`]),
    ),
  );
}

const alone = await kernelsAlone();
console.log(
  `\nkernels alone, one core: int16 matmul 256³ ${alone.gemmGmacs.toFixed(2)} GMAC/s; field encoding ${alone.encodeMwires.toFixed(0)} M wires/s (values), ${alone.bitsMwires.toFixed(0)} M wires/s (bits)`,
);
const probes = { memory: await twoThreadProbe("bits"), compute: await twoThreadProbe("gemm") };
for (const [what, p] of Object.entries(probes)) {
  console.log(
    `machine probe, ${what} (${what === "memory" ? "bits kernel, 128 MB of wires" : "int16 matmul 256³"}): ${p.one.toFixed(1)} ${p.unit} on one thread, ${p.two.toFixed(1)} ${p.unit} on two at once: ${p.ratio.toFixed(2)}× of a possible 2×`,
  );
}
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  node: process.version,
  gpu: gpu ? adapterName(gpu) : null,
};
console.log(`${machine.cpus} × ${machine.cpu}, Node ${machine.node}`);

const dir = path.join(root, "bench", "results");
mkdirSync(dir, { recursive: true });
const report =
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      results,
      profiles,
      profiles2Threads: profiles2,
      profilesWebgpu: profilesGpu,
      kernels: alone,
      twoThreadProbes: probes,
    },
    null,
    2,
  ) + "\n";
writeFileSync(path.join(dir, "witness-latest.json"), report);
