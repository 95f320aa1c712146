/**
 * The `setup` verb: Groth16 keys for a compiled circuit. snarkjs builds the zkey from the
 * r1cs and a prepared ptau, one random phase-2 contribution makes delta secret, and the
 * verification key is exported. Keys are content-addressed: setup.json records the r1cs hash,
 * and a later setup of the same circuit is skipped unless forced.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import * as snarkjs from "snarkjs";
import { artifact, readModelMeta } from "../artifacts.js";
import { exists, produceFileAtomic, readFileOrFail, readJsonFile, writeJsonAtomic } from "../util/fsx.js";
import { sha256Hex } from "../util/hash.js";
import { ZkError } from "../errors.js";
import type { Progress } from "../util/progress.js";
import { checkUserPtau, ensureDevPtau } from "./ptau.js";
import type { PtauVerdict } from "./ptau-trust.js";
import { snarkLogger } from "./logger.js";
import { checkResources } from "./resources.js";
import { VERSION } from "../version.js";

export const DEV_WARNING =
  "DEVELOPMENT ONLY: this key comes from a locally generated powers-of-tau file whose secrets existed on the machine " +
  "that made it; anyone holding them could forge proofs. For production, run setup with --ptau <ceremony file>.";

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
  /** `check`: how the ptau earned its use (absent in records written before files were checked). */
  readonly ptau: { readonly file: string; readonly power: number; readonly development: boolean; readonly check?: PtauVerdict };
  readonly warning?: string;
}

export interface SetupResult {
  readonly info: SetupInfo;
  readonly skipped: boolean;
  readonly ptauGenerated: boolean;
  /** Things the caller should tell the user (a cached ptau that failed its check and was remade). */
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
  // the ptau is checked (or generated) first: a bad --ptau is an error even when keys exist
  const power = meta.circuit.ptauPower;
  checkResources("setup", meta.circuit.constraints, meta.circuit.wires, power);
  const wantDev = !opts.ptau;
  let ptauFile: string;
  let ptauPower: number;
  let check: PtauVerdict;
  let generated = false;
  const warnings: string[] = [];
  if (opts.ptau) {
    ptauFile = path.resolve(opts.ptau);
    const user = await checkUserPtau(ptauFile, power, { progress: opts.progress });
    ptauPower = user.info.power;
    check = user.verdict;
  } else {
    const dev = await ensureDevPtau(power, opts.progress);
    ptauFile = dev.file;
    ptauPower = power;
    check = dev.verdict;
    generated = dev.generated;
    if (dev.warning) warnings.push(dev.warning);
  }
  const previous = await readSetupInfo(dir).catch(() => null);
  const have = (await exists(artifact(dir, "zkey"))) && (await exists(artifact(dir, "vkey")));
  const samePtau = previous && previous.ptau.development === wantDev && (wantDev || previous.ptau.file === ptauFile);
  if (!opts.force && previous && have && previous.r1csSha256 === r1csSha && samePtau) {
    return { info: previous, skipped: true, ptauGenerated: generated, warnings };
  }

  const zkeyFile = artifact(dir, "zkey");
  const stage0 = `${zkeyFile}.0.tmp-${process.pid}`;
  try {
    const log0 = snarkLogger("setup", opts.progress);
    const res = await snarkjs.zKey.newZKey(r1csFile, ptauFile, stage0, log0);
    if (res === -1 || log0.errors.length) throw new ZkError("BAD_FILE", `snarkjs setup failed: ${log0.errors.join("; ") || "unknown error"}`);
    await produceFileAtomic(zkeyFile, async (tmp) => {
      const log1 = snarkLogger("contribute", opts.progress);
      await snarkjs.zKey.contribute(stage0, tmp, "zkinfer setup", randomBytes(32).toString("hex"), log1);
      if (log1.errors.length) throw new ZkError("BAD_FILE", `snarkjs contribution failed: ${log1.errors.join("; ")}`);
    });
  } finally {
    await fs.rm(stage0, { force: true });
  }
  const vk = await snarkjs.zKey.exportVerificationKey(zkeyFile, snarkLogger("export", opts.progress));
  const devMark = wantDev ? { zkinfer: { development: true, warning: DEV_WARNING } } : {};
  await writeJsonAtomic(artifact(dir, "vkey"), { ...vk, ...devMark });
  const info: SetupInfo = {
    format: "zkinfer-setup",
    zkinfer: VERSION,
    protocol: "groth16",
    r1csSha256: r1csSha,
    zkeySha256: sha256Hex(await readFileOrFail(zkeyFile, "proving key")),
    ptau: { file: ptauFile, power: ptauPower, development: wantDev, check },
    ...(wantDev ? { warning: DEV_WARNING } : {}),
  };
  await writeJsonAtomic(artifact(dir, "setup"), info);
  opts.progress?.done();
  return { info, skipped: false, ptauGenerated: generated, warnings };
}

export async function readSetupInfo(dir: string): Promise<SetupInfo> {
  const j = (await readJsonFile(artifact(dir, "setup"), "setup record (run `zkinfer setup` first)")) as SetupInfo;
  if (j?.format !== "zkinfer-setup" || typeof j.r1csSha256 !== "string" || !j.ptau) {
    throw new ZkError("BAD_FILE", `${artifact(dir, "setup")}: not a zkinfer setup record; run \`zkinfer setup\` again`);
  }
  return j;
}
