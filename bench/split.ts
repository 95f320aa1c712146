/**
 * `npm run bench -- --suite split [--model DIR] [--segments K | --max-constraints N] [--fresh-cache]`:
 * a model split into segments (default bench/models/lenet5_digits28 in 2) — constraints per
 * segment and the chain's overhead over the unsplit circuit (a dry count), compile, setup
 * (development keys, written directly from fresh secrets: no ptau file; --fresh-cache runs
 * with an empty cache, as on a fresh clone), witness and prove per segment, the parallel prove's CPU time
 * over wall time (how busy the cores were), verify of the chain, and peak memory per process
 * (the compile's is this process's). Printed as a table and written to
 * bench/results/split-latest.json. ResNet-8: `--model test/fixtures/real/resnet8
 * --max-constraints 1600000 --fresh-cache` (README, "Split models").
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compileSplitToDir } from "../src/artifacts.js";
import { DEFAULT_COMPILE } from "../src/circuit/compile-model.js";
import { proveSplit, setupSplit } from "../src/prove/chain.js";
import { verifySplitDir } from "../src/verify/verify.js";
import { releaseCurve } from "../src/prove/curve.js";

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, "..", "..");
const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const modelDir = path.resolve(opt("--model") ?? path.join(root, "bench", "models", "lenet5_digits28"));
const max = opt("--max-constraints");
const req = max ? { maxConstraints: Number(max) } : { segments: Number(opt("--segments") ?? 2) };

const onnx = path.join(modelDir, "model.onnx");
const cal = path.join(modelDir, "calibration.json");
const work = mkdtempSync(path.join(os.tmpdir(), "zkinfer-bench-split-"));
if (args.includes("--fresh-cache")) process.env.ZKINFER_CACHE = path.join(work, "cache");
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const sec = (s: number) => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
try {
  const dir = path.join(work, "split");
  let t = performance.now();
  const c = await compileSplitToDir(onnx, cal, dir, DEFAULT_COMPILE, req);
  const compileSeconds = (performance.now() - t) / 1000;
  const compilePeakRss = process.resourceUsage().maxRSS * 1024;
  if (c.kind !== "split") throw new Error(`${modelDir} stays one circuit under ${JSON.stringify(req)}`);
  const unsplit = c.manifest.unsplitConstraints;
  t = performance.now();
  const s = await setupSplit(dir);
  const setupSeconds = (performance.now() - t) / 1000;
  const samples = JSON.parse(readFileSync(path.join(modelDir, "samples.json"), "utf8")) as { inputs: unknown[] };
  const input = path.join(work, "input.json");
  writeFileSync(input, JSON.stringify({ input: samples.inputs[0] }));
  const p = await proveSplit(dir, input, { outDir: path.join(work, "proof") });
  t = performance.now();
  const v = await verifySplitDir(dir, { proof: p.proofFile, public: p.publicFile });
  const verifySeconds = (performance.now() - t) / 1000;
  if (!v.valid) throw new Error(`the chain does not verify: ${v.reason}`);
  const total = c.manifest.segments.reduce((a, x) => a + x.constraints, 0);
  const cpu = p.segments.reduce((a, x) => a + x.cpuSeconds, 0);
  const result = {
    model: path.basename(modelDir),
    request: req,
    unsplit,
    total,
    overhead: (total - unsplit) / unsplit,
    compileSeconds,
    compilePeakRss,
    setupSeconds,
    proveSeconds: p.provingSeconds,
    proveCpuOverWall: cpu / p.provingSeconds,
    verifySeconds,
    segments: c.manifest.segments.map((x, i) => ({
      constraints: x.constraints,
      ptauPower: x.ptauPower,
      setup: s.segments[i]!.seconds,
      setupPeakRss: s.segments[i]!.peakRss,
      witness: p.segments[i]!.witness,
      prove: p.segments[i]!.prove,
      provePeakRss: p.segments[i]!.peakRss,
    })),
  };
  const inAll = compileSeconds + setupSeconds + p.provingSeconds + verifySeconds;
  const lines = [
    `${result.model} in ${result.segments.length} segments: ${total} constraints, unsplit ${unsplit} (+${(result.overhead * 100).toFixed(1)}% for the chain)`,
    `| segment | constraints | power | setup | witness | prove | peak RSS (setup / prove) |`,
    `|---|---|---|---|---|---|---|`,
    ...result.segments.map(
      (x, i) =>
        `| ${i} | ${x.constraints} | ${x.ptauPower} | ${sec(x.setup)} | ${sec(x.witness)} | ${sec(x.prove)} | ${mb(x.setupPeakRss)} / ${mb(x.provePeakRss)} |`,
    ),
    `compile ${sec(compileSeconds)} (peak RSS ${mb(compilePeakRss)})`,
    `setup ${sec(setupSeconds)} (parallel), prove ${sec(p.provingSeconds)} (parallel; CPU/wall ${result.proveCpuOverWall.toFixed(2)}), verify the chain ${sec(verifySeconds)}`,
    `in all ${sec(inAll)}`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
  const out = path.join(root, "bench", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, "split-latest.json"),
    JSON.stringify({ ...result, inAllSeconds: inAll }, null, 2) + "\n",
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  await releaseCurve();
}
