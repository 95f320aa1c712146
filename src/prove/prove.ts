/**
 * The `prove` verb: input → witness → Groth16 proof, for a compiled and set-up directory.
 * Every check (files present, input well-formed and in range, witness satisfies the R1CS
 * with --check) happens before the outputs are written; the outputs are written atomically.
 */
import * as path from "node:path";
import { artifact, readModelMeta, readPlan, type ModelMeta } from "../artifacts.js";
import { exists, readFileOrFail, readJsonFile, writeFilesAtomic, writeJsonAtomic } from "../util/fsx.js";
import { fileDigestHex } from "../util/hash.js";
import { dequantize, integersOf, parseInputJson, quantizeInput, qinputOf } from "../quantize/input.js";
import { computeWitness, defaultThreads, usefulThreads, type Backend, type WitnessResult } from "../witness/witness.js";
import { witnessPool } from "../witness/pool.js";
import type { WitnessPlan } from "../circuit/plan.js";
import { readR1cs, type ParsedR1cs } from "../formats/r1cs.js";
import { readWtns, witnessValues } from "../formats/wtns.js";
import { checkR1cs } from "../witness/check.js";
import { decodeOutputs, type DecodedTensor } from "../meta/signals.js";
import { describeError, ZkError } from "../errors.js";
import type { Progress } from "../util/progress.js";
import { openCheckedKey, type Groth16Prover } from "./groth16.js";
import { readSetupInfo, DEV_WARNING } from "./setup.js";
import { checkResources } from "./resources.js";
import { saltsFor } from "../circuit/salts.js";
import { withParams } from "./params.js";
import type { Salts } from "../circuit/plan.js";
import type { SaltRole } from "../meta/model.js";

export interface ProveOptions {
  readonly outDir?: string;
  /** check the witness against the R1CS before proving */
  readonly check?: boolean;
  /** refuse out-of-range inputs instead of clamping */
  readonly strict?: boolean;
  readonly backend?: Backend;
  /** threads for the wasm backend's witness (default: available cores) */
  readonly threads?: number;
  /** prove with this model's weights instead of the compiled ones (private or hashed params; same architecture) */
  readonly params?: string;
  /** reuse these salts (say, the input salt of an earlier proof); the rest are drawn at random */
  readonly salts?: Salts;
  readonly progress?: Progress;
}

export interface ProveResult {
  readonly proofFile: string;
  readonly publicFile: string;
  readonly witnessFile: string;
  /** the salts of salted commitments (prove wrote them beside the openings: output.json, input_salt.json) */
  readonly salts: Salts;
  /** the public signals, decoded (for hashed outputs, the commitment) */
  readonly outputs: readonly DecodedTensor[];
  /** the model's outputs, dequantized (what the public signals show or commit to) */
  readonly values: readonly number[][];
  readonly warnings: readonly string[];
  readonly development: boolean;
  readonly seconds: { readonly witness: number; readonly prove: number };
}

/** Reads and quantizes an input file for this model (shared by prove and run). */
export async function loadInput(meta: ModelMeta, inputFile: string, strict: boolean) {
  return quantizeInputJson(meta, await readJsonFile(inputFile, "input file"), inputFile, strict);
}

/** An input's parsed JSON, checked against the model and quantized; `source` names it in errors. */
export function quantizeInputJson(meta: ModelMeta, json: unknown, source: string, strict: boolean) {
  return quantizeInput(parseInputJson(json, meta.input.shape, source), qinputOf(meta.input), strict, source);
}

/** A set-up circuit directory, checked and loaded once for any number of proofs. */
export interface Prover {
  readonly dir: string;
  readonly meta: ModelMeta;
  readonly plan: WitnessPlan;
  readonly zkeyFile: string;
  /**
   * the proving key, checked and opened once for every proof this prover makes (a batch reads
   * no key file again); null when the proofs run in other processes (a split model's)
   */
  readonly key: Groth16Prover | null;
  readonly development: boolean;
  readonly r1cs: ParsedR1cs | null;
  /** Lets the key's threads go (they keep Node alive). */
  close(): Promise<void>;
}

