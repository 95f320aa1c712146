import { ZkError } from "../../errors.js";
import { ttyProgress, silentProgress, type Progress } from "../../util/progress.js";
import { flag, parse, positional, str, strs, type Options } from "../args.js";
import type { Command } from "../command.js";
import type { Out } from "../output.js";
import { fmtSeconds, fmtVector } from "../output.js";
import { argmax } from "../../util/argmax.js";
import { parseSalt } from "../../circuit/salts.js";
import { exists, readJsonFile } from "../../util/fsx.js";

const options: Options = {
  input: { type: "string", short: "i", multiple: true },
  out: { type: "string", short: "o" },
  check: { type: "boolean" },
  strict: { type: "boolean" },
  backend: { type: "string" },
  threads: { type: "string" },
  "input-salt": { type: "string" },
  params: { type: "string" },
};

/**
 * A compiled directory without keys is set up first, as \`zkinfer setup DIR\` would (development
 * keys, said loudly): one command from compile to proof, as the demo is. Keys made for another
 * circuit are still an error (openProver), never silently replaced.
 */
/** A batch's proof, as both kinds of batch (one circuit, a split model) report it. */
interface ReportedProof {
  readonly id: string;
  readonly source: string;
  readonly proofFile: string;
  readonly publicFile: string;
  readonly values: readonly number[][];
  readonly warnings: readonly string[];
  readonly development: boolean;
}

/** Prints a batch: each input's warnings, the JSON result (`more` adds to each proof), a line per proof, `summary`. */
function reportBatch<T extends ReportedProof>(
  out: Out,
  b: { readonly items: readonly T[]; readonly summaryFile: string; readonly seconds: number },
  more: (r: T) => Record<string, unknown>,
  summary: string,
): number {
  for (const r of b.items) for (const w of r.warnings) out.warn(`${r.source}: ${w}`);
  out.result({
    batch: b.summaryFile,
    proofs: b.items.map((r) => ({
      id: r.id,
      input: r.source,
      proof: r.proofFile,
      public: r.publicFile,
      output: r.values[0],
      ...more(r),
    })),
    seconds: b.seconds,
  });
  for (const r of b.items)
    out.line(
      `${r.id}: ${r.proofFile}  output ${fmtVector(r.values[0]!)}${r.values[0]!.length > 1 ? `  argmax ${argmax(r.values[0]!)}` : ""}`,
    );
  out.line(`${summary}; listed in ${b.summaryFile}`);
  if (b.items[0]?.development) out.warn("development-only setup: these proofs are for testing (see setup.json)");
  return 0;
}

async function setupIfMissing(dir: string, out: Out, progress: Progress): Promise<void> {
  const { artifact } = await import("../../artifacts.js");
  if ((await exists(artifact(dir, "zkey"))) || !(await exists(artifact(dir, "model")))) return;
  out.warn(
    `${dir} has no proving key: running \`zkinfer setup ${dir}\` first, with development keys (development only; for production run setup with --ptau)`,
  );
  const { setupDir } = await import("../../prove/setup.js");
  const r = await setupDir(dir, { progress });
  for (const w of r.warnings) out.warn(w);
}

/** The same for a split model: a manifest with a segment not set up is set up first (every segment, in parallel). */
async function setupSplitIfMissing(dir: string, out: Out): Promise<void> {
  const { readSplitManifest } = await import("../../artifacts.js");
  if ((await readSplitManifest(dir)).segments.every((s) => s.verificationKeySha256)) return;
  out.warn(
    `${dir} is a split model without keys: running \`zkinfer setup ${dir}\` first, with development keys (development only; for production run setup with --ptau)`,
  );
  const { setupSplit } = await import("../../prove/chain.js");
  await setupSplit(dir);
}

