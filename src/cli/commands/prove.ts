import { proveDir } from "../../prove/prove.js";
import { parseBackend, parseThreads } from "../../witness/witness.js";
import { ttyProgress, silentProgress } from "../../util/progress.js";
import { flag, parse, positional, requireStr, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import { fmtSeconds, fmtVector } from "../output.js";
import { argmax } from "../../quantize/accuracy.js";

const options: Options = {
  input: { type: "string", short: "i" },
  out: { type: "string", short: "o" },
  check: { type: "boolean" },
  strict: { type: "boolean" },
  backend: { type: "string" },
  threads: { type: "string" },
};

export const prove: Command = {
  name: "prove",
  summary: "prove one inference: writes proof.json, public.json and witness.wtns",
  usage: `zkinfer prove DIR --input INPUT.json [-o OUTDIR] [--check] [--strict]

  --input, -i FILE   {"input": [...]} (flat or nested) or EZKL's {"input_data": [[...]]}
  --out, -o DIR      where to write proof.json, public.json, witness.wtns (default: DIR)
  --check            check the witness against the R1CS before proving
  --strict           refuse inputs outside the calibrated range instead of clamping them
  --backend NAME     witness backend: wasm (default: WebAssembly kernels) or js (the reference)
  --threads N        threads for the wasm backend (default: available cores)
  --json             print the result as JSON`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "prove");
    const dir = positional(p, 0, "the circuit directory", "prove");
    const r = await proveDir(dir, requireStr(p, "input", "prove"), {
      outDir: str(p, "out"), check: flag(p, "check"), strict: flag(p, "strict"), backend: parseBackend(str(p, "backend")), threads: parseThreads(str(p, "threads")),
      progress: out.json ? silentProgress : ttyProgress(),
    });
    for (const w of r.warnings) out.warn(w);
    out.result({ proof: r.proofFile, public: r.publicFile, witness: r.witnessFile, outputs: r.outputs, output: r.values[0], development: r.development, warnings: r.warnings, seconds: r.seconds });
    out.line(`proof written to ${r.proofFile} (witness ${fmtSeconds(r.seconds.witness)}, prove ${fmtSeconds(r.seconds.prove)})`);
    out.line(`  output ${fmtVector(r.values[0]!)}${r.values[0]!.length > 1 ? `  argmax ${argmax(r.values[0]!)}` : ""}`);
    for (const h of r.outputs.filter((x) => x.hash)) out.line(`  ${h.role} ${h.hash}`);
    if (r.development) out.warn("development-only setup: this proof is for testing (see setup.json)");
    return 0;
  },
};
