/**
 * One real-architecture model in its own process (so the peak RSS is its own): compile with
 * the default options, then `zkinfer run`'s path on every sample. Prints one JSON line; a
 * failure is reported in it (with the stage it happened in), not thrown.
 */
import { compileModel, DEFAULT_COMPILE } from "../src/circuit/compile-model.js";
import { agreement, loadRealModel, runCompiled, type StepResult } from "./harness/real-models.js";

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}

async function measure(name: string): Promise<Omit<StepResult, "peakRss">> {
  const m = loadRealModel(name);
  const t0 = performance.now();
  let c;
  try {
    c = compileModel(m.onnx, m.calibration, DEFAULT_COMPILE, { model: name, calibration: "calibration.json" });
  } catch (e) {
    return { model: name, stage: "compile", error: firstLine(e), compileSeconds: (performance.now() - t0) / 1000 };
  }
  const compileSeconds = (performance.now() - t0) / 1000;
  const circuit = {
    constraints: c.meta.circuit.constraints,
    wires: c.meta.circuit.wires,
    terms: c.meta.circuit.terms,
    errorBound: c.meta.outputs[0]!.errorBound,
    compileSeconds,
  };
  const t1 = performance.now();
  try {
    const got = await runCompiled(c, m.inputs, "wasm");
    const runSecondsPerSample = (performance.now() - t1) / 1000 / m.inputs.length;
    return { model: name, stage: "done", ...circuit, runSecondsPerSample, agreement: agreement(got, m.outputs) };
  } catch (e) {
    return { model: name, stage: "run", error: firstLine(e), ...circuit };
  }
}

const result = await measure(process.argv[2]!);
process.stdout.write(JSON.stringify({ ...result, peakRss: process.resourceUsage().maxRSS * 1024 }) + "\n");
