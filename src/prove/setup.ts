/**
 * The `setup` verb: Groth16 keys for a compiled circuit. With a user's ptau (--ptau), snarkjs
 * builds the zkey from the r1cs and that file, and one random phase-2 contribution makes delta
 * secret. A development setup needs no ptau file: the key is written directly from freshly
 * drawn secrets (dev-zkey.ts), the same file snarkjs would make from a development ptau of
 * those secrets, in a fraction of the time and memory. Either way the verification key is
 * exported. Keys are content-addressed: setup.json records the r1cs hash,
 * and a later setup of the same circuit is skipped unless forced.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import * as snarkjs from "snarkjs";
import { artifact, readModelMeta, type ModelMeta } from "../artifacts.js";
import { verificationKeySha256 } from "../meta/identity.js";
import { exists, produceFileAtomic, readFileOrFail, readJsonFile, writeJsonAtomic } from "../util/fsx.js";
import { sha256Hex } from "../util/hash.js";
import { ZkError } from "../errors.js";
import type { Progress } from "../util/progress.js";
import { checkUserPtau, drawSecrets, inspectUserPtau, randomScalar } from "./ptau.js";
import { writeDevZkey } from "./dev-zkey.js";
import type { PtauVerdict } from "./ptau-trust.js";
import { snarkLogger } from "./logger.js";
import { checkResources } from "./resources.js";
import { VERSION } from "../version.js";

export const DEV_WARNING =
  "DEVELOPMENT ONLY: this key was made from secrets drawn on the machine that ran setup (no ceremony); " +
  "anyone holding them could forge proofs. For production, run setup with --ptau <ceremony file>.";

export interface SetupOptions {
  readonly ptau?: string;
  readonly force?: boolean;
  readonly progress?: Progress;
}

export interface SetupInfo {
  readonly format: "zkinfer-setup";
  readonly zkinfer: string;
  readonly protocol: "groth16";
  readonly r1csSha256: string;
  readonly zkeySha256: string;
  /** the verification key's hash (meta/identity.ts), also recorded in model.json */
  readonly verificationKeySha256: string;
  /**
   * `check`: how the ptau earned its use (absent in records written before files were
   * checked); `direct` for a development key written from its secrets, with no ptau file
   * (`file` is then empty).
   */
  readonly ptau: {
    readonly file: string;
    readonly power: number;
    readonly development: boolean;
    readonly check?: PtauVerdict | DirectKey;
  };
  readonly warning?: string;
}

/** A development key made with no ptau file, on the domain of 2^power (dev-zkey.ts). */
export interface DirectKey {
  readonly method: "direct";
  readonly power: number;
}

export interface SetupResult {
  readonly info: SetupInfo;
  readonly skipped: boolean;
  /** Always false now: kept for callers of the days when a development setup generated a ptau file. */
  readonly ptauGenerated: boolean;
  /** Things the caller should tell the user (none since development setups read no ptau file). */
  readonly warnings: readonly string[];
}

export async function setupDir(dir: string, opts: SetupOptions = {}): Promise<SetupResult> {
  const meta = await readModelMeta(dir);
  const r1csFile = artifact(dir, "r1cs");
  const r1cs = await readFileOrFail(r1csFile, "circuit (run `zkinfer compile` first)");
  const r1csSha = sha256Hex(r1cs);
  if (r1csSha !== meta.circuit.r1csSha256) {
    throw new ZkError("BAD_FILE", `${r1csFile} does not match model.json (hash differs); recompile the model`);
  }
  const power = meta.circuit.ptauPower;
  checkResources(opts.ptau ? "setup-ptau" : "setup", meta.circuit.constraints, meta.circuit.wires, power);
  const wantDev = !opts.ptau;
  const userFile = opts.ptau ? path.resolve(opts.ptau) : undefined;
  // a bad --ptau header is an error even when keys exist; its points are checked only if setup will read them
  if (userFile) await inspectUserPtau(userFile, power);
  const previous = await readSetupInfo(dir).catch(() => null);
  const have = (await exists(artifact(dir, "zkey"))) && (await exists(artifact(dir, "vkey")));
  const samePtau = previous && previous.ptau.development === wantDev && (wantDev || previous.ptau.file === userFile);
  // keys made before ptau files were checked (no ptau.check), or before keys were hashed, are made again
  if (
    !opts.force &&
    previous?.ptau.check &&
    previous.verificationKeySha256 &&
    have &&
    previous.r1csSha256 === r1csSha &&
    samePtau
  ) {
    // a recompile of the same circuit rewrote model.json: give it back the key's hash
    await recordKey(dir, meta, previous.verificationKeySha256);
    return { info: previous, skipped: true, ptauGenerated: false, warnings: [] };
  }
  const zkeyFile = artifact(dir, "zkey");
  const made = userFile
    ? await snarkjsKey(r1csFile, zkeyFile, await preparePtau(userFile, power, opts.progress), opts.progress)
    : await directKey(r1csFile, zkeyFile, power, opts.progress);
  const vk = await snarkjs.zKey.exportVerificationKey(zkeyFile, snarkLogger("export", opts.progress));
  const devMark = wantDev ? { zkinfer: { development: true, warning: DEV_WARNING } } : {};
  await writeJsonAtomic(artifact(dir, "vkey"), { ...vk, ...devMark });
  const vkSha = await verificationKeySha256(vk);
  const info: SetupInfo = {
    format: "zkinfer-setup",
    zkinfer: VERSION,
    protocol: "groth16",
    r1csSha256: r1csSha,
    zkeySha256: sha256Hex(await readFileOrFail(zkeyFile, "proving key")),
    verificationKeySha256: vkSha,
    ptau: { file: made.file, power: made.power, development: wantDev, check: made.check },
    ...(wantDev ? { warning: DEV_WARNING } : {}),
  };
  await writeJsonAtomic(artifact(dir, "setup"), info);
  await recordKey(dir, meta, vkSha);
  opts.progress?.done();
  return { info, skipped: false, ptauGenerated: false, warnings: [] };
}

