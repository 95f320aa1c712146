import { ttyProgress, silentProgress } from "../../util/progress.js";
import { flag, parse, positional, str, type Options } from "../args.js";
import type { Command } from "../command.js";
import type { SetupInfo } from "../../prove/setup.js";
import { fmtSeconds } from "../output.js";

const options: Options = { ptau: { type: "string" }, force: { type: "boolean" } };

export const setup: Command = {
  name: "setup",
  summary: "Groth16 trusted setup for a compiled circuit (proving and verification keys)",
  usage: `zkinfer setup DIR [--ptau FILE] [--force]

  On a split model (compile --max-constraints/--segments) every segment is set up, side by
  side in one process per core, and the manifest records each segment's key.
  --ptau FILE   a prepared powers-of-tau file (e.g. from a public ceremony); without it a
                development-only key is written directly from fresh secrets (no ptau file)
  --force       redo the setup even if the keys match the circuit
  --json        print the result as JSON`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "setup");
    const dir = positional(p, 0, "the circuit directory", "setup");
    const t0 = performance.now();
    const { isSplitDir } = await import("../../artifacts.js");
    if (await isSplitDir(dir)) {
      const { setupSplit } = await import("../../prove/chain.js");
      const r = await setupSplit(dir, { ptau: str(p, "ptau"), force: flag(p, "force") });
      const seconds = (performance.now() - t0) / 1000;
      out.result({
        segments: r.segments.map((x) => ({ ...x.info, skipped: x.skipped, seconds: x.seconds })),
        splitId: r.manifest.splitId,
        seconds,
      });
      for (const w of r.segments.flatMap((x) => x.warnings)) out.warn(w);
      for (const [i, x] of r.segments.entries())
        out.line(
          `  segment ${i}: ${x.skipped ? "keys already match" : `set up in ${fmtSeconds(x.seconds)}`} (ptau power ${x.info.ptau.power})`,
        );
      out.line(`set up ${r.segments.length} segments of ${dir} in ${fmtSeconds(seconds)}`);
      if (r.segments.some((x) => x.info.warning)) out.warn(r.segments.find((x) => x.info.warning)!.info.warning!);
      return 0;
    }
    const { setupDir } = await import("../../prove/setup.js");
    const r = await setupDir(dir, {
      ptau: str(p, "ptau"),
      force: flag(p, "force"),
      progress: out.json ? silentProgress : ttyProgress(),
    });
    const seconds = (performance.now() - t0) / 1000;
    out.result({ ...r.info, skipped: r.skipped, ptauGenerated: r.ptauGenerated, seconds });
    for (const w of r.warnings) out.warn(w);
    if (r.info.warning) out.warn(r.info.warning);
    out.line(
      r.skipped
        ? `keys in ${dir} already match the circuit (use --force to redo)`
        : `set up ${dir} in ${fmtSeconds(seconds)} (${keySource(r.info.ptau)})`,
    );
    return 0;
  },
};

/** Where the keys came from, for the summary line. */
function keySource(p: SetupInfo["ptau"]): string {
  return p.check?.method === "direct"
    ? `development key made directly, domain 2^${p.power}, no ptau file`
    : `ptau power ${p.power}: ${p.file}`;
}
