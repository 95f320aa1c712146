import * as path from "node:path";
import { writeFilesAtomic } from "../../util/fsx.js";
import { parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";

const options: Options = { out: { type: "string", short: "o" }, input: { type: "string" } };

export const exportCircomCommand: Command = {
  name: "export-circom",
  summary:
    "write the compiled circuit as one circom file (weights as constants), for auditing and as a second implementation",
  usage: `zkinfer export-circom DIR [-o model.circom] [--input input.json]
zkinfer export-circom DIR --input input.json -o circom-input.json

  Reads DIR/model.json and DIR/plan.json and writes a circom 2 file: every gadget as a template
  of zkinfer's circuits/ (inlined), the weights as constants, circomlib's Poseidon for hashed
  tensors. Its public signals are the proof's public.json, in the same order. Compile it with
    circom model.circom --r1cs --wasm --O1 -l node_modules      (circomlib on the include path)
  --out, -o FILE   default DIR/model.circom
  --input FILE     also write FILE's quantized input (and fresh salts, when salted) as the input
                   of circom's witness calculator: <out>.input.json; with -o X.json, only that
                   input, to X.json (the circuit is not written)
  --json           print {"circom": file, "template", "inputs", "publicSignals", "input"?}`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "export-circom");
    const dir = positional(p, 0, "the circuit directory", "export-circom");
    // the stages load only when the command runs: `zkinfer --help` must not pay for snarkjs
    const [{ readModelMeta, readPlan }, { exportCircom, circomInput }] = await Promise.all([
      import("../../artifacts.js"),
      import("../../export/index.js"),
    ]);
    const meta = await readModelMeta(dir);
    const plan = await readPlan(dir, meta);
    const ex = exportCircom(meta, plan);
    const file = str(p, "out") ?? path.join(dir, "model.circom");
    const inputFile = str(p, "input");
    // -o X.json with --input: the witness calculator's input alone (as snarkjs names outputs by what they hold)
    const inputOnly = inputFile !== undefined && /\.json$/i.test(file);
    const files: [string, string][] = inputOnly ? [] : [[file, ex.source]];
    const inputJson = inputOnly ? file : inputFile ? file.replace(/\.circom$/, "") + ".input.json" : null;
    if (inputFile) {
      // the prove stage (and snarkjs with it) loads only when an input is to be converted
      const [{ loadInput }, { saltsFor }] = await Promise.all([
        import("../../prove/prove.js"),
        import("../../circuit/salts.js"),
      ]);
      const input = await loadInput(meta, inputFile, false);
      files.push([inputJson!, JSON.stringify(circomInput(plan, input.tensor, saltsFor(meta))) + "\n"]);
    }
    await writeFilesAtomic(files);
    out.result({
      circom: inputOnly ? null : file,
      template: ex.template,
      inputs: ex.inputs,
      publicSignals: ex.nPublic,
      ...(inputJson ? { input: inputJson } : {}),
    });
    if (inputOnly) {
      out.line(`wrote ${inputJson}: the witness calculator's input for template ${ex.template}`);
      return 0;
    }
    out.line(
      `wrote ${file}: template ${ex.template}, ${ex.nPublic} public signal(s), inputs ${ex.inputs.map((i) => `${i.name}[${i.count}]`).join(", ")}`,
    );
    if (inputJson) out.line(`wrote ${inputJson}: the witness calculator's input`);
    out.line(
      `compile: circom ${file} --r1cs --wasm --O1${ex.needsCircomlib ? " -l node_modules   (needs circomlib)" : ""}`,
    );
    return 0;
  },
};
