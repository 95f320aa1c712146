/**
 * The circuit directory: what `compile` writes and every later command reads. Everything is
 * computed in memory first and every file written atomically, model.json last, so a failed
 * compile leaves no partial directory that later commands could mistake for a good one.
 *
 *   model.json              metadata: model hash, scales, shapes, public-signal layout, costs
 *   circuit.r1cs / .sym     the constraint system (iden3 formats, readable by snarkjs)
 *   plan.json               the witness plan, with the quantized weights
 *   circuit.zkey            (setup) Groth16 proving key
 *   verification_key.json   (setup) snarkjs verification key
 *   setup.json              (setup) where the key came from: ptau, r1cs hash, dev-only flag
 *   proof.json public.json witness.wtns   (prove, by default into the same directory)
 */
import * as path from "node:path";
import { promises as fs } from "node:fs";
import type { WitnessPlan } from "./circuit/plan.js";
import { parsePlan } from "./circuit/plan-json.js";
import type { CompileModelOptions, CompiledModel } from "./circuit/compile-model.js";
import { ZkError } from "./errors.js";
import { parseModelMeta, type ModelMeta } from "./meta/model.js";
import { readFileOrFail, readJsonFile, writeFileAtomic, writeJsonAtomic } from "./util/fsx.js";
import { sha256Hex } from "./util/hash.js";

export const FILES = {
  model: "model.json",
  r1cs: "circuit.r1cs",
  sym: "circuit.sym",
  plan: "plan.json",
  zkey: "circuit.zkey",
  vkey: "verification_key.json",
  setup: "setup.json",
  proof: "proof.json",
  public: "public.json",
  witness: "witness.wtns",
} as const;

export function artifact(dir: string, name: keyof typeof FILES): string {
  return path.join(dir, FILES[name]);
}

export type { ModelMeta } from "./meta/model.js";

/** Reads model.json and checks the fields later stages rely on. */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  const file = artifact(dir, "model");
  return parseModelMeta(await readJsonFile(file, "model metadata (run `zkinfer compile` first)"), file);
}

/** Reads plan.json; with `meta`, also checks it is the plan that model.json was compiled with. */
export async function readPlan(dir: string, meta?: ModelMeta): Promise<WitnessPlan> {
  const file = artifact(dir, "plan");
  const bytes = await readFileOrFail(file, "witness plan (run `zkinfer compile` first)");
  if (meta && sha256Hex(bytes) !== meta.circuit.planSha256) {
    throw new ZkError("BAD_FILE", `${file} does not match model.json (corrupted or edited); recompile the model`);
  }
  return parsePlan(new TextDecoder().decode(bytes), file);
}

/** Reads the model and calibration files, compiles, and writes the directory. */
export async function compileToDir(
  modelFile: string,
  calibrationFile: string,
  outDir: string,
  opts: CompileModelOptions,
): Promise<CompiledModel> {
  const onnx = await readFileOrFail(modelFile, "model");
  const calJson = await readJsonFile(calibrationFile, "calibration file");
  // the compile stack loads only when compiling (verify and prove read this file too)
  const { compileModel } = await import("./circuit/compile-model.js");
  const compiled = compileModel(onnx, calJson, opts, { model: modelFile, calibration: calibrationFile });
  try {
    await fs.mkdir(outDir, { recursive: true });
  } catch (e) {
    throw new ZkError("BAD_FILE", `cannot create output directory ${outDir}: ${(e as Error).message}`);
  }
  await writeFileAtomic(artifact(outDir, "r1cs"), compiled.r1csBytes);
  await writeFileAtomic(artifact(outDir, "sym"), compiled.sym);
  await writeFileAtomic(artifact(outDir, "plan"), compiled.planJson);
  await writeJsonAtomic(artifact(outDir, "model"), compiled.meta);
  return compiled;
}
