/**
 * plan.json: the witness plan as JSON, typed arrays as base64 (weights dominate its size).
 * Pure text in and out, so browsers (the proving page) read plans too; artifacts.ts does the files.
 */
import type { WitnessPlan } from "./plan.js";
import { ZkError } from "../errors.js";
import { fromBase64, toBase64 } from "../util/base64.js";

type Encoded = { $typed: "f64" | "i32"; enc: "f64" | "i32"; b64: string };

const bytesOf = (a: Float64Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function encodeTyped(_key: string, value: unknown): unknown {
  if (value instanceof Float64Array) {
    // integer-valued weights that fit 32 bits are stored as such: half the size
    const fits = value.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31);
    return {
      $typed: "f64",
      enc: fits ? "i32" : "f64",
      b64: toBase64(bytesOf(fits ? Int32Array.from(value) : value)),
    } satisfies Encoded;
  }
  if (value instanceof Int32Array)
    return { $typed: "i32", enc: "i32", b64: toBase64(bytesOf(value)) } satisfies Encoded;
  return value;
}

function decodeTyped(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && "$typed" in value) {
    const e = value as Encoded;
    const bytes = fromBase64(e.b64);
    if (bytes.byteLength % (e.enc === "f64" ? 8 : 4) !== 0)
      throw new ZkError("BAD_FILE", "plan.json: a typed array has a bad length");
    const raw = e.enc === "f64" ? new Float64Array(bytes.buffer) : new Int32Array(bytes.buffer);
    if (e.$typed === "i32") return raw instanceof Int32Array ? raw : Int32Array.from(raw);
    return raw instanceof Float64Array ? raw : Float64Array.from(raw);
  }
  return value;
}

export function serializePlan(plan: WitnessPlan): string {
  return JSON.stringify({ format: "zkinfer-plan", version: 1, plan }, encodeTyped);
}

/** Parses plan.json's text; `file` names it in errors. */
export function parsePlan(text: string, file: string): WitnessPlan {
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
