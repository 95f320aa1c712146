/**
 * setup, prove and run on a split model's directory (manifest.json, meta/split.ts). Segments
 * set up and prove side by side in prover processes (chain-worker.ts, one per core); witnesses
 * run in chain order on this thread, since each segment's input is the previous segment's
 * output (they are cheap next to proving).
 *
 * Salts: the first segment's input salt is the user's (or fresh), every cut draws a fresh salt
 * that the producer's output commitment and the consumer's input commitment share; the cut
 * salts are never written (they would open the intermediate tensors), only the input's and a
 * hashed output's, as for one circuit.
 *
 * A proof of the chain is a directory P: P/proof.json and P/public.json hold every segment's
 * proof and public signals with the split's id; P/segments/<i>/ the same as plain snarkjs files.
 */
import * as path from "node:path";
import { promises as fs } from "node:fs";
import { fork } from "node:child_process";
import { readModelMeta, readPlan, readSplitManifest, segmentPath, artifact, type ModelMeta } from "../artifacts.js";
import { brokenLink, chainFiles, chainOutputs, type SplitManifest } from "../meta/split.js";
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import { asNarrow, type IntTensor, type PlanValue } from "../quantize/qgraph.js";
import { chainSalts } from "../circuit/salts.js";
import { dequantize, integersOf } from "../quantize/input.js";
import { computeWitness, defaultThreads, runPlan, usefulThreads, type Backend } from "../witness/witness.js";
import { errorOf } from "../witness/protocol.js";
import { ZkError, describeError } from "../errors.js";
import { packageRoot } from "../util/paths.js";
import { writeFileAtomic, writeFilesAtomic, writeJsonAtomic } from "../util/fsx.js";
import type { DecodedTensor } from "../meta/signals.js";
import type { Groth16Proof } from "snarkjs";
import { loadInput, openProver, quantizeInputJson, readBatchInputs, writeBatchSummary, type Prover } from "./prove.js";
import { DEV_WARNING, type SetupResult } from "./setup.js";
import type { SegmentReply, SegmentTask } from "./chain-worker.js";

/**
 * Runs segment tasks in prover processes (chain-worker.ts), at most one per core at a time;
 * a process that exits without answering rejects its task, naming the segment.
 */
async function runSegments(tasks: readonly SegmentTask[]): Promise<SegmentReply[]> {
  // the processes run compiled JavaScript (dist/), whichever way this module was loaded
  const script = path.join(packageRoot(), "dist", "src", "prove", "chain-worker.js");
  const replies: SegmentReply[] = new Array<SegmentReply>(tasks.length);
  let next = 0;
  const one = (i: number) =>
    new Promise<SegmentReply>((resolve, reject) => {
      const child = fork(script, [], { serialization: "advanced", stdio: ["ignore", "ignore", "inherit", "ipc"] });
      let reply: SegmentReply | null = null;
      child.once("message", (r) => (reply = r as SegmentReply));
      child.once("error", (e) =>
        reject(new ZkError("WORKER", `segment ${i}'s prover process failed: ${describeError(e)}`)),
      );
      child.once("exit", (code, signal) =>
        reply
          ? resolve(reply)
          : reject(
              new ZkError(
                "WORKER",
                `segment ${i}'s prover process exited (${signal ?? `code ${code}`}) before answering: out of memory?`,
              ),
            ),
      );
      child.send(tasks[i]!);
    });
  const lane = async () => {
    while (next < tasks.length) {
      const i = next++;
      replies[i] = await one(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(tasks.length, defaultThreads())) }, lane));
  return replies;
}

export interface SplitSetupResult {
  readonly segments: readonly (SetupResult & {
    readonly seconds: number;
    readonly peakRss: number;
    readonly cpuSeconds: number;
  })[];
  readonly manifest: SplitManifest;
}

/** Sets up every segment (in parallel) and records their key hashes in the manifest. */
export async function setupSplit(
  dir: string,
  opts: { readonly ptau?: string; readonly force?: boolean } = {},
): Promise<SplitSetupResult> {
  const m = await readSplitManifest(dir);
  // a development setup needs no ptau file (dev-zkey.ts): nothing to make once for all the workers
  const replies = await runSegments(
    m.segments.map((_s, i) => ({ kind: "setup", dir: path.resolve(segmentPath(dir, m, i)), ...opts })),
  );
  const results = replies.map((r, i) => {
    if (r.type === "err") throw errorOf(r, `setting up segment ${i}`);
    return { ...r.setup!, seconds: r.seconds, peakRss: r.peakRss, cpuSeconds: r.cpuSeconds };
  });
  const manifest: SplitManifest = {
    ...m,
    segments: m.segments.map((s, i) => ({ ...s, verificationKeySha256: results[i]!.info.verificationKeySha256 })),
  };
  await writeJsonAtomic(artifact(dir, "manifest"), manifest);
  return { segments: results, manifest };
}

