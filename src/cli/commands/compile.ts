import { ZkError } from "../../errors.js";
import { int, parse, positional, requireStr, str, type Options, type Parsed } from "../args.js";
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
  "max-constraints": { type: "string" },
  segments: { type: "string" },
  ...COMPILE_FLAGS,
};

/** --max-constraints N / --segments K: whole numbers, not both. */
function splitRequest(p: Parsed): { maxConstraints?: number; segments?: number } | null {
  const max = str(p, "max-constraints") === undefined ? undefined : int(p, "max-constraints", 0);
  const k = str(p, "segments") === undefined ? undefined : int(p, "segments", 0);
  if (max !== undefined && k !== undefined)
    throw new ZkError("BAD_OPTION", "compile: give --max-constraints or --segments, not both");
  if (max !== undefined && max < 1)
    throw new ZkError("BAD_OPTION", `--max-constraints must be a positive whole number, got ${max}`);
  if (k !== undefined && (k < 1 || k > 1024))
    throw new ZkError("BAD_OPTION", `--segments must be a whole number 1..1024, got ${k}`);
  if (max === undefined && k === undefined) return null;
  return { ...(max === undefined ? {} : { maxConstraints: max }), ...(k === undefined ? {} : { segments: k }) };
}

export const compile: Command = {
  name: "compile",
  summary: "ONNX model + calibration data → circuit directory (R1CS, witness plan, model.json)",
  usage: `zkinfer compile MODEL.onnx --calibration CAL.json -o DIR [options]

  --calibration, -c FILE     calibration inputs: {"inputs": [[...], ...]} (or EZKL's {"input_data": [[...]]})
  --out, -o DIR              output directory (created; files in it are replaced)
  --settings FILE            per-layer bits and options from \`zkinfer calibrate\` (flags given here win)
  --max-constraints N        split the model into segments of at most N constraints each (one
                             circuit directory per segment, chained by salted commitments, and
                             manifest.json); a model under N stays one circuit, as without it
  --segments K               split into K segments of balanced size instead
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
    const req = splitRequest(p);
    const calibration = requireStr(p, "calibration", "compile");
    const outDir = requireStr(p, "out", "compile");
    const args = [model, calibration, outDir, compileOptions(p, settings)] as const;
    let c;
    if (req) {
      const { compileSplitToDir } = await import("../../artifacts.js");
      const r = await compileSplitToDir(...args, req);
      if (r.kind === "split") {
        const m = r.manifest;
        const total = m.segments.reduce((a, x) => a + x.constraints, 0);
        const seconds = (performance.now() - t0) / 1000;
        out.result({
          outDir,
          segments: m.segments.length,
          constraints: total,
          unsplitConstraints: m.unsplitConstraints,
          splitId: m.splitId,
          cuts: m.cuts,
          circuits: m.segments.map((x) => ({
            dir: x.dir,
            constraints: x.constraints,
            wires: x.wires,
            ptauPower: x.ptauPower,
          })),
          accuracy: m.accuracy,
          seconds,
          warnings: r.split.warnings,
        });
        for (const w of r.split.warnings) out.warn(w);
        out.line(`compiled ${model} in ${fmtSeconds(seconds)} → ${outDir}: ${m.segments.length} segments`);
        for (const [i, x] of m.segments.entries())
          out.line(
            `  segment ${i}: ${x.constraints} constraints, ptau power ${x.ptauPower}${i < m.cuts.length ? `; then ${m.cuts[i]!.name} [${m.cuts[i]!.shape.join("×")}]` : ""}`,
          );
        out.line(
          `  ${total} constraints in all, ${m.unsplitConstraints} unsplit (+${(((total - m.unsplitConstraints) / m.unsplitConstraints) * 100).toFixed(1)}% for the chain)`,
        );
        return 0;
      }
      c = r.compiled;
    } else {
      c = await compileToDir(...args);
    }
    const seconds = (performance.now() - t0) / 1000;
    const m = c.meta;
    out.result({
      outDir,
      ...(req ? { segments: 1 } : {}),
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
    out.line(`compiled ${model} in ${fmtSeconds(seconds)} → ${outDir}`);
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
