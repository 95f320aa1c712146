/**
 * A circuit loaded once and kept in memory for many jobs: model.json, the witness plan with a
 * witness generator (the wasm kernels laid out once), the verification key and, for provers,
 * the proving key, opened once (prove/groth16.ts: its points held by the prover's threads, so
 * no job re-reads or re-hashes the file). Workers prove with it; the service computes the public signals an honest proof of a
 * task must have, and verifies against the key.
 *
 * Loading checks what `zkinfer prove` checks (src/prove/prove.ts openProver: the key was made
 * for this circuit, the zkey is the one setup made, the plan is model.json's) plus the
 * content address: model.json and the verification key both hash to the circuit's id.
 */
import type { Groth16Proof, VerificationKey } from "snarkjs";
import { artifact, readModelMeta, readPlan, type ModelMeta } from "../artifacts.js";
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import { readSetupInfo } from "../prove/setup.js";
import { checkResources } from "../prove/resources.js";
import { openCheckedKey, type Groth16Prover } from "../prove/groth16.js";
import { parseVkey } from "../verify/core.js";
import { checkModelKey } from "../meta/identity.js";
import { witnessGenerator, type Backend, type WitnessGenerator } from "../witness/witness.js";
import { wtnsLayout } from "../formats/wtns.js";
import type { IntTensor, PlanValue } from "../quantize/qgraph.js";
import { readJsonFile } from "../util/fsx.js";
import { ZkError } from "../errors.js";
import type { SaltRole } from "../meta/model.js";

export interface LoadedCircuit {
  readonly id: string;
  readonly meta: ModelMeta;
  readonly plan: WitnessPlan;
  readonly vk: VerificationKey;
  readonly development: boolean;
  /** the witness (its .wtns bytes, a copy) and outputs for a quantized input and salts; calls run one at a time */
  witness(
    input: IntTensor,
    salts: Salts,
  ): Promise<{ readonly wtns: Uint8Array; readonly outputs: readonly PlanValue[] }>;
  /** whether its prover lost a thread (it then fails every proof: load the circuit again) */
  readonly broken: boolean;
  /** Groth16 over a witness of this circuit (provers only: loaded with `prover: true`) */
  prove(wtns: Uint8Array): Promise<{ readonly proof: Groth16Proof; readonly publicSignals: string[] }>;
  close(): Promise<void>;
}

/** Circuits loaded by id, once each (the service's: verification side, witnesses for split plans). */
export interface CircuitLoader {
  get(id: string): Promise<LoadedCircuit>;
}

export interface LoadOptions {
  /** keep the proving key in memory (workers); the service only verifies */
  readonly prover: boolean;
  readonly backend?: Backend;
}

/** Runs calls one at a time (the wasm generator's output is a view, valid until its next call). */
function serialized(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

export async function loadCircuit(dir: string, id: string, opts: LoadOptions): Promise<LoadedCircuit> {
  const meta = await readModelMeta(dir);
  if (meta.identity.verificationKeySha256 !== id) {
    throw new ZkError(
      "BAD_FILE",
      `${dir}: model.json is for key ${meta.identity.verificationKeySha256?.slice(0, 12) ?? "(none: not set up)"}…, not ${id.slice(0, 12)}…`,
    );
  }
  const vkFile = artifact(dir, "vkey");
  const vk = parseVkey(await readJsonFile(vkFile, "verification key"), vkFile);
  await checkModelKey(vk, meta);
  const setup = await readSetupInfo(dir);
  if (setup.r1csSha256 !== meta.circuit.r1csSha256)
    throw new ZkError("BAD_FILE", `${dir}: the proving key was made for a different circuit`);
  const plan = await readPlan(dir, meta);
  let key: Groth16Prover | null = null;
  if (opts.prover) {
    checkResources("prove", meta.circuit.constraints, meta.circuit.wires, meta.circuit.ptauPower);
    key = await openCheckedKey(artifact(dir, "zkey"), setup.zkeySha256, "");
  }
  const gen: WitnessGenerator = await witnessGenerator(plan, { backend: opts.backend ?? "wasm", threads: 1 }).catch(
    async (e: unknown) => {
      await key?.close();
      throw e;
    },
  );
  const oneAtATime = serialized();
  return {
    id,
    meta,
    plan,
    vk,
    development: setup.ptau.development,
    get broken() {
      return key?.failed ?? false;
    },
    witness: (input, salts) =>
      oneAtATime(async () => {
        const w = await gen.witness(input, salts);
        return { wtns: w.wtns.slice(), outputs: w.outputs };
      }),
    async prove(wtns) {
      if (!key) throw new Error(`circuit ${id} was loaded without its proving key`);
      const r = await key.prove(wtns);
      if (r.publicSignals.length !== meta.publicSignals.count) {
        throw new ZkError(
          "BAD_FILE",
          `the proving key has ${r.publicSignals.length} public signals but model.json says ${meta.publicSignals.count}`,
        );
      }
      return r;
    },
    close: async () => {
      try {
        await gen.close();
      } finally {
        await key?.close();
      }
    },
  };
}

/** The public signals a proof of this witness has: wires 1..n, as snarkjs writes them (decimal). */
export function publicSignalsOf(wtns: Uint8Array, nWires: number, nPublic: number): string[] {
  const { dataOffset } = wtnsLayout(nWires);
  const out: string[] = [];
  for (let i = 1; i <= nPublic; i++) {
    let v = 0n;
    const at = dataOffset + 32 * i;
    for (let b = 31; b >= 0; b--) v = (v << 8n) | BigInt(wtns[at + b]!);
    out.push(v.toString());
  }
  return out;
}

/** Salts as they travel in job data (decimal strings) and as the witness takes them. */
export type SaltStrings = Readonly<Partial<Record<SaltRole, string>>>;

export function saltsFromStrings(s: SaltStrings): Salts {
  const out: Partial<Record<SaltRole, bigint>> = {};
  for (const [role, v] of Object.entries(s) as [SaltRole, string][]) out[role] = BigInt(v);
  return out;
}

export function saltsToStrings(s: Salts): SaltStrings {
  const out: Partial<Record<SaltRole, string>> = {};
  for (const [role, v] of Object.entries(s) as [SaltRole, bigint][]) out[role] = v.toString();
  return out;
}