/** A segment's circuit directory, checked against the manifest. */
async function segmentMeta(dir: string, m: SplitManifest, i: number): Promise<ModelMeta> {
  const meta = await readModelMeta(segmentPath(dir, m, i));
  if (meta.identity.circuitSha256 !== m.segments[i]!.circuitSha256)
    throw new ZkError(
      "BAD_FILE",
      `${segmentPath(dir, m, i)} holds another circuit than the manifest's segment ${i} (circuit sha256 ${meta.identity.circuitSha256.slice(0, 16)}…, manifest ${m.segments[i]!.circuitSha256.slice(0, 16)}…): a segment of another model or split; recompile`,
    );
  return meta;
}

export interface ChainProveOptions {
  readonly outDir?: string;
  readonly strict?: boolean;
  readonly backend?: Backend;
  readonly threads?: number;
  /** the first segment's input salt (reused from an earlier proof); every other salt is fresh */
  readonly salts?: Salts;
}

export interface ChainProveResult {
  readonly proofFile: string;
  readonly publicFile: string;
  /** the model's outputs (the last segment's), dequantized */
  readonly values: readonly number[][];
  /** the chain's public signals, decoded: the first segment's input side, the last one's outputs */
  readonly outputs: readonly DecodedTensor[];
  readonly warnings: readonly string[];
  readonly development: boolean;
  /** per segment: witness and proving seconds, the prover process's peak resident memory (bytes) and CPU seconds */
  readonly segments: readonly {
    readonly witness: number;
    readonly prove: number;
    readonly peakRss: number;
    readonly cpuSeconds: number;
  }[];
  /** wall seconds of the parallel proving (the processes' CPU seconds over it: how busy the cores were) */
  readonly provingSeconds: number;
  readonly seconds: number;
}

/** A split model's segments, each checked against the manifest and set up. */
interface OpenedChain {
  readonly dir: string;
  readonly m: SplitManifest;
  readonly provers: readonly Prover[];
}

async function openChain(dir: string): Promise<OpenedChain> {
  const m = await readSplitManifest(dir);
  const provers: Prover[] = [];
  for (const [i, s] of m.segments.entries()) {
    await segmentMeta(dir, m, i);
    if (!s.verificationKeySha256)
      throw new ZkError("BAD_FILE", `segment ${i} is not set up: run \`zkinfer setup ${dir}\``);
    const p = await openProver(segmentPath(dir, m, i), false, undefined, false); // the key is opened where it proves
    if (p.meta.identity.verificationKeySha256 !== s.verificationKeySha256)
      throw new ZkError(
        "BAD_FILE",
        `segment ${i}'s key is not the one the manifest records: run \`zkinfer setup ${dir}\` again`,
      );
    provers.push(p);
  }
  return { dir, m, provers };
}

/** One input of a chain proof: quantized, with the folder its proof goes to. */
interface ChainInput {
  readonly tensor: IntTensor;
  readonly warnings: readonly string[];
  readonly outDir: string;
}

/** What a chain proof keeps of its witnesses once they are written: the files, salts, times and the model's output. */
interface ChainWitnesses {
  readonly files: readonly string[];
  readonly salts: readonly Salts[];
  readonly seconds: readonly number[];
  readonly outputs: readonly PlanValue[];
}

/** Every segment's witness in chain order, each written to OUT/segments/<i>/witness.wtns (its prover reads it there). */
async function chainWitnesses(c: OpenedChain, x: ChainInput, opts: ChainProveOptions): Promise<ChainWitnesses> {
  let input: IntTensor = x.tensor;
  const segSalts = chainSalts(
    c.provers.map((p) => p.meta),
    opts.salts,
  );
  const files: string[] = [];
  const seconds: number[] = [];
  let outputs: readonly PlanValue[] = [];
  for (const [i, p] of c.provers.entries()) {
    const tw = performance.now();
    const threads = usefulThreads(p.plan, opts.threads ?? defaultThreads());
    const w = await computeWitness(p.plan, input, { backend: opts.backend, threads }, segSalts[i]!);
    seconds.push((performance.now() - tw) / 1000);
    const f = path.resolve(x.outDir, "segments", String(i), "witness.wtns");
    await fs.mkdir(path.dirname(f), { recursive: true });
    await writeFileAtomic(f, w.wtns);
    files.push(f);
    outputs = w.outputs;
    input = asNarrow(w.outputs[0]!, `segment ${i}'s output`);
  }
  return { files, salts: segSalts, seconds, outputs };
}