export async function openProver(dir: string, check: boolean, params?: string, keepKey = true): Promise<Prover> {
  const meta = await readModelMeta(dir);
  const zkeyFile = artifact(dir, "zkey");
  if (!(await exists(zkeyFile)))
    throw new ZkError("BAD_FILE", `${zkeyFile} not found: run \`zkinfer setup ${dir}\` first`);
  const setup = await readSetupInfo(dir);
  if (setup.r1csSha256 !== meta.circuit.r1csSha256) {
    throw new ZkError(
      "BAD_FILE",
      `the proving key in ${dir} was made for a different circuit; run \`zkinfer setup ${dir}\` again`,
    );
  }
  checkResources("prove", meta.circuit.constraints, meta.circuit.wires, meta.circuit.ptauPower);
  const compiled = await readPlan(dir, meta);
  const plan = params ? withParams(compiled, meta, await readFileOrFail(params, "model"), params) : compiled;
  const r1cs = check ? readR1cs(await readFileOrFail(artifact(dir, "r1cs"), "circuit"), artifact(dir, "r1cs")) : null;
  // a damaged key can still yield a "proof": check it is the one setup made, then keep it open
  const fix = `; run \`zkinfer setup ${dir} --force\``;
  let key: Groth16Prover | null = null;
  if (keepKey) key = await openCheckedKey(zkeyFile, setup.zkeySha256, fix);
  else if ((await fileDigestHex(zkeyFile, "sha256")) !== setup.zkeySha256)
    throw new ZkError("BAD_FILE", `${zkeyFile} does not match setup.json (corrupted or replaced)${fix}`);
  return {
    dir,
    meta,
    plan,
    zkeyFile,
    key,
    development: setup.ptau.development,
    r1cs,
    close: async () => key?.close(),
  };
}

/** Proves one computed witness and writes its files (atomically) into outDir. */
async function proveWitness(
  p: Prover,
  w: WitnessResult,
  salts: Salts,
  outDir: string,
  warnings: readonly string[],
  witnessSeconds: number,
  progress?: Progress,
): Promise<ProveResult> {
  const { meta } = p;
  if (p.r1cs) {
    const res = checkR1cs(p.r1cs, witnessValues(readWtns(w.wtns)));
    if (!res.ok)
      throw new ZkError(
        "UNSATISFIED",
        `the witness does not satisfy constraint ${res.failed} of ${res.nConstraints}; this is a zkinfer bug, please report it`,
      );
  }
  progress?.update("proving");
  const t1 = performance.now();
  if (!p.key) throw new Error(`proveWitness: the prover of ${p.dir} was opened without its key`);
  const { proof, publicSignals } = await p.key.prove(w.wtns);
  const t2 = performance.now();
  progress?.done();
  if (publicSignals.length !== meta.publicSignals.count) {
    throw new ZkError(
      "BAD_FILE",
      `the proving key has ${publicSignals.length} public signals but model.json says ${meta.publicSignals.count}; run setup again`,
    );
  }
  const files = {
    proof: path.join(outDir, "proof.json"),
    pub: path.join(outDir, "public.json"),
    wtns: path.join(outDir, "witness.wtns"),
  };
  const values = w.outputs.map((t, i) => dequantize(t, meta.outputs[i]!.scale));
  const mark = p.development ? { zkinfer: { development: true, warning: DEV_WARNING } } : {};
  const salt = (role: SaltRole) => (salts[role] === undefined ? {} : { salt: salts[role]!.toString() });
  await writeFilesAtomic([
    [files.wtns, w.wtns],
    [files.pub, json(publicSignals)],
    // the proof publishes only a commitment to hashed outputs: the prover hands this file (the opening) over
    ...(meta.options.outputVisibility === "hashed"
      ? [
          [
            path.join(outDir, "output.json"),
            json({ output: values[0], outputs: values, integers: w.outputs.map(integersOf), ...salt("output") }),
          ] as [string, string],
        ]
      : []),
    // a salted input commitment opens with the input file plus this salt
    ...(salts.input !== undefined
      ? [[path.join(outDir, "input_salt.json"), json(salt("input"))] as [string, string]]
      : []),
    [files.proof, json({ ...proof, ...mark })],
  ]);
  return {
    proofFile: files.proof,
    publicFile: files.pub,
    witnessFile: files.wtns,
    salts,
    outputs: decodeOutputs(meta, publicSignals),
    values,
    warnings,
    development: p.development,
    seconds: { witness: witnessSeconds, prove: (t2 - t1) / 1000 },
  };
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";

export async function proveDir(dir: string, inputFile: string, opts: ProveOptions = {}): Promise<ProveResult> {
  const p = await openProver(dir, opts.check ?? false, opts.params);
  try {
    const qin = await loadInput(p.meta, inputFile, opts.strict ?? false);
    const salts = saltsFor(p.meta, opts.salts);
    const t0 = performance.now();
    const w = await computeWitness(
      p.plan,
      qin.tensor,
      { backend: opts.backend, threads: usefulThreads(p.plan, opts.threads ?? defaultThreads()) },
      salts,
    );
    const t1 = performance.now();
    return await proveWitness(p, w, salts, opts.outDir ?? dir, qin.warnings, (t1 - t0) / 1000, opts.progress);
  } finally {
    await p.close();
  }
}

/** One input of a batch: where it came from and the name of its output folder. */
export interface BatchInput {
  readonly id: string;
  /** "file" or "file line N" */
  readonly source: string;
  readonly json: unknown;
}

/**
 * Reads batch inputs: JSON files (id: the file's base name) and JSONL files, one input per
 * non-blank line (id: base name and line number, "inputs-3"). Ids must be distinct, since
 * each names an output folder.
 */
export async function readBatchInputs(specs: readonly string[]): Promise<BatchInput[]> {
  const out: BatchInput[] = [];
  for (const file of specs) {
    const base = path.basename(file).replace(/\.jsonl?$/i, "");
    if (!/\.jsonl$/i.test(file)) {
      out.push({ id: base, source: file, json: await readJsonFile(file, "input file") });
      continue;
    }
    const lines = new TextDecoder().decode(await readFileOrFail(file, "input file")).split("\n");
    let n = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.trim()) continue;
      const source = `${file} line ${i + 1}`;
      try {
        out.push({ id: `${base}-${i + 1}`, source, json: JSON.parse(lines[i]!) as unknown });
      } catch (e) {
        throw new ZkError("BAD_INPUT", `${source} is not valid JSON: ${describeError(e)}`);
      }
      n++;
    }
    if (n === 0) throw new ZkError("BAD_INPUT", `${file} has no inputs (expected one JSON object per line)`);
  }
  const seen = new Map<string, string>();
  for (const b of out) {
    const prev = seen.get(b.id);
    if (prev)
      throw new ZkError(
        "BAD_OPTION",
        `inputs ${prev} and ${b.source} would both write to the folder "${b.id}"; rename one`,
      );
    seen.set(b.id, b.source);
  }
  return out;
}

