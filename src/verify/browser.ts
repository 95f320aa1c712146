/**
 * `zkinfer/verify`: the verifier as a small browser ES module (no Node APIs). A site gives it
 * the four files a prover publishes, as text or parsed JSON, and gets the same answer as
 * `zkinfer verify`:
 *
 *   import { verifyFiles } from "zkinfer/verify";
 *   const r = await verifyFiles({ vkey, proof, publicSignals, model });
 *   r.valid, r.output, r.modelSha256
 *
 * Files may come in any order through `identifyFiles` (it tells them apart by content).
 */
import type { Groth16Proof, VerificationKey } from "snarkjs";
import type { ModelMeta } from "../model-meta.js";
import { ZkError } from "../errors.js";
import { parseModelMeta } from "../model-meta.js";
import { parseProof, parsePublic, parseVkey, verifyParsed, type VerifyResult } from "./core.js";

export { ZkError, isZkError } from "../errors.js";
export { parseProof, parsePublic, parseVkey, verifyParsed, type VerifyResult } from "./core.js";
export { parseModelMeta } from "../model-meta.js";
export type { DecodedTensor } from "./decode.js";

/** One of the four files, as text (parsed here, errors name `name`) or already parsed. */
export type FileContent = string | unknown;

export interface VerifyInputs {
  readonly vkey: FileContent;
  readonly proof: FileContent;
  readonly publicSignals: FileContent;
  readonly model: FileContent;
}

export const FILE_ROLES = ["vkey", "proof", "publicSignals", "model"] as const;
export type FileRole = (typeof FILE_ROLES)[number];

/** The usual file name of each role, for messages. */
export const ROLE_FILES: Readonly<Record<FileRole, string>> = {
  vkey: "verification_key.json",
  proof: "proof.json",
  publicSignals: "public.json",
  model: "model.json",
};

function parseJson(content: FileContent, name: string): unknown {
  if (typeof content !== "string") return content;
  try {
    return JSON.parse(content) as unknown;
  } catch (e) {
    throw new ZkError("BAD_FILE", `${name} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Which of the four files this JSON is, from its content; null if none. */
export function roleOf(j: unknown): FileRole | null {
  if (Array.isArray(j)) return "publicSignals";
  if (!j || typeof j !== "object") return null;
  const o = j as Record<string, unknown>;
  if (o.format === "zkinfer-model") return "model";
  if ("pi_a" in o) return "proof";
  if ("IC" in o || ("protocol" in o && "nPublic" in o)) return "vkey";
  return null;
}

/**
 * Sorts named files (say, from a file picker) into the four roles by content. Errors name
 * the file: invalid JSON, a file that is none of the four, two files of one kind.
 */
export function identifyFiles(files: readonly { name: string; text: string }[]): { found: Partial<Record<FileRole, { name: string; json: unknown }>>; missing: FileRole[] } {
  const found: Partial<Record<FileRole, { name: string; json: unknown }>> = {};
  for (const f of files) {
    const json = parseJson(f.text, f.name);
    const role = roleOf(json);
    if (!role) throw new ZkError("BAD_FILE", `${f.name} is not a verification key, proof, public signals or model.json`);
    const prev = found[role];
    if (prev) throw new ZkError("BAD_FILE", `${prev.name} and ${f.name} are both ${ROLE_FILES[role]}-like files; give one of each`);
    found[role] = { name: f.name, json };
  }
  return { found, missing: FILE_ROLES.filter((r) => !found[r]) };
}

export interface TimedResult extends VerifyResult {
  /** milliseconds spent verifying (parsing, curve checks, the pairing) */
  readonly ms: number;
}

/** Verifies a proof from its four files; errors (ZkError) name the file at fault. */
export async function verifyFiles(inputs: VerifyInputs, names: Partial<Record<FileRole, string>> = {}): Promise<TimedResult> {
  const t0 = performance.now();
  const name = (r: FileRole) => names[r] ?? ROLE_FILES[r];
  const vk: VerificationKey = parseVkey(parseJson(inputs.vkey, name("vkey")), name("vkey"));
  const proof: Groth16Proof = parseProof(parseJson(inputs.proof, name("proof")), name("proof"));
  const pub = parsePublic(parseJson(inputs.publicSignals, name("publicSignals")), name("publicSignals"));
  const meta: ModelMeta = parseModelMeta(parseJson(inputs.model, name("model")), name("model"));
  const r = await verifyParsed(vk, meta, proof, pub);
  return { ...r, ms: performance.now() - t0 };
}