export const prove: Command = {
  name: "prove",
  summary: "prove one inference: writes proof.json, public.json and witness.wtns",
  usage: `zkinfer prove DIR --input INPUT.json [-o OUTDIR] [--check] [--strict]
zkinfer prove DIR --input A.json --input B.json ... | --input BATCH.jsonl [-o OUTDIR]

  On a split model: every segment's witness in chain order, then their proofs side by side (one
  process per core, which opens its segment's key once for a whole batch): OUTDIR/proof.json and
  public.json hold the chain, OUTDIR/segments/<i>/ each segment's plain snarkjs proof.json and
  public.json (for a batch, under OUTDIR/<name>/).
  --input, -i FILE   {"input": [...]} (flat or nested) or EZKL's {"input_data": [[...]]};
                     repeat it, or give a .jsonl file (one input per line), to prove a batch:
                     each proof goes to OUTDIR/<name>/ (a.json -> a/, batch.jsonl line 3 ->
                     batch-3/) and OUTDIR/batch.json lists them; witnesses run in parallel
  --out, -o DIR      where to write proof.json, public.json, witness.wtns (default: DIR)
  --check            check the witness against the R1CS before proving
  --strict           refuse inputs outside the calibrated range instead of clamping them
  --backend NAME     witness backend: auto (default: webgpu on a real GPU for a large plan,
                     else wasm), wasm (WebAssembly kernels), webgpu (WGSL on the GPU; a
                     software adapter without one) or js (the reference); zkinfer info shows
                     the GPUs found
  --threads N        threads for the wasm backend (default: available cores)
  --params M.onnx    prove with this model's weights (same architecture; every weight within the
                     range the circuit admits) instead of the compiled ones: for circuits
                     compiled with --param-visibility private or hashed
  --input-salt FILE  reuse the salt of an earlier proof's hashed input ({"salt": "..."}, as
                     prove writes to input_salt.json), so both commit to the same value; by
                     default every proof draws fresh salts, written to input_salt.json and
                     output.json beside the proof
  --json             print the result as JSON`,
  options,
  async run(argv, out) {
    const p = parse(argv, options, "prove");
    const dir = positional(p, 0, "the circuit directory", "prove");
    const inputs = strs(p, "input");
    if (inputs.length === 0) throw new ZkError("BAD_OPTION", "prove: --input is required");
    const [{ proveBatch, proveDir }, { parseBackend, parseThreads }] = await Promise.all([
      import("../../prove/prove.js"),
      import("../../witness/witness.js"),
    ]);
    const saltFile = str(p, "input-salt");
    const salts = saltFile ? { input: parseSalt(await readJsonFile(saltFile, "salt file"), saltFile) } : {};
    const opts = {
      salts,
      params: str(p, "params"),
      outDir: str(p, "out"),
      check: flag(p, "check"),
      strict: flag(p, "strict"),
      backend: parseBackend(str(p, "backend")),
      threads: parseThreads(str(p, "threads")),
      progress: out.json ? silentProgress : ttyProgress(),
    };
    const { isSplitDir } = await import("../../artifacts.js");
    if (await isSplitDir(dir)) {
      if (opts.params || opts.check)
        throw new ZkError("BAD_OPTION", "prove on a split model: without --params or --check");
      await setupSplitIfMissing(dir, out);
      const { proveSplit, proveSplitBatch } = await import("../../prove/chain.js");
      if (inputs.length > 1 || /\.jsonl$/i.test(inputs[0]!)) {
        const b = await proveSplitBatch(dir, inputs, opts);
        return reportBatch(
          out,
          b,
          (r) => ({ segments: r.segments }),
          `${b.items.length} chains of ${b.items[0]!.segments.length} proofs in ${fmtSeconds(b.seconds)} (proving ${fmtSeconds(b.provingSeconds)}, each segment's key opened once)`,
        );
      }
      const r = await proveSplit(dir, inputs[0]!, opts);
      for (const w of r.warnings) out.warn(w);
      out.result({
        proof: r.proofFile,
        public: r.publicFile,
        outputs: r.outputs,
        output: r.values[0],
        development: r.development,
        warnings: r.warnings,
        segments: r.segments,
        seconds: r.seconds,
      });
      out.line(`chain of ${r.segments.length} proofs written to ${r.proofFile} in ${fmtSeconds(r.seconds)}`);
      for (const [i, x] of r.segments.entries())
        out.line(`  segment ${i}: witness ${fmtSeconds(x.witness)}, prove ${fmtSeconds(x.prove)}`);
      out.line(
        `  output ${fmtVector(r.values[0]!)}${r.values[0]!.length > 1 ? `  argmax ${argmax(r.values[0]!)}` : ""}`,
      );
      if (r.development) out.warn("development-only setup: this proof is for testing (see setup.json)");
      return 0;
    }
    await setupIfMissing(dir, out, opts.progress);
    if (inputs.length > 1 || /\.jsonl$/i.test(inputs[0]!)) {
      const b = await proveBatch(dir, inputs, opts);
      return reportBatch(
        out,
        b,
        (r) => ({ seconds: r.seconds }),
        `${b.items.length} proofs in ${fmtSeconds(b.seconds)} (${fmtSeconds(b.seconds / b.items.length)} each)`,
      );
    }
    const r = await proveDir(dir, inputs[0]!, opts);
    for (const w of r.warnings) out.warn(w);
    out.result({
      proof: r.proofFile,
      public: r.publicFile,
      witness: r.witnessFile,
      outputs: r.outputs,
      output: r.values[0],
      development: r.development,
      warnings: r.warnings,
      seconds: r.seconds,
    });
    out.line(
      `proof written to ${r.proofFile} (witness ${fmtSeconds(r.seconds.witness)}, prove ${fmtSeconds(r.seconds.prove)})`,
    );
    out.line(`  output ${fmtVector(r.values[0]!)}${r.values[0]!.length > 1 ? `  argmax ${argmax(r.values[0]!)}` : ""}`);
    for (const h of r.outputs.filter((x) => x.hash)) out.line(`  ${h.role} ${h.hash}`);
    if (r.development) out.warn("development-only setup: this proof is for testing (see setup.json)");
    return 0;
  },
};