export interface BatchItem extends ProveResult {
  readonly id: string;
  readonly source: string;
}

export interface BatchResult {
  readonly items: readonly BatchItem[];
  /** batch.json: the list of proofs made */
  readonly summaryFile: string;
  readonly seconds: number;
}

/**
 * Proves a batch: every input is read and checked first (a bad one stops the batch before any
 * work), then witnesses run side by side in a worker pool while the main thread proves them in
 * order (the prover uses its own threads for the multi-exponentiations). Each proof goes to
 * OUTDIR/<id>/ as proof.json, public.json and witness.wtns; OUTDIR/batch.json lists them.
 */
export async function proveBatch(dir: string, specs: readonly string[], opts: ProveOptions = {}): Promise<BatchResult> {
  const t0 = performance.now();
  const p = await openProver(dir, opts.check ?? false, opts.params);
  try {
    return await proveBatchWith(p, specs, opts, t0);
  } finally {
    await p.close();
  }
}

async function proveBatchWith(
  p: Prover,
  specs: readonly string[],
  opts: ProveOptions,
  t0: number,
): Promise<BatchResult> {
  const inputs = (await readBatchInputs(specs)).map((b) => ({
    ...b,
    q: quantizeInputJson(p.meta, b.json, b.source, opts.strict ?? false),
    salts: saltsFor(p.meta, opts.salts),
  }));
  const outDir = opts.outDir ?? p.dir;
  const pool = await witnessPool(p.plan, {
    backend: opts.backend,
    workers: Math.min(opts.threads ?? defaultThreads(), inputs.length),
  });
  const items: BatchItem[] = [];
  try {
    // a few witnesses ahead of the prover, not the whole batch in memory
    const ahead = Math.max(2, (opts.threads ?? defaultThreads()) + 1);
    const started: Promise<{ w: WitnessResult; seconds: number }>[] = [];
    const start = (i: number) => {
      if (i >= inputs.length) return;
      const t = performance.now();
      const r = pool
        .witness(inputs[i]!.q.tensor, inputs[i]!.salts)
        .then((w) => ({ w, seconds: (performance.now() - t) / 1000 }));
      r.catch(() => undefined); // awaited below, in order
      started[i] = r;
    };
    for (let i = 0; i < ahead; i++) start(i);
    for (let i = 0; i < inputs.length; i++) {
      const b = inputs[i]!;
      const { w, seconds } = await started[i]!;
      start(i + ahead);
      opts.progress?.update(`proving ${b.id} (${i + 1}/${inputs.length})`);
      const r = await proveWitness(p, w, b.salts, path.join(outDir, b.id), b.q.warnings, seconds, opts.progress);
      items.push({ ...r, id: b.id, source: b.source });
    }
  } finally {
    await pool.close();
  }
  const summaryFile = await writeBatchSummary(outDir, p.meta.model, items);
  return { items, summaryFile, seconds: (performance.now() - t0) / 1000 };
}

/** What batch.json lists of each proof: where its input came from, where its files went, what it says. */
export interface BatchEntry {
  readonly id: string;
  readonly source: string;
  readonly proofFile: string;
  readonly values: readonly number[][];
  readonly warnings: readonly string[];
}

/** Writes OUTDIR/batch.json (atomically, once every proof is written), `extra` after the model; returns its path. */
export async function writeBatchSummary(
  outDir: string,
  model: ModelMeta["model"],
  items: readonly BatchEntry[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const file = path.join(outDir, "batch.json");
  const proofs = items.map((r) => ({
    id: r.id,
    input: r.source,
    dir: path.dirname(r.proofFile),
    output: r.values[0],
    warnings: r.warnings,
  }));
  await writeJsonAtomic(file, { model, ...extra, proofs });
  return file;
}