/**
 * Proves the chain for every input: the witnesses first, in chain order per input, then one
 * prover process per segment (side by side, one per core) proves its segment for every input
 * with its key opened once; then each input's chain files (see the header) are written.
 */
async function proveChains(
  c: OpenedChain,
  inputs: readonly ChainInput[],
  opts: ChainProveOptions,
): Promise<{ results: Omit<ChainProveResult, "seconds" | "provingSeconds">[]; provingSeconds: number }> {
  const ws: ChainWitnesses[] = [];
  for (const x of inputs) ws.push(await chainWitnesses(c, x, opts));
  const tp = performance.now();
  const replies = await runSegments(
    c.provers.map((p, i) => ({ kind: "prove", zkey: path.resolve(p.zkeyFile), wtns: ws.map((w) => w.files[i]!) })),
  );
  const provingSeconds = (performance.now() - tp) / 1000;
  const segs = replies.map((r, i) => {
    if (r.type === "err") throw errorOf(r, `proving segment ${i}`);
    for (const pr of r.proofs!)
      if (pr.publicSignals.length !== c.provers[i]!.meta.publicSignals.count)
        throw new ZkError("BAD_FILE", `segment ${i}'s proving key does not match its model.json; run setup again`);
    return r;
  });
  const results: Omit<ChainProveResult, "seconds" | "provingSeconds">[] = [];
  for (const [k, x] of inputs.entries()) {
    const proofs = segs.map((r) => r.proofs![k]!);
    results.push(
      await writeChain(c, x, ws[k]!, proofs, (i) => ({
        prove: proofs[i]!.seconds,
        peakRss: segs[i]!.peakRss,
        cpuSeconds: segs[i]!.cpuSeconds,
      })),
    );
  }
  return { results, provingSeconds };
}

/** One input's chain files, written atomically into its folder, after its links are checked. */
async function writeChain(
  c: OpenedChain,
  x: ChainInput,
  w: ChainWitnesses,
  proofs: readonly { readonly proof: Groth16Proof; readonly publicSignals: string[] }[],
  stats: (i: number) => { prove: number; peakRss: number; cpuSeconds: number },
): Promise<Omit<ChainProveResult, "seconds" | "provingSeconds">> {
  const { m, provers } = c;
  const broken = brokenLink(
    m,
    proofs.map((p) => p.publicSignals),
  );
  if (broken >= 0)
    throw new Error(
      `segments ${broken} and ${broken + 1} commit to different cut tensors: this is a zkinfer bug, please report it`,
    );
  const development = provers.some((p) => p.development);
  const mark = development ? { zkinfer: { development: true, warning: DEV_WARNING } } : {};
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  const last = provers.length - 1;
  const lastMeta = provers[last]!.meta;
  const values = w.outputs.map((t, i) => dequantize(t, lastMeta.outputs[i]!.scale));
  const outDir = x.outDir;
  const files: [string, string | Uint8Array][] = [];
  for (const [i, pr] of proofs.entries()) {
    const seg = path.join(outDir, "segments", String(i));
    await fs.mkdir(seg, { recursive: true });
    files.push(
      [path.join(seg, "public.json"), json(pr.publicSignals)],
      [path.join(seg, "proof.json"), json({ ...pr.proof, ...mark })],
    );
  }
  const proofFile = path.join(outDir, "proof.json"),
    publicFile = path.join(outDir, "public.json");
  const chain = chainFiles(
    m,
    proofs.map((pr) => ({ proof: pr.proof, public: pr.publicSignals })),
  );
  const salt = (s: bigint | undefined) => (s === undefined ? {} : { salt: s.toString() });
  if (lastMeta.options.outputVisibility === "hashed")
    files.push([
      path.join(outDir, "output.json"),
      json({ output: values[0], outputs: values, integers: w.outputs.map(integersOf), ...salt(w.salts[last]!.output) }),
    ]);
  if (w.salts[0]!.input !== undefined)
    files.push([path.join(outDir, "input_salt.json"), json(salt(w.salts[0]!.input))]);
  files.push([publicFile, json(chain.public)], [proofFile, json({ ...chain.proof, ...mark })]);
  await fs.mkdir(outDir, { recursive: true });
  await writeFilesAtomic(files);
  return {
    proofFile,
    publicFile,
    values,
    outputs: chainOutputs(
      provers.map((p) => p.meta),
      proofs.map((p) => p.publicSignals),
    ),
    warnings: x.warnings,
    development,
    segments: proofs.map((_pr, i) => ({ witness: w.seconds[i]!, ...stats(i) })),
  };
}

