/**
 * The `verify` verb, browser-safe part: a Groth16 proof checked with snarkjs against the
 * verification key, and the public signals decoded to the model's output. Everything here
 * works on parsed JSON, so the CLI, the library and the browser module share it.
 * Malformed or mismatched inputs are errors (ZkError); a well-formed proof that does not
 * verify is `valid: false` with the reason.
 */
import * as snarkjs from "snarkjs";
import type { Groth16Proof, VerificationKey } from "snarkjs";
import type { ModelMeta } from "../meta/model.js";
import { decodeOutputs, decodeSignal, type DecodedTensor } from "../meta/signals.js";
import { ZkError } from "../errors.js";
import { checkKeyPoints, checkProofPoints } from "./points.js";
import { checkModelKey, type ModelIdentity } from "../meta/identity.js";

/** A verifier-side check of a file against the proof's public signals (verify.ts, commitments.ts). */
export interface CommitmentCheck {
  readonly what: "input" | "params" | "output";
  readonly match: boolean;
  readonly detail: string;
}

/** A snarkjs logger that keeps error messages (snarkjs logs the reason a proof is invalid). */
function capture() {
  const errors: string[] = [];
  const skip = () => undefined;
  return { errors, debug: skip, info: skip, warn: skip, error: (m: string) => errors.push(m) };
}

export interface VerifyResult {
  readonly valid: boolean;
  /** why it is invalid, when it is */
  readonly reason?: string;
  readonly outputs: readonly DecodedTensor[];
  /** the first output, flat (the common case: one output tensor) */
  readonly output: readonly number[];
  readonly development: boolean;
  readonly modelSha256: string;
  /** which model the proof is for (the key was checked to be this model's) */
  readonly model: ModelIdentity;
  /** results of --input / --params / --output checks against the proof's public signals */
  readonly checks: readonly CommitmentCheck[];
}

function isStringArray(v: unknown, n?: number): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string") && (n === undefined || v.length === n);
}

export function parseProof(j: unknown, file: string): Groth16Proof {
  const p = j as Partial<Groth16Proof> | null;
  if (!p || typeof p !== "object") throw new ZkError("BAD_FILE", `${file}: not a proof object`);
  if (p.protocol !== undefined && p.protocol !== "groth16")
    throw new ZkError("BAD_FILE", `${file}: protocol "${p.protocol}", expected groth16`);
  if (!isStringArray(p.pi_a, 3)) throw new ZkError("BAD_FILE", `${file}: "pi_a" must be 3 decimal strings`);
  if (!Array.isArray(p.pi_b) || p.pi_b.length !== 3 || !p.pi_b.every((r) => isStringArray(r, 2))) {
    throw new ZkError("BAD_FILE", `${file}: "pi_b" must be 3 pairs of decimal strings`);
  }
  if (!isStringArray(p.pi_c, 3)) throw new ZkError("BAD_FILE", `${file}: "pi_c" must be 3 decimal strings`);
  const coords: [string, string][] = [
    ...p.pi_a.map((s, i): [string, string] => [`pi_a[${i}]`, s]),
    ...p.pi_b.flatMap((r, i) => r.map((s, j): [string, string] => [`pi_b[${i}][${j}]`, s])),
    ...p.pi_c.map((s, i): [string, string] => [`pi_c[${i}]`, s]),
  ];
  for (const [where, s] of coords) {
    if (!/^[0-9]+$/.test(s))
      throw new ZkError("BAD_FILE", `${file}: ${where} is ${JSON.stringify(s).slice(0, 40)}, not a decimal number`);
  }
  return { pi_a: p.pi_a, pi_b: p.pi_b, pi_c: p.pi_c, protocol: "groth16", curve: p.curve ?? "bn128" };
}

export function parsePublic(j: unknown, file: string): string[] {
  if (!isStringArray(j))
    throw new ZkError("BAD_FILE", `${file}: public signals must be a JSON array of decimal strings`);
  j.forEach((s, i) => decodeSignal(s, i));
  return j;
}

export function parseVkey(j: unknown, file: string): VerificationKey {
  const v = j as Partial<VerificationKey> | null;
  if (!v || typeof v !== "object" || v.protocol !== "groth16" || !Number.isInteger(v.nPublic) || !Array.isArray(v.IC)) {
    throw new ZkError("BAD_FILE", `${file}: not a snarkjs Groth16 verification key`);
  }
  if (v.IC.length !== v.nPublic! + 1)
    throw new ZkError("BAD_FILE", `${file}: IC has ${v.IC.length} points for ${v.nPublic} public signals`);
  const bad = checkKeyPoints(v as VerificationKey);
  if (bad) throw new ZkError("BAD_FILE", `${file}: ${bad}: the key is corrupted`);
  return v as VerificationKey;
}

/** Verifies already-parsed objects (the browser module and the CLI share this). */
export async function verifyParsed(
  vk: VerificationKey,
  meta: Pick<ModelMeta, "publicSignals" | "model" | "identity">,
  proof: Groth16Proof,
  pub: string[],
): Promise<VerifyResult> {
  const model = await checkModelKey(vk, meta);
  if (vk.nPublic !== meta.publicSignals.count) {
    throw new ZkError(
      "BAD_FILE",
      `the verification key has ${vk.nPublic} public signals but model.json describes ${meta.publicSignals.count}: they belong to different circuits`,
    );
  }
  if (pub.length !== vk.nPublic) {
    throw new ZkError(
      "BAD_FILE",
      `public.json has ${pub.length} signals but the verification key expects ${vk.nPublic}: the proof is for a different circuit`,
    );
  }
  const outputs = decodeOutputs(meta, pub);
  const base = {
    outputs,
    output: outputs.find((o) => o.role === "output")?.values ?? [],
    development: Boolean((vk as { zkinfer?: { development?: boolean } }).zkinfer?.development),
    modelSha256: meta.model.sha256,
    model,
    checks: [] as CommitmentCheck[],
  };
  const bad = await checkProofPoints(proof);
  if (bad) return { valid: false, reason: bad, ...base };
  const logger = capture();
  const valid = await snarkjs.groth16.verify(vk, pub, proof, logger);
  return valid ? { valid, ...base } : { valid, reason: logger.errors[0] ?? "the pairing check failed", ...base };
}
