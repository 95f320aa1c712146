import { DEFAULT_COMPILE } from "../../circuit/options.js";
import { flag, int, num, oneOf, parse, positional, requireStr, type Options } from "../args.js";
import type { Command } from "../command.js";
import { fmtSeconds } from "../output.js";

const options: Options = {
  calibration: { type: "string", short: "c" },
  out: { type: "string", short: "o" },
  "activation-bits": { type: "string" },
  "weight-bits": { type: "string" },
  "input-bits": { type: "string" },
  "input-margin": { type: "string" },
  "activation-margin": { type: "string" },
  "input-visibility": { type: "string" },
  "param-visibility": { type: "string" },
  "output-visibility": { type: "string" },
  "no-salt": { type: "boolean" },
};

export const compile: Command = {
  name: "compile",
  summary: "ONNX model + calibration data → circuit directory (R1CS, witness plan, model.json)",
  usage: `zkinfer compile MODEL.onnx --calibration CAL.json -o DIR [options]

  --calibration, -c FILE     calibration inputs: {"inputs": [[...], ...]} (or EZKL's {"input_data": [[...]]})
  --out, -o DIR              output directory (created; files in it are replaced)
  --activation-bits N        bits an activation's calibrated range spans (default ${DEFAULT_COMPILE.activationBits})
  --weight-bits N            bits of each weight tensor's largest weight (default ${DEFAULT_COMPILE.weightBits})
  --input-bits N             bits the calibrated input range spans (default ${DEFAULT_COMPILE.inputBits})
  --input-margin F           widen the calibrated input range by F × its span (default ${DEFAULT_COMPILE.inputMargin})
  --activation-margin F      hold each rescale's input to its calibrated range widened by F × its span
                             (default ${DEFAULT_COMPILE.activationMargin}; "Infinity": no windows): bounds stop compounding
                             layer to layer; an input driving an activation outside its window cannot be proven
  --input-visibility V       private (default), public, or hashed (a Poseidon commitment is public)
  --param-visibility V       fixed (default: weights are constants of the circuit), private (the
                             prover supplies them), or hashed (private, with a public commitment)
  --output-visibility V      public (default) or hashed
  --no-salt                  hashed inputs and outputs without a salt: deterministic commitments
                             anyone can recompute from the values (by default a random salt, which
                             prove writes beside the opening, hides low-entropy inputs and outputs)
  --json                     print the result as JSON`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "compile");
    const model = positional(p, 0, "the ONNX model file", "compile");
    const t0 = performance.now();
    const { compileToDir } = await import("../../artifacts.js");
    const c = await compileToDir(model, requireStr(p, "calibration", "compile"), requireStr(p, "out", "compile"), {
      activationBits: int(p, "activation-bits", DEFAULT_COMPILE.activationBits),
      weightBits: int(p, "weight-bits", DEFAULT_COMPILE.weightBits),
      inputBits: int(p, "input-bits", DEFAULT_COMPILE.inputBits),
      inputMargin: num(p, "input-margin", DEFAULT_COMPILE.inputMargin),
      activationMargin: num(p, "activation-margin", DEFAULT_COMPILE.activationMargin ?? 1),
      inputVisibility: oneOf(p, "input-visibility", ["private", "public", "hashed"], "private"),
      paramVisibility: oneOf(p, "param-visibility", ["fixed", "private", "hashed"], "fixed"),
      outputVisibility: oneOf(p, "output-visibility", ["public", "hashed"], "public"),
      salt: !flag(p, "no-salt"),
    });
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
