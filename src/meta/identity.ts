/**
 * Which model a proof is for. A verification key's hash is sha256 over its canonical JSON: the
 * fields Groth16 verification reads (protocol, curve, nPublic, alpha, beta, gamma, delta, IC)
 * in that order, so reformatting the file or zkinfer's own annotations do not change it, and
 * any changed point does. model.json records it at setup; verifiers refuse any other key.
 */
import type { VerificationKey } from "snarkjs";
import type { ModelMeta } from "./model.js";
import { sha256HexAsync } from "../util/digest.js";
import { ZkError } from "../errors.js";

export async function verificationKeySha256(vk: VerificationKey): Promise<string> {
  const v = vk as unknown as Record<string, unknown>;
  const fields = ["protocol", "curve", "nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"].map(
    (k) => [k, v[k]],
  );
  return sha256HexAsync(JSON.stringify(fields));
}

/** What a verifier is told a proof is about. */
export interface ModelIdentity {
  /** the ONNX file's name when compiled */
  readonly name: string;
  readonly onnxSha256: string;
  readonly architectureSha256: string;
  readonly circuitSha256: string;
  readonly verificationKeySha256: string;
}

/** Checks the key is the model's own (by hash); returns the identity to report. */
export async function checkModelKey(
  vk: VerificationKey,
  meta: Pick<ModelMeta, "model" | "identity">,
): Promise<ModelIdentity> {
  const recorded = meta.identity.verificationKeySha256;
  if (!recorded)
    throw new ZkError(
      "BAD_FILE",
      "model.json records no verification key: run `zkinfer setup` on the circuit directory first",
    );
  const actual = await verificationKeySha256(vk);
  if (actual !== recorded) {
    throw new ZkError(
      "BAD_FILE",
      `the verification key is not this model's: its sha256 is ${actual.slice(0, 16)}…, model.json (${meta.model.file}) records ${recorded.slice(0, 16)}…`,
    );
  }
  return {
    name: meta.model.file,
    onnxSha256: meta.model.sha256,
    architectureSha256: meta.identity.architectureSha256,
    circuitSha256: meta.identity.circuitSha256,
    verificationKeySha256: actual,
  };
}
