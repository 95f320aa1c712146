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
 *
 * A split model's directory (compile --max-constraints / --segments) holds manifest.json
 * (meta/split.ts) instead of model.json, and one such circuit directory per segment under
 * segments/<i>/; the manifest is written last.
 */
import * as path from "node:path";
import { promises as fs } from "node:fs";
import type { WitnessPlan } from "./circuit/plan.js";
import { parsePlan } from "./circuit/plan-json.js";
import type { CompileModelOptions, CompiledModel } from "./circuit/compile-model.js";
import { ZkError } from "./errors.js";
import { parseModelMeta, type ModelMeta } from "./meta/model.js";
import { parseSplitManifest, splitIdOf, type SplitManifest } from "./meta/split.js";
import type { CompiledSplit, SplitRequest } from "./circuit/compile-split.js";
import { exists, readFileOrFail, readJsonFile, writeFileAtomic, writeJsonAtomic } from "./util/fsx.js";
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
  manifest: "manifest.json",
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
  await writeCircuitDir(outDir, compiled);
  return compiled;
}

async function writeCircuitDir(outDir: string, compiled: CompiledModel): Promise<void> {
  try {
    await fs.mkdir(outDir, { recursive: true });
  } catch (e) {
    throw new ZkError("BAD_FILE", `cannot create output directory ${outDir}: ${(e as Error).message}`);
  }
  await writeFileAtomic(artifact(outDir, "r1cs"), compiled.r1csBytes);
  await writeFileAtomic(artifact(outDir, "sym"), compiled.sym);
  await writeFileAtomic(artifact(outDir, "plan"), compiled.planJson);
  await writeJsonAtomic(artifact(outDir, "model"), compiled.meta);
}

/** A compile that may split (compile --max-constraints / --segments): one circuit directory, or a split one. */
export type CompiledDir =
  | { readonly kind: "single"; readonly compiled: CompiledModel }
  | { readonly kind: "split"; readonly manifest: SplitManifest; readonly split: CompiledSplit };

/** Like compileToDir, splitting the model into segments when `req` asks for it (circuit/compile-split.ts). */
export async function compileSplitToDir(
  modelFile: string,
  calibrationFile: string,
  outDir: string,
  opts: CompileModelOptions,
  req: SplitRequest,
): Promise<CompiledDir> {
  const onnx = await readFileOrFail(modelFile, "model");
  const calJson = await readJsonFile(calibrationFile, "calibration file");
  const { compileSplit } = await import("./circuit/compile-split.js");
  const c = compileSplit(onnx, calJson, opts, { model: modelFile, calibration: calibrationFile }, req);
  // a directory is one kind or the other: the file that marks the other kind goes first
  if (!("segments" in c)) {
    await fs.rm(artifact(outDir, "manifest"), { force: true });
    await writeCircuitDir(outDir, c);
    return { kind: "single", compiled: c };
  }
  await fs.rm(artifact(outDir, "model"), { force: true });
  await fs.rm(artifact(outDir, "manifest"), { force: true });
  await fs.rm(path.join(outDir, "segments"), { recursive: true, force: true });
  for (const [i, s] of c.segments.entries()) await writeCircuitDir(path.join(outDir, c.manifest.segments[i]!.dir), s);
  const manifest: SplitManifest = { ...c.manifest, splitId: await splitIdOf(c.manifest) };
  await writeJsonAtomic(artifact(outDir, "manifest"), manifest);
  return { kind: "split", manifest, split: c };
}

/** Whether `dir` is a split model's directory (it holds manifest.json). */
export async function isSplitDir(dir: string): Promise<boolean> {
  return exists(artifact(dir, "manifest"));
}

/** Reads manifest.json and checks its order and id (meta/split.ts). */
export async function readSplitManifest(dir: string): Promise<SplitManifest> {
  const file = artifact(dir, "manifest");
  return parseSplitManifest(await readJsonFile(file, "split manifest (run `zkinfer compile` first)"), file);
}

/** A segment's circuit directory. */
export function segmentPath(dir: string, m: SplitManifest, i: number): string {
  return path.join(dir, m.segments[i]!.dir);
}
