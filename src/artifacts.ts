/**
 * The circuit directory: what `compile` writes and every later command reads.
 *
 *   model.json              metadata: model hash, scales, shapes, public-signal layout, costs
 *   circuit.r1cs / .sym     the constraint system (iden3 formats, readable by snarkjs)
 *   plan.json               the witness plan, with the quantized weights
 *   circuit.zkey            (setup) Groth16 proving key
 *   verification_key.json   (setup) snarkjs verification key
 *   setup.json              (setup) where the key came from: ptau, r1cs hash, dev-only flag
 *   proof.json public.json witness.wtns   (prove, by default into the same directory)
 */
import * as path from "node:path";
import type { WitnessPlan } from "./circuit/plan.js";
import { ZkError } from "./errors.js";
import { parseModelMeta, type ModelMeta } from "./model-meta.js";
import { readFileOrFail, readJsonFile } from "./util/fsx.js";
import { sha256Hex } from "./util/hash.js";

export const FILES = {
  model: "model.json",
  r1cs: "circuit.r1cs",
  sym: "circuit.sym",
  plan: "plan.json",
  zkey: "circuit.zkey",
  vkey: "verification_key.json",
  setup: "setup.json",
  proof: "proof.json",
  public: "public.json",
  witness: "witness.wtns",
} as const;

export function artifact(dir: string, name: keyof typeof FILES): string {
  return path.join(dir, FILES[name]);
}

export { MODEL_FORMAT, MODEL_VERSION, parseModelMeta, type ModelMeta, type PublicEntry } from "./model-meta.js";

/** Reads model.json and checks the fields later stages rely on. */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  const file = artifact(dir, "model");
  return parseModelMeta(await readJsonFile(file, "model metadata (run `zkinfer compile` first)"), file);
}

// ---- plan.json: JSON with typed arrays as base64 (weights dominate its size) ----

type Encoded = { $typed: "f64" | "i32"; enc: "f64" | "i32"; b64: string };

function toBase64(a: Float64Array | Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

function encodeTyped(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) {
    // integer-valued weights that fit 32 bits are stored as such: half the size
    const fits = value.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31);
    return { $typed: "f64", enc: fits ? "i32" : "f64", b64: toBase64(fits ? Int32Array.from(value) : value) } satisfies Encoded;
  }
  if (value instanceof Int32Array) return { $typed: "i32", enc: "i32", b64: toBase64(value) } satisfies Encoded;
  return value;
}

function decodeTyped(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && "$typed" in value) {
    const e = value as Encoded;
    const buf = Buffer.from(e.b64, "base64");
    const bytes = new Uint8Array(buf); // copy: aligned, exclusively ours
    if (bytes.byteLength % (e.enc === "f64" ? 8 : 4) !== 0) throw new ZkError("BAD_FILE", "plan.json: a typed array has a bad length");
    const raw = e.enc === "f64" ? new Float64Array(bytes.buffer) : new Int32Array(bytes.buffer);
    if (e.$typed === "i32") return raw instanceof Int32Array ? raw : Int32Array.from(raw);
    return raw instanceof Float64Array ? raw : Float64Array.from(raw);
  }
  return value;
}

export function serializePlan(plan: WitnessPlan): string {
  return JSON.stringify({ format: "zkinfer-plan", version: 1, plan }, encodeTyped);
}

/** Reads plan.json; with `meta`, also checks it is the plan that model.json was compiled with. */
export async function readPlan(dir: string, meta?: ModelMeta): Promise<WitnessPlan> {
  const file = artifact(dir, "plan");
  const bytes = await readFileOrFail(file, "witness plan (run `zkinfer compile` first)");
  if (meta && sha256Hex(bytes) !== meta.circuit.planSha256) {
    throw new ZkError("BAD_FILE", `${file} does not match model.json (corrupted or edited); recompile the model`);
  }
  const text = new TextDecoder().decode(bytes);
  let j: { format?: string; version?: number; plan?: WitnessPlan };
  try {
    j = JSON.parse(text, decodeTyped) as typeof j;
  } catch (e) {
    if (e instanceof ZkError) throw e;
    throw new ZkError("BAD_FILE", `${file}: not valid JSON (${(e as Error).message})`);
  }
  if (j?.format !== "zkinfer-plan" || j.version !== 1 || !j.plan || !Array.isArray(j.plan.steps)) {
    throw new ZkError("BAD_FILE", `${file}: not a zkinfer witness plan (version 1); recompile the model`);
  }
  return j.plan;
}
