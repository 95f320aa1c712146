import { int, num, parse, positional, requireStr, str, type Options } from "../args.js";
import { COMPILE_FLAGS, COMPILE_FLAGS_USAGE, compileOptions } from "../compile-options.js";
import type { Command } from "../command.js";
import { fmtSeconds } from "../output.js";
import { ZkError } from "../../errors.js";

const options: Options = {
  calibration: { type: "string", short: "c" },
  out: { type: "string", short: "o" },
  "target-agreement": { type: "string" },
  "max-error": { type: "string" },
  "min-bits": { type: "string" },
  "max-evaluations": { type: "string" },
  ...COMPILE_FLAGS,
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const calibrateCommand: Command = {
  name: "calibrate",
  summary: "search per-layer bits for the fewest constraints that keep the float model's decisions",
  usage: `zkinfer calibrate MODEL.onnx --calibration CAL.json [-o settings.json] [options]

  Quantizes the model at many settings and keeps the one with the fewest constraints whose
  decisions (argmax, or p ≥ 0.5 for one output) agree with the float model on at least the
  target fraction of the calibration samples and whose worst output error stays within
  --max-error of the output's scale. Prints the trade-off table it explored; writes the
  settings for \`zkinfer compile --settings\`.

  --calibration, -c FILE     calibration inputs (also the samples agreement is measured on)
  --out, -o FILE             the settings file to write (default: print only)
  --target-agreement F       fraction of samples whose decision must agree (default 0.99)
  --max-error F              worst |error| of any output relative to its scale (default 0.05)
  --min-bits N               no layer below N bits (default 3)
  --max-evaluations N        stop after N settings tried (default 400)
  The starting point and the visibility the cost is measured at (as compile):
${COMPILE_FLAGS_USAGE}
  --json                     print the result as JSON`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "calibrate");
    const model = positional(p, 0, "the ONNX model file", "calibrate");
    const calibration = requireStr(p, "calibration", "calibrate");
    const targetAgreement = num(p, "target-agreement", 0.99);
    const maxError = num(p, "max-error", 0.05);
    if (!(targetAgreement >= 0 && targetAgreement <= 1))
      throw new ZkError("BAD_OPTION", `--target-agreement must be in 0..1, got ${targetAgreement}`);
    if (!(maxError > 0)) throw new ZkError("BAD_OPTION", `--max-error must be > 0, got ${maxError}`);
    const minBits = int(p, "min-bits", 3);
    const maxEvaluations = int(p, "max-evaluations", 400);
    if (minBits < 2 || maxEvaluations < 1)
      throw new ZkError("BAD_OPTION", "--min-bits must be ≥ 2 and --max-evaluations ≥ 1");
    const t0 = performance.now();
    const { readFileOrFail, readJsonFile, writeJsonAtomic } = await import("../../util/fsx.js");
    const { calibrateModel } = await import("../../circuit/calibrate-model.js");
    const { settingsJson } = await import("../../quantize/settings.js");
    const onnx = await readFileOrFail(model, "model");
    const cal = await readJsonFile(calibration, "calibration file");
    const r = calibrateModel(
      onnx,
      cal,
      {
        compile: compileOptions(p),
        targetAgreement,
        maxError,
        minBits,
        maxEvaluations,
      },
      { model, calibration },
    );
    const seconds = (performance.now() - t0) / 1000;
    const s = r.search;
    const row = (c: (typeof s.explored)[number]) => ({
      step: c.label,
      constraints: c.constraints,
      agreement: c.agreement,
      maxError: c.maxError,
      feasible: c.feasible,
      taken: c.taken,
      ...(c.error ? { error: c.error } : {}),
    });
    const report = {
      target: { agreement: targetAgreement, maxError },
      result: {
        constraints: r.constraints,
        agreement: s.best.agreement,
        maxError: s.best.maxError,
        samples: r.samples,
        feasible: s.best.feasible,
      },
      start: { constraints: s.start.constraints, agreement: s.start.agreement, maxError: s.start.maxError },
      explored: s.explored.map(row),
      truncated: s.truncated,
    };
    const file = str(p, "out");
    if (file) await writeJsonAtomic(file, settingsJson(r.settings, report));
    out.result({ settings: settingsJson(r.settings), ...report, seconds, file: file ?? null });

    out.line(
      `calibrated ${model} on ${r.samples} samples in ${fmtSeconds(seconds)}: ${s.explored.length} settings tried`,
    );
    out.line(`  step                                               constraints  agreement  max error`);
    for (const c of s.explored) {
      const mark = c.taken ? "*" : c.feasible ? " " : "x";
      const cost = c.constraints === null ? "—" : String(c.constraints);
      out.line(
        `${mark} ${c.label.slice(0, 50).padEnd(50)} ${cost.padStart(11)}  ${pct(c.agreement).padStart(9)}  ${c.maxError.toExponential(2).padStart(9)}${c.error ? `  (${c.error.slice(0, 80)})` : ""}`,
      );
    }
    out.line(`  (* taken, x misses the target or does not compile)`);
    if (!s.best.feasible) {
      out.warn(
        `no setting reached ${pct(targetAgreement)} agreement within ${maxError} error (best: ${pct(s.best.agreement)}, ${s.best.maxError.toExponential(2)}); the settings written are the start's`,
      );
    }
    const from = s.start.constraints ?? NaN;
    out.line(
      `result: ${r.constraints} constraints (start ${from}, ${((1 - r.constraints / from) * 100).toFixed(1)}% fewer), ` +
        `agreement ${pct(s.best.agreement)}, max error ${(s.best.maxError * 100).toFixed(2)}% of the output scale` +
        (s.truncated ? "; stopped at --max-evaluations" : ""),
    );
    const layers = Object.entries(r.settings.layers);
    out.line(
      `  global: activation ${r.settings.options.activationBits}, weight ${r.settings.options.weightBits}, input ${r.settings.options.inputBits} bits` +
        (layers.length
          ? `; per layer: ${layers.map(([k, v]) => `${k} ${v.activationBits ?? "·"}/${v.weightBits ?? "·"}`).join(", ")}`
          : ""),
    );
    if (file) out.line(`  settings → ${file} (zkinfer compile ${model} -c ${calibration} --settings ${file} -o DIR)`);
    return 0;
  },
};
