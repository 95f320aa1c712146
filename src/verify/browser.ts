/**
 * `zkinfer/verify`: the verifier as a small browser ES module (no Node APIs). A site gives it
 * the four files a prover publishes, as text or parsed JSON, and gets the same answer as
 * `zkinfer verify`:
 *
 *   import { verifyFiles } from "zkinfer/verify";
 *   const r = await verifyFiles({ vkey, proof, publicSignals, model });
 *   r.valid, r.output, r.model (which model: names and hashes; the key was checked to be its own)
 *
 * With the openings a verifier may hold — the input (and its salt), the model's ONNX bytes,
 * a claimed output (output.json, with its salt) — it also checks them against the proof's
 * commitments or public values, exactly as `zkinfer verify --input/--params/--output` does
 * (`r.checks`).
 *
 * Files may come in any order through `identifyFiles` (it tells them apart by content).
 *
 * A split model's chain (manifest.json, each segment's model.json and key, the chain's
 * proof.json and public.json) goes to `verifyChainFiles`; `identifyChainFiles` sorts such
 * files, matching each segment's to the manifest by the hashes it records.
 */
import type { Groth16Proof, VerificationKey } from "snarkjs";
import type { ModelMeta } from "../meta/model.js";
import { ZkError } from "../errors.js";
import { parseModelMeta } from "../meta/model.js";
import { parseProof, parsePublic, parseVkey, verifyParsed, type VerifyResult } from "./core.js";
import { checkOpenings } from "./commitments.js";
import { parseSplitManifest } from "../meta/split.js";
import { verifyChainParsed, type ChainVerifyResult } from "./chain.js";
import { parseJsonFile, type ChainFileSet } from "./chain-files.js";

export { ZkError, isZkError } from "../errors.js";
export { parseProof, parsePublic, parseVkey, verifyParsed, type VerifyResult, type CommitmentCheck } from "./core.js";
export { parseModelMeta } from "../meta/model.js";
export type { DecodedTensor } from "../meta/signals.js";
export type { ModelIdentity } from "../meta/identity.js";
export type { ChainVerifyResult } from "./chain.js";
export { identifyChainFiles, type ChainFileSet, type NamedFile, type NamedJson } from "./chain-files.js";

/** One file, as text (parsed here, errors name `name`) or already parsed. */
export type FileContent = string | unknown;

export interface VerifyInputs {
  readonly vkey: FileContent;
  readonly proof: FileContent;
  readonly publicSignals: FileContent;
  readonly model: FileContent;
  /** optional openings: an input file ({"input": ...}), its salt ({"salt": ...}), a claimed output (output.json) */
  readonly input?: FileContent;
  readonly inputSalt?: FileContent;
  readonly output?: FileContent;
  /** optional: the ONNX model's bytes, checked against the params commitment (or the compiled model) */
  readonly onnx?: Uint8Array;
}

export const FILE_ROLES = ["vkey", "proof", "publicSignals", "model"] as const;
export type FileRole = (typeof FILE_ROLES)[number];
/** The optional JSON openings, told apart by content like the four. */
export const OPENING_ROLES = ["input", "inputSalt", "output"] as const;
export type OpeningRole = (typeof OPENING_ROLES)[number];
export type AnyRole = FileRole | OpeningRole;

/** The usual file name of each role, for messages. */
export const ROLE_FILES: Readonly<Record<AnyRole, string>> = {
  vkey: "verification_key.json",
  proof: "proof.json",
  publicSignals: "public.json",
  model: "model.json",
  input: "input.json",
  inputSalt: "input_salt.json",
  output: "output.json",
};

/** Which file this JSON is, from its content; null if none. */
export function roleOf(j: unknown): AnyRole | null {
  if (Array.isArray(j)) return "publicSignals";
  if (!j || typeof j !== "object") return null;
  const o = j as Record<string, unknown>;
  if (o.format === "zkinfer-model") return "model";
  if ("pi_a" in o) return "proof";
  if ("IC" in o || ("protocol" in o && "nPublic" in o)) return "vkey";
  if ("input" in o || "input_data" in o) return "input";
  if ("output" in o || "outputs" in o) return "output";
  if ("salt" in o) return "inputSalt";
  return null;
}

/**
 * Sorts named files (say, from a file picker) into roles by content. Errors name the file:
 * invalid JSON, a file that is none of them, two files of one kind.
 */
