import { argmax } from "../../util/argmax.js";
import { flag, parse, positional, requireStr, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import { fmtVector } from "../output.js";
import { readFileOrFail } from "../../util/fsx.js";
import { ZkError } from "../../errors.js";
import type { Out } from "../output.js";
import type { ModelMeta } from "../../meta/model.js";
import type { PlanValue } from "../../quantize/qgraph.js";

const options: Options = {
  input: { type: "string", short: "i" },
  strict: { type: "boolean" },
  backend: { type: "string" },
  threads: { type: "string" },
  params: { type: "string" },
};

export const run: Command = {
  name: "run",
  summary: "run the quantized model on an input (no proof)",
  usage: `zkinfer run DIR --input INPUT.json [--strict] [--backend auto|wasm|webgpu|js] [--threads N] [--params M.onnx]

  Prints the quantized model's output, exactly what a proof would publish (a split model runs
  its segments in chain order).
  --backend NAME   auto (default: webgpu on a real GPU for a large plan, else wasm), wasm,
                   webgpu or js (the reference); see prove --help
  --threads N      threads for the wasm backend (default: available cores)
  --params M.onnx  run with this model's weights (circuits with private or hashed params; see prove)
  --json   print {"output": [...], "outputs": [...], "argmax": n}`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "run");
    const dir = positional(p, 0, "the circuit directory", "run");
    const [
      { readModelMeta, readPlan },
      { loadInput },
      { parseBackend, parseThreads, runPlan, usefulThreads },
      { dequantize },
      { withParams },
    ] = await Promise.all([
      import("../../artifacts.js"),
      import("../../prove/prove.js"),
      import("../../witness/witness.js"),
      import("../../quantize/input.js"),
      import("../../prove/params.js"),
    ]);
    const paramsFile = str(p, "params");
    const { isSplitDir } = await import("../../artifacts.js");
    if (await isSplitDir(dir)) {
      if (paramsFile)
        throw new ZkError("BAD_OPTION", "run --params: a split model's weights are fixed in its segments");
      const { runSplit } = await import("../../prove/chain.js");
      const t0 = performance.now();
      const r = await runSplit(dir, requireStr(p, "input", "run"), {
        strict: flag(p, "strict"),
        backend: parseBackend(str(p, "backend")),
        threads: parseThreads(str(p, "threads")),
      });
      for (const w of r.warnings) out.warn(w);
      return report(out, r.meta, r.outputs, r.warnings, (performance.now() - t0) / 1000, dequantize);
    }
    const meta = await readModelMeta(dir);
    const compiled = await readPlan(dir, meta);
    const plan = paramsFile
      ? withParams(compiled, meta, await readFileOrFail(paramsFile, "model"), paramsFile)
      : compiled;
    const qin = await loadInput(meta, requireStr(p, "input", "run"), flag(p, "strict"));
    for (const w of qin.warnings) out.warn(w);
    const t0 = performance.now();
    const tensors = await runPlan(plan, qin.tensor, {
      backend: parseBackend(str(p, "backend")),
      threads: usefulThreads(plan, parseThreads(str(p, "threads"))),
    });
    return report(out, meta, tensors, qin.warnings, (performance.now() - t0) / 1000, dequantize);
  },
};

function report(
  out: Out,
  meta: Pick<ModelMeta, "outputs">,
  tensors: readonly PlanValue[],
  warnings: readonly string[],
  seconds: number,
  dequantize: (t: PlanValue, scale: number) => number[],
): number {
  const outputs = tensors.map((t, i) => ({
    name: meta.outputs[i]!.name,
    shape: meta.outputs[i]!.shape,
    values: dequantize(t, meta.outputs[i]!.scale),
  }));
  out.result({ output: outputs[0]!.values, outputs, argmax: argmax(outputs[0]!.values), warnings, seconds });
  for (const o of outputs)
    out.line(`${o.name} ${fmtVector(o.values)}${o.values.length > 1 ? `  argmax ${argmax(o.values)}` : ""}`);
  return 0;
}
