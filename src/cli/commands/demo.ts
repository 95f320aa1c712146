import * as path from "node:path";
import * as os from "node:os";
import { promises as fs } from "node:fs";
import { DEFAULT_COMPILE } from "../../circuit/options.js";
import { ZkError } from "../../errors.js";
import { argmax } from "../../util/argmax.js";
import { fixtureDir } from "../../util/paths.js";
import { readJsonFile, writeJsonAtomic } from "../../util/fsx.js";
import { ttyProgress, silentProgress } from "../../util/progress.js";
import { parse, str, int, type Options } from "../args.js";
import type { Command } from "../command.js";
import { fmtSeconds, fmtVector } from "../output.js";

const options: Options = { out: { type: "string", short: "o" }, sample: { type: "string" } };

interface Samples {
  inputs: number[][];
  outputs: number[][];
  labels: number[];
}

export const demo: Command = {
  name: "demo",
  summary: "compile, set up, prove and verify the bundled digits_mlp model, timing each step",
  usage: `zkinfer demo [-o DIR] [--sample N]

  --out, -o DIR   keep the artifacts in DIR (default: a temporary directory, removed after)
  --sample N      which of the 20 bundled test digits to prove (default 0)
  --json          print the steps and results as JSON`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "demo");
    const fixture = fixtureDir("digits_mlp");
    const keep = str(p, "out");
    const dir = keep ?? (await fs.mkdtemp(path.join(os.tmpdir(), "zkinfer-demo-")));
    const progress = out.json ? silentProgress : ttyProgress();
    const steps: { step: string; seconds: number }[] = [];
    const timed = async <T>(step: string, f: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await f();
      steps.push({ step, seconds: (performance.now() - t0) / 1000 });
      return r;
    };
    const [{ compileToDir }, { setupDir }, { proveDir }, { verifyDir }] = await Promise.all([
      import("../../artifacts.js"),
      import("../../prove/setup.js"),
      import("../../prove/prove.js"),
      import("../../verify/verify.js"),
    ]);
    try {
      const samples = (await readJsonFile(path.join(fixture, "samples.json"), "bundled samples")) as Samples;
      // by default the first digit the float model gets right: a newcomer's first proof should show a correct prediction
      const right = samples.inputs.findIndex((_, i) => argmax(samples.outputs[i]!) === samples.labels[i]);
      const k = int(p, "sample", Math.max(right, 0));
      if (!(Number.isInteger(k) && k >= 0 && k < samples.inputs.length)) {
        throw new ZkError("BAD_OPTION", `demo: --sample must be 0..${samples.inputs.length - 1}, got ${k}`);
      }
      const inputFile = path.join(dir, "input.json");
      await writeJsonAtomic(inputFile, { input: samples.inputs[k] });

      out.line(
        `zkinfer demo: the digits_mlp model (64 → 32 → 16 → 10, trained on 8×8 digits), test digit #${k} (label ${samples.labels[k]})`,
      );
      const c = await timed("compile", () =>
        compileToDir(path.join(fixture, "model.onnx"), path.join(fixture, "calibration.json"), dir, DEFAULT_COMPILE),
      );
      out.line(
        `1. compile  ${fmtSeconds(steps.at(-1)!.seconds).padStart(8)}  ${c.meta.circuit.constraints} constraints, ${c.meta.circuit.wires} wires, ptau power ${c.meta.circuit.ptauPower}`,
      );
      const s = await timed("setup", () => setupDir(dir, { progress }));
      for (const w of s.warnings) out.warn(w);
      out.line(
        `2. setup    ${fmtSeconds(steps.at(-1)!.seconds).padStart(8)}  Groth16 keys${s.skipped ? " (reused)" : s.info.ptau.check?.method === "direct" ? " (development keys, written directly: no ptau file)" : ""}`,
      );
      const pr = await timed("prove", () => proveDir(dir, inputFile, { progress }));
      out.line(
        `3. prove    ${fmtSeconds(steps.at(-1)!.seconds).padStart(8)}  witness ${fmtSeconds(pr.seconds.witness)}, Groth16 ${fmtSeconds(pr.seconds.prove)}`,
      );
      const v = await timed("verify", () => verifyDir(dir));
      out.line(
        `4. verify   ${fmtSeconds(steps.at(-1)!.seconds).padStart(8)}  ${v.valid ? "VALID" : `INVALID: ${v.reason}`}`,
      );
      const predicted = argmax(v.output);
      out.line(`\nproven output ${fmtVector(v.output, 2)}`);
      out.line(`float model   ${fmtVector(samples.outputs[k]!, 2)}`);
      out.line(
        `predicted digit ${predicted} (float model: ${argmax(samples.outputs[k]!)}, label ${samples.labels[k]}); the proof ${v.valid ? "verifies" : "does NOT verify"}`,
      );
      if (argmax(samples.outputs[k]!) !== samples.labels[k]) {
        out.line(`(the model itself is wrong on this digit: the proof shows what it computed, not that it is right)`);
      }
      if (keep) out.line(`artifacts kept in ${dir}`);
      out.warn("the demo uses a development-only setup (keys made from secrets drawn on this machine)");
      out.result({
        valid: v.valid,
        output: v.output,
        predicted,
        label: samples.labels[k],
        constraints: c.meta.circuit.constraints,
        steps,
        dir: keep ?? null,
      });
      return v.valid ? 0 : 1;
    } finally {
      if (!keep) await fs.rm(dir, { recursive: true, force: true });
    }
  },
};
