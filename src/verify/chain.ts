/**
 * Verifying a split model's proof (browser-safe, on parsed JSON): the chain is valid when the
 * proof is for this split (its id), every segment's proof was made with, and verifies against,
 * the segment's own key (the one the manifest records), and every segment's output commitment
 * equals the next segment's input commitment. What it proves is then what one proof of the
 * unsplit model proves (docs/circuits.md, "Split models"); the result shows the model's output.
 *
 * A proof from another split or model, a segment's proof swapped for another's, a changed
 * commitment, or a manifest out of order each stop here with a message naming the problem:
 * files that do not belong together are errors (ZkError), well-formed proofs that do not
 * verify or do not chain are `valid: false` with the reason.
 */
import type { Groth16Proof, VerificationKey } from "snarkjs";
import type { ModelMeta } from "../meta/model.js";
import {
  CHAIN_PROOF_FORMAT,
  CHAIN_PUBLIC_FORMAT,
  brokenLink,
  chainOutputs,
  type ChainProofFile,
  type ChainPublicFile,
  type SplitManifest,
} from "../meta/split.js";
import { ZkError } from "../errors.js";
import { parseProof, parsePublic, verifyParsed, type VerifyResult } from "./core.js";

export interface ChainVerifyResult extends VerifyResult {
  readonly segments: number;
  readonly splitId: string;
}

/** One segment as the verifier has it: its model.json and verification key. */
export interface ChainSegment {
  readonly meta: ModelMeta;
  readonly vk: VerificationKey;
}

/** The names a chain's two files go by in messages. */
export interface ChainFileNames {
  readonly proof: string;
  readonly public: string;
}
const DEFAULT_FILES: ChainFileNames = { proof: "proof.json", public: "public.json" };

function parseChainFile<T extends ChainProofFile | ChainPublicFile>(
  j: unknown,
  format: T["format"],
  file: string,
  m: SplitManifest,
): T {
  const c = j as Partial<T> | null;
  if (!c || typeof c !== "object" || c.format !== format)
    throw new ZkError(
      "BAD_FILE",
      `${file}: not a split model's ${format === CHAIN_PROOF_FORMAT ? "proof" : "public signals"} (no "format": "${format}"); a single circuit's files go with its own directory`,
    );
  if (c.splitId !== m.splitId)
    throw new ZkError(
      "BAD_FILE",
      `${file} is for another split model (split id ${String(c.splitId).slice(0, 16)}…, this directory's is ${m.splitId.slice(0, 16)}…)`,
    );
  return c as T;
}

/** A chain's files, checked against the manifest and cut into segments. */
export interface ParsedChain {
  /** segment i's proof (in manifest order; each made with the key the manifest records) */
  readonly proofs: readonly Groth16Proof[];
  /** segment i's public signals, sliced from the chain's flat list */
  readonly signals: readonly (readonly string[])[];
}

/**
 * Checks that a chain's proof.json and public.json belong to this split and these segments
 * (their model.json files: the circuit and key the manifest records), and cuts them per
 * segment. Shared by the verifier and by `calldata`, so the contract's arguments pass the same
 * checks as `zkinfer verify`; errors (ZkError) name the file and what does not belong.
 */
