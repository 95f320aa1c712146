/**
 * The `verify` verb on files: reads the verification key, model.json, proof and public
 * signals (parsing them with verify/core.ts), verifies, and checks the verifier's own input,
 * model or claimed output against the proof's commitments when asked.
 */
import { artifact, readModelMeta } from "../artifacts.js";
import { readFileOrFail, readJsonFile } from "../util/fsx.js";
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
