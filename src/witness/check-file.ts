/** `zkinfer check`: a .wtns file against the compiled circuit (like snarkjs's `wtns check`). */
import { artifact, readModelMeta } from "../artifacts.js";
import { readFileOrFail } from "../util/fsx.js";
import { sha256Hex } from "../util/hash.js";
import { readR1cs } from "../formats/r1cs.js";
import { readWtns, witnessValues } from "../formats/wtns.js";
import { checkR1cs, type CheckResult } from "./check.js";
import { ZkError } from "../errors.js";

export async function checkWitnessFile(dir: string, wtnsFile = artifact(dir, "witness")): Promise<CheckResult> {
  const meta = await readModelMeta(dir);
  const r1csFile = artifact(dir, "r1cs");
  const r1csBytes = await readFileOrFail(r1csFile, "circuit");
  if (sha256Hex(r1csBytes) !== meta.circuit.r1csSha256)
    throw new ZkError("BAD_FILE", `${r1csFile} does not match model.json (corrupted or edited); recompile`);
  const r1cs = readR1cs(r1csBytes, r1csFile);
  const wtns = readWtns(await readFileOrFail(wtnsFile, "witness"), wtnsFile);
  if (wtns.nWires !== r1cs.nWires)
    throw new ZkError("BAD_FILE", `witness length: circuit ${r1cs.nWires} wires, ${wtnsFile} ${wtns.nWires}`);
  return checkR1cs(r1cs, witnessValues(wtns));
}
