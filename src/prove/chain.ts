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
import type { IntTensor } from "../quantize/qgraph.js";
import { chainSalts } from "../circuit/salts.js";
import { dequantize } from "../quantize/input.js";
import { computeWitness, defaultThreads, runPlan, usefulThreads, type Backend } from "../witness/witness.js";
import { errorOf } from "../witness/protocol.js";
import { ZkError, describeError } from "../errors.js";
import { packageRoot } from "../util/paths.js";
import { writeFileAtomic, writeFilesAtomic, writeJsonAtomic } from "../util/fsx.js";
import type { DecodedTensor } from "../meta/signals.js";
import { loadInput, openProver, type Prover } from "./prove.js";
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

/** Witness of every segment in chain order, then every proof in parallel; writes P/ (see the header). */
export async function proveSplit(
  dir: string,
  inputFile: string,
  opts: ChainProveOptions = {},
): Promise<ChainProveResult> {
  const t0 = performance.now();
  const m = await readSplitManifest(dir);
  const provers: Prover[] = [];
  for (const [i, s] of m.segments.entries()) {
    await segmentMeta(dir, m, i);
    if (!s.verificationKeySha256)
      throw new ZkError("BAD_FILE", `segment ${i} is not set up: run \`zkinfer setup ${dir}\``);
    const p = await openProver(segmentPath(dir, m, i), false, undefined, false); // the key is read where it proves
    if (p.meta.identity.verificationKeySha256 !== s.verificationKeySha256)
      throw new ZkError(
        "BAD_FILE",
        `segment ${i}'s key is not the one the manifest records: run \`zkinfer setup ${dir}\` again`,
      );
    provers.push(p);
  }
  const qin = await loadInput(provers[0]!.meta, inputFile, opts.strict ?? false);
  let input: IntTensor = qin.tensor;
  const segSalts = chainSalts(
    provers.map((p) => p.meta),
    opts.salts,
  );
  const witnesses: { wtns: Uint8Array; salts: Salts; seconds: number; outputs: readonly IntTensor[] }[] = [];
  for (const [i, p] of provers.entries()) {
    const salts = segSalts[i]!;
    const tw = performance.now();
    const threads = usefulThreads(p.plan, opts.threads ?? defaultThreads());
    const w = await computeWitness(p.plan, input, { backend: opts.backend, threads }, salts);
    witnesses.push({ wtns: w.wtns, salts, seconds: (performance.now() - tw) / 1000, outputs: w.outputs });
    input = w.outputs[0]!;
  }
  const outDir = opts.outDir ?? dir;
  // each prover reads its witness from the proof directory (the plain snarkjs files sit beside it)
  const wtnsFiles = provers.map((_p, i) => path.resolve(outDir, "segments", String(i), "witness.wtns"));
  for (const [i, f] of wtnsFiles.entries()) {
    await fs.mkdir(path.dirname(f), { recursive: true });
    await writeFileAtomic(f, witnesses[i]!.wtns);
  }
  const tp = performance.now();
  const replies = await runSegments(
    provers.map((p, i) => ({ kind: "prove", zkey: path.resolve(p.zkeyFile), wtns: wtnsFiles[i]! })),
  );
  const provingSeconds = (performance.now() - tp) / 1000;
  const proofs = replies.map((r, i) => {
    if (r.type === "err") throw errorOf(r, `proving segment ${i}`);
    if (r.proof!.publicSignals.length !== provers[i]!.meta.publicSignals.count)
      throw new ZkError("BAD_FILE", `segment ${i}'s proving key does not match its model.json; run setup again`);
    return { ...r.proof!, seconds: r.seconds, peakRss: r.peakRss, cpuSeconds: r.cpuSeconds };
  });
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
  const values = witnesses[last]!.outputs.map((t, i) => dequantize(t, lastMeta.outputs[i]!.scale));
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
      json({ output: values[0], outputs: values, ...salt(witnesses[last]!.salts.output) }),
    ]);
  if (witnesses[0]!.salts.input !== undefined)
    files.push([path.join(outDir, "input_salt.json"), json(salt(witnesses[0]!.salts.input))]);
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
    warnings: qin.warnings,
    development,
    segments: proofs.map((pr, i) => ({
      witness: witnesses[i]!.seconds,
      prove: pr.seconds,
      peakRss: pr.peakRss,
      cpuSeconds: pr.cpuSeconds,
    })),
    provingSeconds,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Runs the segments' plans in chain order: the model's output, no proof (zkinfer run). */
export async function runSplit(
  dir: string,
  inputFile: string,
  opts: { readonly strict?: boolean; readonly backend?: Backend; readonly threads?: number } = {},
): Promise<{ readonly meta: ModelMeta; readonly outputs: IntTensor[]; readonly warnings: readonly string[] }> {
  const m = await readSplitManifest(dir);
  const segs: { meta: ModelMeta; plan: WitnessPlan }[] = [];
  for (let i = 0; i < m.segments.length; i++) {
    const meta = await segmentMeta(dir, m, i);
    segs.push({ meta, plan: await readPlan(segmentPath(dir, m, i), meta) });
  }
  const qin = await loadInput(segs[0]!.meta, inputFile, opts.strict ?? false);
  let outputs: IntTensor[] = [qin.tensor];
  for (const s of segs)
    outputs = await runPlan(s.plan, outputs[0]!, {
      backend: opts.backend,
      threads: usefulThreads(s.plan, opts.threads ?? defaultThreads()),
    });
  return { meta: segs[segs.length - 1]!.meta, outputs, warnings: qin.warnings };
}
