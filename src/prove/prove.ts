/**
 * The `prove` verb: input → witness → Groth16 proof, for a compiled and set-up directory.
 * Every check (files present, input well-formed and in range, witness satisfies the R1CS
 * with --check) happens before the outputs are written; the outputs are written atomically.
 */
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import { artifact, readModelMeta, readPlan, type ModelMeta } from "../artifacts.js";
import { exists, readFileOrFail, readJsonFile, writeFilesAtomic } from "../util/fsx.js";
import { sha256Hex } from "../util/hash.js";
import { dequantize, parseInputJson, quantizeInput } from "../quantize/input.js";
import { computeWitness, usefulThreads, type Backend } from "../witness/witness.js";
import { readR1cs } from "../formats/r1cs.js";
import { readWtns, witnessValues } from "../formats/wtns.js";
import { checkR1cs } from "../witness/check.js";
import { decodeOutputs, type DecodedTensor } from "../verify/decode.js";
import { ZkError } from "../errors.js";
import type { Progress } from "../util/progress.js";
import { snarkLogger } from "./logger.js";
import { readSetupInfo, DEV_WARNING } from "./setup.js";
import { checkResources } from "./resources.js";
import { qinputOf } from "./qinput.js";

export interface ProveOptions {
  readonly outDir?: string;
  /** check the witness against the R1CS before proving */
  readonly check?: boolean;
  /** refuse out-of-range inputs instead of clamping */
  readonly strict?: boolean;
  readonly backend?: Backend;
  /** threads for the wasm backend's witness (default: available cores) */
  readonly threads?: number;
  readonly progress?: Progress;
}

export interface ProveResult {
  readonly proofFile: string;
  readonly publicFile: string;
  readonly witnessFile: string;
  /** the public signals, decoded (for hashed outputs, the commitment) */
  readonly outputs: readonly DecodedTensor[];
  /** the model's outputs, dequantized (what the public signals show or commit to) */
  readonly values: readonly number[][];
  readonly warnings: readonly string[];
  readonly development: boolean;
  readonly seconds: { readonly witness: number; readonly prove: number };
}

export { qinputOf };

/** Reads and quantizes an input file for this model (shared by prove and run). */
export async function loadInput(meta: ModelMeta, inputFile: string, strict: boolean) {
  const json = await readJsonFile(inputFile, "input file");
  const values = parseInputJson(json, meta.input.shape, inputFile);
  return quantizeInput(values, qinputOf(meta), strict, inputFile);
}

export async function proveDir(dir: string, inputFile: string, opts: ProveOptions = {}): Promise<ProveResult> {
  const meta = await readModelMeta(dir);
  const zkeyFile = artifact(dir, "zkey");
  if (!(await exists(zkeyFile))) throw new ZkError("BAD_FILE", `${zkeyFile} not found: run \`zkinfer setup ${dir}\` first`);
  const setup = await readSetupInfo(dir);
  if (setup.r1csSha256 !== meta.circuit.r1csSha256) {
    throw new ZkError("BAD_FILE", `the proving key in ${dir} was made for a different circuit; run \`zkinfer setup ${dir}\` again`);
  }
  checkResources("prove", meta.circuit.constraints, meta.circuit.wires, meta.circuit.ptauPower);
  // a damaged key can still yield a "proof" (or hang snarkjs): check it is the one setup made
  if (sha256Hex(await readFileOrFail(zkeyFile, "proving key")) !== setup.zkeySha256) {
    throw new ZkError("BAD_FILE", `${zkeyFile} does not match setup.json (corrupted or replaced); run \`zkinfer setup ${dir} --force\``);
  }
  const plan = await readPlan(dir, meta);
  const qin = await loadInput(meta, inputFile, opts.strict ?? false);

  const t0 = performance.now();
  const { wtns, outputs } = await computeWitness(plan, qin.tensor, { backend: opts.backend, threads: usefulThreads(plan, opts.threads ?? 1) });
  const t1 = performance.now();
  if (opts.check) {
    const r1cs = readR1cs(await readFileOrFail(artifact(dir, "r1cs"), "circuit"), artifact(dir, "r1cs"));
    const res = checkR1cs(r1cs, witnessValues(readWtns(wtns)));
    if (!res.ok) throw new ZkError("UNSATISFIED", `the witness does not satisfy constraint ${res.failed} of ${res.nConstraints}; this is a zkinfer bug, please report it`);
  }
  opts.progress?.update("proving");
  const logger = snarkLogger("prove", opts.progress);
  const { proof, publicSignals } = await snarkjs.groth16.prove(zkeyFile, { type: "mem", data: wtns }, logger);
  const t2 = performance.now();
  opts.progress?.done();
  if (publicSignals.length !== meta.publicSignals.count) {
    throw new ZkError("BAD_FILE", `the proving key has ${publicSignals.length} public signals but model.json says ${meta.publicSignals.count}; run setup again`);
  }

  const outDir = opts.outDir ?? dir;
  const files = { proof: path.join(outDir, "proof.json"), pub: path.join(outDir, "public.json"), wtns: path.join(outDir, "witness.wtns") };
  const values = outputs.map((t, i) => dequantize(t, meta.outputs[i]!.scale));
  const mark = setup.ptau.development ? { zkinfer: { development: true, warning: DEV_WARNING } } : {};
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  await writeFilesAtomic([
    [files.wtns, wtns],
    [files.pub, json(publicSignals)],
    // the proof publishes only a commitment to hashed outputs: the prover hands this file over
    ...(meta.options.outputVisibility === "hashed" ? [[path.join(outDir, "output.json"), json({ output: values[0], outputs: values })] as [string, string]] : []),
    [files.proof, json({ ...proof, ...mark })],
  ]);
  return {
    proofFile: files.proof,
    publicFile: files.pub,
    witnessFile: files.wtns,
    outputs: decodeOutputs(meta, publicSignals),
    values,
    warnings: qin.warnings,
    development: setup.ptau.development,
    seconds: { witness: (t1 - t0) / 1000, prove: (t2 - t1) / 1000 },
  };
}
