import { parse, positional, requireStr, str, type Options } from "../args.js";
import { COMPILE_FLAGS, COMPILE_FLAGS_USAGE, compileOptions } from "../compile-options.js";
import type { Settings } from "../../quantize/settings.js";
import { readFileOrFail, readJsonFile } from "../../util/fsx.js";
import { sha256Hex } from "../../util/hash.js";
import type { Command } from "../command.js";
import { fmtSeconds } from "../output.js";

const options: Options = {
  calibration: { type: "string", short: "c" },
  out: { type: "string", short: "o" },
  settings: { type: "string" },
  ...COMPILE_FLAGS,
};

export const compile: Command = {
  name: "compile",
  summary: "ONNX model + calibration data → circuit directory (R1CS, witness plan, model.json)",
  usage: `zkinfer compile MODEL.onnx --calibration CAL.json -o DIR [options]

  --calibration, -c FILE     calibration inputs: {"inputs": [[...], ...]} (or EZKL's {"input_data": [[...]]})
  --out, -o DIR              output directory (created; files in it are replaced)
  --settings FILE            per-layer bits and options from \`zkinfer calibrate\` (flags given here win)
${COMPILE_FLAGS_USAGE}
  --json                     print the result as JSON`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "compile");
    const model = positional(p, 0, "the ONNX model file", "compile");
    const t0 = performance.now();
    const { compileToDir } = await import("../../artifacts.js");
    const settingsFile = str(p, "settings");
    let settings: Settings | undefined;
    if (settingsFile) {
      const { parseSettings } = await import("../../quantize/settings.js");
      settings = parseSettings(await readJsonFile(settingsFile, "settings file"), settingsFile);
      const sha = sha256Hex(await readFileOrFail(model, "model"));
      if (settings.model && settings.model.sha256 !== sha)
        out.warn(
          `${settingsFile} was searched for ${settings.model.file} (sha256 ${settings.model.sha256.slice(0, 12)}…), not this model file`,
        );
    }
    const c = await compileToDir(
      model,
      requireStr(p, "calibration", "compile"),
      requireStr(p, "out", "compile"),
      compileOptions(p, settings),
    );
    const seconds = (performance.now() - t0) / 1000;
    const m = c.meta;
    out.result({
      outDir: requireStr(p, "out", "compile"),
      constraints: m.circuit.constraints,
      wires: m.circuit.wires,
      terms: m.circuit.terms,
      ptauPower: m.circuit.ptauPower,
      publicSignals: m.publicSignals.count,
      scales: { input: m.input.scale, outputs: m.outputs.map((o) => o.scale) },
      inputRange: m.input.floatRange,
      costs: m.costs,
      accuracy: m.accuracy,
      errorBounds: m.outputs.map((o) => o.errorBound),
      approximations: m.approximations,
      seconds,
      notes: m.notes,
    });
    for (const n of m.notes) out.warn(n);
    out.line(`compiled ${model} in ${fmtSeconds(seconds)} → ${requireStr(p, "out", "compile")}`);
    out.line(
      `  constraints ${m.circuit.constraints}, wires ${m.circuit.wires}, terms ${m.circuit.terms}, ptau power ${m.circuit.ptauPower}`,
    );
    out.line(
      `  input scale 2^${m.input.scale}, accepted input range [${m.input.floatRange.join(", ")}]; output scale${m.outputs.length > 1 ? "s" : ""} 2^${m.outputs.map((o) => o.scale).join(", 2^")}`,
    );
    for (const k of m.costs)
      out.line(
        `  ${k.kind.padEnd(14)} ${String(k.constraints).padStart(8)} constraints for ${k.elements} elements (${(k.constraints / Math.max(1, k.elements)).toFixed(1)} each)`,
      );
    for (const a of m.approximations) {
      out.line(
        `  ${a.fn} at "${a.node}": ${a.segments} segment${a.segments > 1 ? "s" : ""} of degree ${a.degree}, worst error ${a.maxError.toExponential(2)}`,
      );
    }
    if (m.accuracy) {
      const a = m.accuracy;
      out.line(
        `  accuracy on ${a.samples} calibration samples: max |error| ${a.maxAbsError.toExponential(2)}, mean ${a.meanAbsError.toExponential(2)}, ` +
          `decision agreement ${(a.argmaxAgreement * 100).toFixed(1)}% (argmax; a single output is thresholded at 0.5)`,
      );
    }
    const bounds = m.outputs.map((o) => (o.errorBound === null ? "exact" : o.errorBound.toExponential(2)));
    out.line(`  worst-case output error for any accepted input: ${bounds.join(", ")}`);
    return 0;
  },
};