/** How the key was made: the ptau it was made from (none for a direct one), its power, the check. */
interface MadeKey {
  readonly file: string;
  readonly power: number;
  readonly check: PtauVerdict | DirectKey;
}

/** The user's ptau, checked (ptau-trust.ts) before anything is written. */
async function preparePtau(userFile: string, power: number, progress?: Progress): Promise<MadeKey> {
  const user = await checkUserPtau(userFile, power, { progress });
  return { file: userFile, power: user.info.power, check: user.verdict };
}

/** snarkjs's route, for a user's ptau: `zkey new`, then one random contribution (delta). */
async function snarkjsKey(r1csFile: string, zkeyFile: string, ptau: MadeKey, progress?: Progress): Promise<MadeKey> {
  const stage0 = `${zkeyFile}.0.tmp-${process.pid}`;
  try {
    const log0 = snarkLogger("setup", progress);
    const res = await snarkjs.zKey.newZKey(r1csFile, ptau.file, stage0, log0);
    if (res === -1 || log0.errors.length)
      throw new ZkError("BAD_FILE", `snarkjs setup failed: ${log0.errors.join("; ") || "unknown error"}`);
    await produceFileAtomic(zkeyFile, async (tmp) => {
      const log1 = snarkLogger("contribute", progress);
      await snarkjs.zKey.contribute(stage0, tmp, "zkinfer setup", randomBytes(32).toString("hex"), log1);
      if (log1.errors.length) throw new ZkError("BAD_FILE", `snarkjs contribution failed: ${log1.errors.join("; ")}`);
    });
  } finally {
    await fs.rm(stage0, { force: true });
  }
  return ptau;
}

/**
 * A development key from fresh secrets, no ptau file (dev-zkey.ts); `power` is model.json's,
 * which the secrets are drawn for (tau off its domains), and the file's own is recorded.
 */
async function directKey(r1csFile: string, zkeyFile: string, power: number, progress?: Progress): Promise<MadeKey> {
  const secrets = { ...drawSecrets(power), delta: randomScalar() };
  const made = await writeDevZkey(r1csFile, zkeyFile, secrets, { progress });
  return { file: "", power: made.power, check: { method: "direct", power: made.power } };
}
/** model.json with the verification key's hash in its identity (atomically; unchanged if already so). */
async function recordKey(dir: string, meta: ModelMeta, vkSha: string): Promise<void> {
  if (meta.identity.verificationKeySha256 === vkSha) return;
  await writeJsonAtomic(artifact(dir, "model"), {
    ...meta,
    identity: { ...meta.identity, verificationKeySha256: vkSha },
  });
}

export async function readSetupInfo(dir: string): Promise<SetupInfo> {
  const j = (await readJsonFile(artifact(dir, "setup"), "setup record (run `zkinfer setup` first)")) as SetupInfo;
  if (j?.format !== "zkinfer-setup" || typeof j.r1csSha256 !== "string" || !j.ptau) {
    throw new ZkError("BAD_FILE", `${artifact(dir, "setup")}: not a zkinfer setup record; run \`zkinfer setup\` again`);
  }
  return j;
}