export function parseChain(
  m: SplitManifest,
  metas: readonly Pick<ModelMeta, "identity" | "publicSignals">[],
  proofJson: unknown,
  publicJson: unknown,
  files: ChainFileNames = DEFAULT_FILES,
): ParsedChain {
  if (metas.length !== m.segments.length)
    throw new Error(`parseChain: ${metas.length} segments given for a split of ${m.segments.length}`);
  const proof = parseChainFile<ChainProofFile>(proofJson, CHAIN_PROOF_FORMAT, files.proof, m);
  if (!Array.isArray(proof.segments) || proof.segments.length !== m.segments.length)
    throw new ZkError(
      "BAD_FILE",
      `${files.proof} has ${Array.isArray(proof.segments) ? proof.segments.length : "no"} segment proofs, the split model ${m.segments.length} segments`,
    );
  const pub = parseChainFile<ChainPublicFile>(publicJson, CHAIN_PUBLIC_FORMAT, files.public, m);
  const all = parsePublic(pub.signals, files.public);
  const counts = metas.map((s) => s.publicSignals.count);
  const total = counts.reduce((a, b) => a + b, 0);
  if (all.length !== total)
    throw new ZkError(
      "BAD_FILE",
      `${files.public} has ${all.length} public signals, the split model's segments take ${total} (${counts.join(" + ")})`,
    );
  const signals = counts.map((n, i) => {
    const at = counts.slice(0, i).reduce((a, b) => a + b, 0);
    return all.slice(at, at + n);
  });
  metas.forEach((s, i) => {
    const want = m.segments[i]!;
    if (s.identity.circuitSha256 !== want.circuitSha256)
      throw new ZkError(
        "BAD_FILE",
        `segment ${i}'s model.json is for another circuit than the manifest's (a segment of another model or split)`,
      );
    if (!want.verificationKeySha256)
      throw new ZkError(
        "BAD_FILE",
        `the manifest records no key for segment ${i}: run \`zkinfer setup\` on the split model`,
      );
    if (s.identity.verificationKeySha256 !== want.verificationKeySha256)
      throw new ZkError("BAD_FILE", `segment ${i}'s model.json records another key than the manifest: set up again`);
    for (const k of ["chainIn", "chainOut"] as const) {
      const at = want[k];
      if (at !== null && at >= s.publicSignals.count)
        throw new ZkError(
          "BAD_FILE",
          `the manifest's segment ${i} ${k} is public signal ${at}, but the segment has ${s.publicSignals.count}`,
        );
    }
    const entry = proof.segments[i];
    if (!entry || entry.index !== i)
      throw new ZkError(
        "BAD_FILE",
        `${files.proof}: entry ${i} is ${entry ? `segment ${entry.index}'s proof` : "missing"}: the segments' proofs are out of order`,
      );
    if (entry.verificationKeySha256 !== want.verificationKeySha256)
      throw new ZkError(
        "BAD_FILE",
        `${files.proof}: segment ${i}'s proof was made with another key (${String(entry.verificationKeySha256).slice(0, 16)}…, this split's segment ${i} has ${want.verificationKeySha256.slice(0, 16)}…): a proof from another model or split`,
      );
  });
  const proofs = proof.segments.map((e, i) => parseProof(e.proof, `${files.proof} segment ${i}`));
  return { proofs, signals };
}

export async function verifyChainParsed(
  m: SplitManifest,
  segs: readonly ChainSegment[],
  proofJson: unknown,
  publicJson: unknown,
  files: ChainFileNames = DEFAULT_FILES,
): Promise<ChainVerifyResult> {
  const { proofs, signals } = parseChain(
    m,
    segs.map((s) => s.meta),
    proofJson,
    publicJson,
    files,
  );
  const results: VerifyResult[] = [];
  for (const [i, s] of segs.entries()) results.push(await verifyParsed(s.vk, s.meta, proofs[i]!, [...signals[i]!]));
  const outputs = chainOutputs(
    segs.map((s) => s.meta),
    signals,
  );
  const last = results[results.length - 1]!;
  const base = {
    outputs,
    output: outputs.find((o) => o.role === "output")?.values ?? [],
    development: results.some((r) => r.development),
    modelSha256: m.model.sha256,
    model: { ...last.model, name: m.model.file },
    checks: [],
    segments: m.segments.length,
    splitId: m.splitId,
  };
  const i = brokenLink(m, signals);
  if (i >= 0) {
    const out = signals[i]![m.segments[i]!.chainOut!]!;
    const into = signals[i + 1]![m.segments[i + 1]!.chainIn!]!;
    return {
      valid: false,
      reason: `the chain is broken between segments ${i} and ${i + 1}: segment ${i}'s output commitment ${out} is not segment ${i + 1}'s input commitment ${into}`,
      ...base,
    };
  }
  const bad = results.findIndex((r) => !r.valid);
  if (bad >= 0)
    return {
      valid: false,
      reason: `segment ${bad}'s proof does not verify against its key (a changed signal, or another segment's proof): ${results[bad]!.reason}`,
      ...base,
    };
  return { valid: true, ...base };
}
