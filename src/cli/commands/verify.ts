import { parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import { fmtVector } from "../output.js";
import { argmax } from "../../util/argmax.js";

const options: Options = {
  proof: { type: "string" },
  public: { type: "string" },
  input: { type: "string" },
  "input-salt": { type: "string" },
  params: { type: "string" },
  output: { type: "string" },
};

export const verify: Command = {
  name: "verify",
  summary: "verify a proof and decode its public signals (exit 0 valid, 1 invalid, 2 error)",
  usage: `zkinfer verify DIR [--proof proof.json] [--public public.json] [--input F] [--params M.onnx] [--output F]

  Needs only verification_key.json and model.json from DIR. On a split model: every segment's
  proof under its own key, and that each segment's output commitment is the next one's input
  commitment; prints the model's output.
  --proof FILE     default DIR/proof.json
  --public FILE    default DIR/public.json
  --input FILE     also check that this input is the one the proof commits to (hashed input)
                   or publishes (public input); an input outside the accepted range never matches
  --input-salt FILE  the salt of a salted input commitment (the input_salt.json prove wrote;
                     or put a "salt" field in the input file)
  --params FILE    also check that this ONNX model's weights are the committed ones (hashed
                   params), or that it is the model the circuit was compiled from (fixed)
  --output FILE    also check a claimed output ({"output": [...]}, with "salt" when the
                   commitment is salted: the output.json prove wrote) against the proof
  --json           print {"valid": bool, "output": [...], "checks": [...], ...}
  Exit 0 only if the proof is valid and every check matches; 1 if not; 2 on errors.`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "verify");
    const dir = positional(p, 0, "the circuit directory", "verify");
    const [{ verifyDir, verifySplitDir }, { isSplitDir }] = await Promise.all([
      import("../../verify/verify.js"),
      import("../../artifacts.js"),
    ]);
    const split = await isSplitDir(dir);
    const r = await (split ? verifySplitDir : verifyDir)(dir, {
      proof: str(p, "proof"),
      public: str(p, "public"),
      input: str(p, "input"),
      inputSalt: str(p, "input-salt"),
      params: str(p, "params"),
      output: str(p, "output"),
    });
    out.result(r);
    const what = "segments" in r ? `chain of ${r.segments} proofs` : "proof";
    out.line(r.valid ? `${what} is VALID` : `${what} is INVALID: ${r.reason}`);
    if (r.valid) {
      for (const o of r.outputs) {
        out.line(
          o.hash
            ? `  ${o.role} ${o.hash}`
            : `  ${o.role} ${o.name} ${fmtVector(o.values)}${o.role === "output" && o.values.length > 1 ? `  argmax ${argmax(o.values)}` : ""}`,
        );
      }
      out.line(`  model ${r.model.name}: onnx sha256 ${r.model.onnxSha256}`);
      out.line(`    architecture ${r.model.architectureSha256}  verification key ${r.model.verificationKeySha256}`);
    }
    for (const c of r.checks) out.line(`  ${c.match ? "MATCH" : "MISMATCH"} ${c.what}: ${c.detail}`);
    if (r.development) out.warn("the verification key is from a development-only setup");
    return r.valid && r.checks.every((c) => c.match) ? 0 : 1;
  },
};
