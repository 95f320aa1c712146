import { verifyDir } from "../../verify/verify.js";
import { parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import { fmtVector } from "../output.js";
import { argmax } from "../../quantize/accuracy.js";

const options: Options = { proof: { type: "string" }, public: { type: "string" } };

export const verify: Command = {
  name: "verify",
  summary: "verify a proof and decode its public signals (exit 0 valid, 1 invalid, 2 error)",
  usage: `zkinfer verify DIR [--proof proof.json] [--public public.json]

  Needs only verification_key.json and model.json from DIR.
  --proof FILE    default DIR/proof.json
  --public FILE   default DIR/public.json
  --json          print {"valid": bool, "output": [...], ...}`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "verify");
    const dir = positional(p, 0, "the circuit directory", "verify");
    const r = await verifyDir(dir, { proof: str(p, "proof"), public: str(p, "public") });
    out.result(r);
    out.line(r.valid ? "proof is VALID" : `proof is INVALID: ${r.reason}`);
    if (r.valid) {
      for (const o of r.outputs) out.line(`  ${o.role} ${o.name} ${fmtVector(o.values)}${o.role === "output" ? `  argmax ${argmax(o.values)}` : ""}`);
      out.line(`  model sha256 ${r.modelSha256}`);
    }
    if (r.development) out.warn("the verification key is from a development-only setup");
    return r.valid ? 0 : 1;
  },
};
