/**
 * The witness benchmark for a lent GPU machine (bench/gpu-device.sh runs it there; bench/
 * gpu-prepare.sh packs here what it needs, since that machine has no Node and no registry):
 * the adapters Dawn finds, then per bench model the js witness (the reference bytes), wasm on
 * one thread and on every core, and webgpu on the best adapter (the time to open the plan —
 * device buffers, pipeline compilation — and the median witness), each checked byte for byte
 * against js first. Prints a table and writes one JSON naming the device.
 *
 *   node gpu.mjs [--out FILE] [--min-seconds S] [--model NAME]
 */
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import { packageRoot } from "../src/util/paths.js";
import { nodeDevice, nodeGpu } from "../src/witness/backends/webgpu/node-gpu.js";
import { adapterName } from "../src/witness/backends/webgpu/adapters.js";
import { chooseBackend } from "../src/witness/auto.js";
import { benchModels, timeWitness, type Timing } from "./witness-models.js";

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const minSeconds = Number(arg("--min-seconds") ?? 1);
const cores = os.availableParallelism?.() ?? os.cpus().length;

const found = await nodeGpu();
for (const a of found.adapters) console.log(`adapter: ${adapterName(a)}`);
if (!found.adapters.length) console.log(`no adapter: ${found.problem}`);
const device = found.adapters.length ? await nodeDevice() : null;
const rows: (Timing & { model: string; wires: number; macs: number; auto: string })[] = [];
for (const m of benchModels(packageRoot(), arg("--model"))) {
  const js = await timeWitness(m, "js", 1, null, minSeconds);
  const runs = [js.t];
  for (const threads of [...new Set([1, cores])])
    runs.push((await timeWitness(m, "wasm", threads, js.wtns, minSeconds)).t);
  if (device) runs.push((await timeWitness(m, "webgpu", 1, js.wtns, minSeconds)).t);
  const auto = (await chooseBackend(m.plan)).backend;
  for (const t of runs) rows.push({ model: m.name, wires: m.plan.nWires, macs: m.macs, auto, ...t });
  const line = runs.map(
    (t) =>
      `${t.backend}×${t.threads} ${(t.seconds * 1000).toFixed(2)} ms (open ${(t.openSeconds * 1000).toFixed(0)} ms)`,
  );
  console.log(
    `${m.name}: ${m.plan.nWires} wires, ${m.macs} MACs, identical .wtns; ${line.join(", ")}; auto picks ${auto}`,
  );
}
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cores, cpu: os.cpus()[0]?.model, node: process.version },
  device: device ? adapterName(device.adapter) : null,
  adapters: found.adapters,
  rows,
};
const out = arg("--out");
if (out) writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
