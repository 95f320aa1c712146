/**
 * The `verify` verb on files: reads the verification key, model.json, proof and public
 * signals (parsing them with verify/core.ts), verifies, and checks the verifier's own input,
 * model or claimed output against the proof's commitments when asked.
 */
import { artifact, readModelMeta, readSplitManifest, segmentPath } from "../artifacts.js";
import { verifyChainParsed, type ChainSegment, type ChainVerifyResult } from "./chain.js";
import { readFileOrFail, readJsonFile } from "../util/fsx.js";
import { ZkError } from "../errors.js";
import type { SplitManifest } from "../meta/split.js";
import { checkOpenings } from "./commitments.js";
import { parseProof, parsePublic, parseVkey, verifyParsed, type VerifyResult } from "./core.js";

export type { VerifyResult } from "./core.js";

export interface VerifyFiles {
  readonly proof?: string;
  readonly public?: string;
  /** check this input file against the proof (its commitment, or its public values) */
  readonly input?: string;
  /** the salt of a salted input commitment ({"salt": ...}, as prove writes to input_salt.json) */
  readonly inputSalt?: string;
  /** check this ONNX model against the proof's parameter commitment (or the compiled model) */
  readonly params?: string;
  /** check this claimed output against the proof (its commitment, or its public values) */
  readonly output?: string;
}

export async function verifyDir(dir: string, files: VerifyFiles = {}): Promise<VerifyResult> {
  const meta = await readModelMeta(dir);
  const vkFile = artifact(dir, "vkey");
  const vk = parseVkey(await readJsonFile(vkFile, "verification key (run `zkinfer setup` first)"), vkFile);
  const proofFile = files.proof ?? artifact(dir, "proof");
  const publicFile = files.public ?? artifact(dir, "public");
  const proof = parseProof(await readJsonFile(proofFile, "proof"), proofFile);
  const pub = parsePublic(await readJsonFile(publicFile, "public signals"), publicFile);
  const result = await verifyParsed(vk, meta, proof, pub);
  const json = async (file: string | undefined, what: string) =>
    file ? { json: await readJsonFile(file, what), name: file } : undefined;
  const checks = await checkOpenings(meta, result.outputs, {
    input: await json(files.input, "input file"),
    inputSalt: await json(files.inputSalt, "salt file"),
    params: files.params ? { bytes: await readFileOrFail(files.params, "model"), name: files.params } : undefined,
    output: await json(files.output, "output file"),
  });
  return { ...result, checks };
}

/** Each segment's model.json and verification key, from a split model's directory. */
export async function readChainSegments(dir: string, m: SplitManifest): Promise<ChainSegment[]> {
  const segs: ChainSegment[] = [];
  for (let i = 0; i < m.segments.length; i++) {
    const seg = segmentPath(dir, m, i);
    const vkFile = artifact(seg, "vkey");
    segs.push({
      meta: await readModelMeta(seg),
      vk: parseVkey(await readJsonFile(vkFile, "verification key (run `zkinfer setup` first)"), vkFile),
    });
  }
  return segs;
}

/** verify on a split model's directory: every segment's key and model.json, then the chain (chain.ts). */
export async function verifySplitDir(dir: string, files: VerifyFiles = {}): Promise<ChainVerifyResult> {
  const m = await readSplitManifest(dir);
  if (files.params)
    throw new ZkError(
      "BAD_OPTION",
      "--params: a split model's weights are fixed in its segments' keys; there is nothing to check",
    );
  const segs = await readChainSegments(dir, m);
  const proofFile = files.proof ?? artifact(dir, "proof");
  const publicFile = files.public ?? artifact(dir, "public");
  const result = await verifyChainParsed(
    m,
    segs,
    await readJsonFile(proofFile, "proof"),
    await readJsonFile(publicFile, "public signals"),
    { proof: proofFile, public: publicFile },
  );
  const json = async (file: string | undefined, what: string) =>
    file ? { json: await readJsonFile(file, what), name: file } : undefined;
  const checks = [
    ...(await checkOpenings(segs[0]!.meta, result.outputs, {
      input: await json(files.input, "input file"),
      inputSalt: await json(files.inputSalt, "salt file"),
    })),
    ...(await checkOpenings(segs[segs.length - 1]!.meta, result.outputs, {
      output: await json(files.output, "output file"),
    })),
  ];
  return { ...result, checks };
}