export function identifyFiles(files: readonly { name: string; text: string }[]): {
  found: Partial<Record<AnyRole, { name: string; json: unknown }>>;
  missing: FileRole[];
} {
  const found: Partial<Record<AnyRole, { name: string; json: unknown }>> = {};
  for (const f of files) {
    const json = parseJsonFile(f.text, f.name);
    const role = roleOf(json);
    if (!role)
      throw new ZkError(
        "BAD_FILE",
        `${f.name} is not a verification key, proof, public signals, model.json, input, salt or output file`,
      );
    const prev = found[role];
    if (prev)
      throw new ZkError(
        "BAD_FILE",
        `${prev.name} and ${f.name} are both ${ROLE_FILES[role]}-like files; give one of each`,
      );
    found[role] = { name: f.name, json };
  }
  return { found, missing: FILE_ROLES.filter((r) => !found[r]) };
}

export interface TimedResult extends VerifyResult {
  /** milliseconds spent verifying (parsing, curve checks, the pairing, the openings) */
  readonly ms: number;
}

/** Verifies a proof from its four files and checks the openings given; errors (ZkError) name the file at fault. */
export async function verifyFiles(
  inputs: VerifyInputs,
  names: Partial<Record<AnyRole | "onnx", string>> = {},
): Promise<TimedResult> {
  const t0 = performance.now();
  const name = (r: AnyRole) => names[r] ?? ROLE_FILES[r];
  const vk: VerificationKey = parseVkey(parseJsonFile(inputs.vkey, name("vkey")), name("vkey"));
  const proof: Groth16Proof = parseProof(parseJsonFile(inputs.proof, name("proof")), name("proof"));
  const pub = parsePublic(parseJsonFile(inputs.publicSignals, name("publicSignals")), name("publicSignals"));
  const meta: ModelMeta = parseModelMeta(parseJsonFile(inputs.model, name("model")), name("model"));
  const r = await verifyParsed(vk, meta, proof, pub);
  const opening = (role: OpeningRole) =>
    inputs[role] === undefined ? undefined : { json: parseJsonFile(inputs[role], name(role)), name: name(role) };
  const checks = await checkOpenings(meta, r.outputs, {
    input: opening("input"),
    inputSalt: opening("inputSalt"),
    output: opening("output"),
    params: inputs.onnx ? { bytes: inputs.onnx, name: names.onnx ?? "model.onnx" } : undefined,
  });
  return { ...r, checks, ms: performance.now() - t0 };
}

/** A split model's files: its manifest.json, each segment's model.json and verification key, the chain's proof.json and public.json. */
export interface ChainInputs {
  readonly manifest: FileContent;
  readonly segments: readonly { readonly model: FileContent; readonly vkey: FileContent }[];
  readonly proof: FileContent;
  readonly publicSignals: FileContent;
}

/**
 * Verifies a split model's chain (verify/chain.ts), as `zkinfer verify` does on a split
 * directory: every segment's proof under its own key, every cut's commitments equal.
 */
export async function verifyChainFiles(inputs: ChainInputs): Promise<ChainVerifyResult & { readonly ms: number }> {
  const t0 = performance.now();
  const manifest = await parseSplitManifest(parseJsonFile(inputs.manifest, "manifest.json"), "manifest.json");
  if (inputs.segments.length !== manifest.segments.length)
    throw new ZkError(
      "BAD_FILE",
      `${inputs.segments.length} segments' files given, the manifest lists ${manifest.segments.length}`,
    );
  const segs = inputs.segments.map((s, i) => {
    const dir = manifest.segments[i]!.dir;
    return {
      meta: parseModelMeta(parseJsonFile(s.model, `${dir}/model.json`), `${dir}/model.json`),
      vk: parseVkey(parseJsonFile(s.vkey, `${dir}/verification_key.json`), `${dir}/verification_key.json`),
    };
  });
  const r = await verifyChainParsed(
    manifest,
    segs,
    parseJsonFile(inputs.proof, "proof.json"),
    parseJsonFile(inputs.publicSignals, "public.json"),
  );
  return { ...r, ms: performance.now() - t0 };
}

/** The files verifyChainFiles takes, once identifyChainFiles has found them all; null while any is missing. */
export function chainInputsOf(set: ChainFileSet): ChainInputs | null {
  if (set.missing.length > 0 || !set.manifest || !set.proof || !set.publicSignals) return null;
  return {
    manifest: set.manifest.json,
    segments: set.segments.map((s) => ({ model: s.model!.json, vkey: s.vkey!.json })),
    proof: set.proof.json,
    publicSignals: set.publicSignals.json,
  };
}
