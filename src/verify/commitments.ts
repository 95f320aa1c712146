/**
 * Checking what a proof commits to, from the files a verifier holds: an input file, the
 * model's ONNX file, a claimed output file. A hashed tensor is re-quantized exactly as the
 * prover's side did (the scales and packing are in model.json), packed, and hashed with
 * circomlib's Poseidon (circuit/gadgets/commit.ts); a public tensor is compared directly.
 */
import type { ModelMeta, PublicEntry } from "../artifacts.js";
import type { DecodedTensor } from "./decode.js";
import { commitValues } from "../circuit/gadgets/commit.js";
import { parseInputJson, quantizeInput } from "../quantize/input.js";
import { flattenNumbers } from "../quantize/calibration.js";
import { quantizeTensor } from "../quantize/params.js";
import { importOnnx } from "../model/import.js";
import type { Tensor } from "../model/graph.js";
import { ZkError } from "../errors.js";
import { sha256Hex } from "../util/hash.js";
import { qinputOf } from "../prove/qinput.js";
import type { CommitmentCheck } from "./core.js";

export type { CommitmentCheck };

function entry(meta: ModelMeta, role: PublicEntry["role"]): PublicEntry | undefined {
  return meta.publicSignals.layout.find((e) => e.role === role);
}

function hashOf(decoded: readonly DecodedTensor[], role: PublicEntry["role"]): bigint {
  return BigInt(decoded.find((d) => d.role === role)!.hash!);
}

function sameInts(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => v === b[i]);
}

/** The input file against the proof: its commitment (hashed) or its public values (public). */
export function checkInput(meta: ModelMeta, decoded: readonly DecodedTensor[], inputJson: unknown, file: string): CommitmentCheck {
  const values = parseInputJson(inputJson, meta.input.shape, file);
  const q = quantizeInput(values, qinputOf(meta), false, file).tensor.data;
  const hashed = entry(meta, "input_hash");
  if (hashed) {
    const match = commitValues([{ values: q, part: hashed.packing![0]! }]) === hashOf(decoded, "input_hash");
    return { what: "input", match, detail: match ? `${file} is the committed input` : `${file} does not match the proof's input commitment` };
  }
  const pub = decoded.find((d) => d.role === "input");
  if (pub) {
    const ints = pub.values.map((v) => Math.round(v * 2 ** meta.input.scale));
    const match = sameInts(ints, q);
    return { what: "input", match, detail: match ? `${file} is the proof's public input` : `${file} differs from the proof's public input` };
  }
  throw new ZkError("BAD_OPTION", "this model's input is private: the proof neither publishes nor commits to it, so there is nothing to check --input against (compile with --input-visibility hashed or public)");
}

/** A model file against the proof: the params commitment (hashed), or the compiled model's hash (fixed). */
export function checkParams(meta: ModelMeta, decoded: readonly DecodedTensor[], onnx: Uint8Array, file: string): CommitmentCheck {
  const hashed = entry(meta, "params_hash");
  if (!hashed) {
    if (meta.options.paramVisibility === "private") {
      throw new ZkError("BAD_OPTION", "this model's parameters are private and uncommitted: the proof says nothing about which weights were used (compile with --param-visibility hashed)");
    }
    const match = sha256Hex(onnx) === meta.model.sha256;
    return { what: "params", match, detail: match ? `${file} is the model this circuit was compiled from (its weights are fixed in the verification key)` : `${file} is not the model this circuit was compiled from (sha256 differs)` };
  }
  const { graph } = importOnnx(onnx, file);
  const parts = meta.params.map((p) => {
    const node = graph.nodes.find((n) => n.name === p.node && n.op.kind === p.kind);
    const t = node && tensorOf(node.op, p.part);
    if (!t) throw new ZkError("BAD_MODEL", `${file}: no ${p.kind} node "${p.node}" with a ${p.part}: not the architecture this circuit was compiled for`);
    const ints = quantizeTensor(t, p.scale).data;
    if (ints.length !== p.count) throw new ZkError("BAD_MODEL", `${file}: node "${p.node}" ${p.part} has ${ints.length} values, the circuit ${p.count}`);
    return { values: ints, part: p };
  });
  // values outside a part's packing range cannot be what was committed (and would not pack injectively)
  const fits = parts.every(({ values, part }) => Array.from(values).every((v) => v >= part.lo && v < part.lo + 2 ** part.bits));
  const match = fits && commitValues(parts) === hashOf(decoded, "params_hash");
  return { what: "params", match, detail: match ? `${file}'s weights are the committed parameters` : `${file}'s weights do not match the proof's parameter commitment` };
}

function tensorOf(op: { kind: string } & Record<string, unknown>, part: string): Tensor | undefined {
  const t = op[part === "weight" ? "weight" : part] as Tensor | null | undefined;
  return t ?? undefined;
}

/** A claimed output against the proof: its commitment (hashed) or the public values. */
export function checkOutput(meta: ModelMeta, decoded: readonly DecodedTensor[], outputJson: unknown, file: string): CommitmentCheck {
  const obj = outputJson as { output?: unknown; outputs?: unknown } | null;
  const raw = obj && typeof obj === "object" ? (obj.outputs ?? (obj.output !== undefined ? [obj.output] : undefined)) : undefined;
  if (!Array.isArray(raw) || raw.length !== meta.outputs.length) {
    throw new ZkError("BAD_INPUT", `${file}: expected {"output": [...]} (or {"outputs": [[...], ...]} for ${meta.outputs.length} outputs)`);
  }
  const ints = meta.outputs.map((o, i) => flattenNumbers(raw[i], `${file}: output ${i}`, "BAD_INPUT").map((v) => Math.round(v * 2 ** o.scale)));
  const hashed = entry(meta, "output_hash");
  if (hashed) {
    const parts = hashed.packing!.map((part, i) => ({ values: ints[i]!, part }));
    const fits = parts.every(({ values, part }) => values.length === part.count && values.every((v) => v >= part.lo && v < part.lo + 2 ** part.bits));
    const match = fits && commitValues(parts) === hashOf(decoded, "output_hash");
    return { what: "output", match, detail: match ? `${file} is the committed output` : `${file} does not match the proof's output commitment` };
  }
  const pub = decoded.filter((d) => d.role === "output");
  const match = pub.every((d, i) => sameInts(d.values.map((v) => Math.round(v * 2 ** meta.outputs[i]!.scale)), ints[i]!));
  return { what: "output", match, detail: match ? `${file} is the proof's public output` : `${file} differs from the proof's public output` };
}
