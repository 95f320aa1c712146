import { parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";

const options: Options = { witness: { type: "string", short: "w" } };

export const check: Command = {
  name: "check",
  summary: "check a witness (.wtns) against the circuit's constraints (exit 0 satisfied, 1 not, 2 error)",
  usage: `zkinfer check DIR [--witness FILE]

  --witness, -w FILE   default DIR/witness.wtns (what prove writes)
  --json               print {"ok": bool, "failed": n, "nConstraints": n}`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "check");
    const dir = positional(p, 0, "the circuit directory", "check");
    const { checkWitnessFile } = await import("../../witness/check-file.js");
    const r = await checkWitnessFile(dir, str(p, "witness"));
    out.result(r);
    out.line(
      r.ok
        ? `the witness satisfies all ${r.nConstraints} constraints`
        : `the witness violates constraint ${r.failed} of ${r.nConstraints}`,
    );
    return r.ok ? 0 : 1;
  },
};