/** Witness of every segment in chain order, then every proof in parallel; writes P/ (see the header). */
export async function proveSplit(
  dir: string,
  inputFile: string,
  opts: ChainProveOptions = {},
): Promise<ChainProveResult> {
  const t0 = performance.now();
  const c = await openChain(dir);
  const qin = await loadInput(c.provers[0]!.meta, inputFile, opts.strict ?? false);
  const { results, provingSeconds } = await proveChains(
    c,
    [{ tensor: qin.tensor, warnings: qin.warnings, outDir: opts.outDir ?? dir }],
    opts,
  );
  return { ...results[0]!, provingSeconds, seconds: (performance.now() - t0) / 1000 };
}

export interface SplitBatchItem extends Omit<ChainProveResult, "seconds" | "provingSeconds"> {
  readonly id: string;
  readonly source: string;
}

export interface SplitBatchResult {
  readonly items: readonly SplitBatchItem[];
  /** batch.json: the list of chain proofs made */
  readonly summaryFile: string;
  readonly provingSeconds: number;
  readonly seconds: number;
}

/**
 * A batch on a split model, as `proveBatch` is on one circuit: every input is read and checked
 * first, each input's chain goes to OUTDIR/<id>/ (the files `proveSplit` writes), and
 * OUTDIR/batch.json lists them. Each segment's prover opens its key once for the whole batch.
 * Every input's cuts draw fresh salts; its input salt is `opts.salts`' when given (as in
 * `proveBatch`), else fresh.
 */
export async function proveSplitBatch(
  dir: string,
  specs: readonly string[],
  opts: ChainProveOptions = {},
): Promise<SplitBatchResult> {
  const t0 = performance.now();
  const c = await openChain(dir);
  const meta = c.provers[0]!.meta;
  const inputs = await readBatchInputs(specs);
  const outDir = opts.outDir ?? dir;
  const quantized = inputs.map((b) => {
    const q = quantizeInputJson(meta, b.json, b.source, opts.strict ?? false);
    return { tensor: q.tensor, warnings: q.warnings, outDir: path.join(outDir, b.id) };
  });
  const { results, provingSeconds } = await proveChains(c, quantized, opts);
  const items = results.map((r, k) => ({ ...r, id: inputs[k]!.id, source: inputs[k]!.source }));
  const summaryFile = await writeBatchSummary(outDir, meta.model, items, { segments: c.m.segments.length });
  return { items, summaryFile, provingSeconds, seconds: (performance.now() - t0) / 1000 };
}

/** Runs the segments' plans in chain order: the model's output, no proof (zkinfer run). */
export async function runSplit(
  dir: string,
  inputFile: string,
  opts: { readonly strict?: boolean; readonly backend?: Backend; readonly threads?: number } = {},
): Promise<{ readonly meta: ModelMeta; readonly outputs: PlanValue[]; readonly warnings: readonly string[] }> {
  const m = await readSplitManifest(dir);
  const segs: { meta: ModelMeta; plan: WitnessPlan }[] = [];
  for (let i = 0; i < m.segments.length; i++) {
    const meta = await segmentMeta(dir, m, i);
    segs.push({ meta, plan: await readPlan(segmentPath(dir, m, i), meta) });
  }
  const qin = await loadInput(segs[0]!.meta, inputFile, opts.strict ?? false);
  let outputs: PlanValue[] = [qin.tensor];
  for (const [i, s] of segs.entries())
    outputs = await runPlan(s.plan, asNarrow(outputs[0]!, `segment ${i - 1}'s output`), {
      backend: opts.backend,
      threads: usefulThreads(s.plan, opts.threads ?? defaultThreads()),
    });
  return { meta: segs[segs.length - 1]!.meta, outputs, warnings: qin.warnings };
}
