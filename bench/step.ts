/**
 * One measured pipeline step in its own process, so its peak RSS is its own. Prints one JSON
 * line: the step's result fields, wall seconds and peak RSS in bytes.
 */
import { DEFAULT_COMPILE } from "../src/circuit/compile-model.js";
import { readFileSync } from "node:fs";
import { compileToDir } from "../src/artifacts.js";
import { parseSettings } from "../src/quantize/settings.js";
import { setupDir } from "../src/prove/setup.js";
import { proveDir } from "../src/prove/prove.js";
import { verifyDir } from "../src/verify/verify.js";
import { readModelMeta, readPlan } from "../src/artifacts.js";
import { loadInput } from "../src/prove/prove.js";
import { parseBackend, witnessGenerator } from "../src/witness/witness.js";
import { ensureDevPtau } from "../src/prove/ptau.js";
import { getCurve, releaseCurve } from "../src/prove/curve.js";

async function step(name: string, args: string[]): Promise<Record<string, unknown>> {
  switch (name) {
    case "compile": {
      // args: model.onnx calibration.json outDir [settings.json]
      const settings = args[3] ? parseSettings(JSON.parse(readFileSync(args[3], "utf8")), args[3]) : null;
      const opts = settings ? { ...DEFAULT_COMPILE, ...settings.options, layers: settings.layers } : DEFAULT_COMPILE;
      const c = await compileToDir(args[0]!, args[1]!, args[2]!, opts);
      return {
        constraints: c.meta.circuit.constraints,
        wires: c.meta.circuit.wires,
        terms: c.meta.circuit.terms,
        ptauPower: c.meta.circuit.ptauPower,
        costs: c.meta.costs,
      };
    }
    case "ptau": {
      const r = await ensureDevPtau(Number(args[0]));
      return { generated: r.generated };
    }
    case "setup":
      return { skipped: (await setupDir(args[0]!, { force: true })).skipped };
    case "witness": {
      // average several runs of the witness alone (input already parsed)
      const meta = await readModelMeta(args[0]!);
      const plan = await readPlan(args[0]!);
      const input = await loadInput(meta, args[1]!, false);
      const g = await witnessGenerator(plan, { backend: parseBackend(args[2]), threads: Number(args[4] ?? 1) });
      const reps = Number(args[3] ?? 20);
      await g.witness(input.tensor);
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) await g.witness(input.tensor);
      const perRun = (performance.now() - t0) / 1000 / reps;
      await g.close();
      return { perRun, reps };
    }
    case "prove": {
      const p = await proveDir(args[0]!, args[1]!, {});
      return { witness: p.seconds.witness, groth16: p.seconds.prove };
    }
    case "verify":
      return { valid: (await verifyDir(args[0]!)).valid };
    default:
      throw new Error(`unknown step ${name}`);
  }
}

const [name, ...args] = process.argv.slice(2);
// building the wasm curve and its worker threads (~0.2 s) is process start-up, not the step;
// prove does not use them (src/prove/groth16.ts has threads of its own), so they would only idle beside it
if (["setup", "verify"].includes(name!)) await getCurve();
const t0 = performance.now();
const result = await step(name!, args);
const seconds = (performance.now() - t0) / 1000;
await releaseCurve();
process.stdout.write(JSON.stringify({ ...result, seconds, peakRss: process.resourceUsage().maxRSS * 1024 }) + "\n");
