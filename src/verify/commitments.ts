/**
 * Checking what a proof commits to, from the files a verifier holds: an input file, the
 * model's ONNX file, a claimed output file. A hashed tensor is re-quantized exactly as the
 * prover's side did (the scales and packing are in model.json), packed, and hashed with
 * circomlib's Poseidon (circuit/gadgets/commit.ts) with its salt when it is salted; a public
 * tensor is compared directly. Browser-safe: no Node APIs, so the `zkinfer/verify` module and
 * the verifier page run the same checks as the CLI.
 */
import type { ModelMeta, PublicEntry } from "../meta/model.js";
import type { DecodedTensor } from "../meta/signals.js";
import { commitValues } from "../circuit/gadgets/commit.js";
import { valuesFit } from "../circuit/gadgets/pack.js";
import { parseInputJson, quantizeInput, qinputOf } from "../quantize/input.js";
import { flattenNumbers } from "../quantize/calibration.js";
import { quantizeTensor } from "../quantize/params.js";
import { importOnnx } from "../model/import.js";
import { bindParams } from "../model/params.js";
import { ZkError } from "../errors.js";
import { sha256HexAsync } from "../util/digest.js";
import { parseSalt } from "../circuit/salts.js";
import type { CommitmentCheck } from "./core.js";

export type { CommitmentCheck };

function entry(meta: Pick<ModelMeta, "publicSignals">, role: PublicEntry["role"]): PublicEntry | undefined {
  return meta.publicSignals.layout.find((e) => e.role === role);
}

function hashOf(decoded: readonly DecodedTensor[], role: PublicEntry["role"]): bigint {
  return BigInt(decoded.find((d) => d.role === role)!.hash!);
}

function sameInts(a: readonly bigint[], b: ArrayLike<number>): boolean {
  return a.length === b.length && a.every((v, i) => v === BigInt(b[i]!));
}

/**
 * The salt a salted commitment needs: given explicitly, or the opening file's own "salt"
 * field (prove writes output.json with it); null for an unsalted commitment.
 */
function saltOf(
  e: PublicEntry,
  given: bigint | undefined,
  opening: unknown,
  file: string,
  hint: string,
): bigint | null {
  if (!e.salt) return null;
  if (given !== undefined) return given;
  if (opening && typeof opening === "object" && "salt" in opening) return parseSalt(opening, file);
  throw new ZkError("BAD_OPTION", `the proof's ${e.salt} commitment is salted: give its salt (${hint})`);
}

/**
 * The input file against the proof: its commitment (hashed) or its public values (public). An
 * input outside the accepted range is never the committed one (the circuit range-checks its
 * input), so it is a mismatch that says so, not a value silently clamped into range.
 */
export function checkInput(
  meta: ModelMeta,
  decoded: readonly DecodedTensor[],
  inputJson: unknown,
  file: string,
  salt?: bigint,
): CommitmentCheck {
  const values = parseInputJson(inputJson, meta.input.shape, file);
  const spec = qinputOf(meta.input);
  const q = quantizeInput(values, spec, false, file);
  const hashed = entry(meta, "input_hash");
  const pub = decoded.find((d) => d.role === "input");
  if (!hashed && !pub) {
    throw new ZkError(
      "BAD_OPTION",
      "this model's input is private: the proof neither publishes nor commits to it, so there is nothing to check --input against (compile with --input-visibility hashed or public)",
    );
  }
  if (q.clamped > 0) {
    return {
      what: "input",
      match: false,
      detail: `${file}: ${q.clamped} of ${values.length} values lie outside the accepted input range [${spec.floatLo}, ${spec.floatHi}]; the circuit admits no such input, so it is not the one the proof ${hashed ? "commits to" : "publishes"}`,
    };
  }
  if (hashed) {
    const s = saltOf(
      hashed,
      salt,
      inputJson,
      file,
      '--input-salt FILE, the input_salt.json prove wrote, or a "salt" field in the input file',
    );
    const match =
      commitValues([{ values: q.tensor.data, part: hashed.packing![0]! }], s) === hashOf(decoded, "input_hash");
    return {
      what: "input",
      match,
      detail: match
        ? `${file} is the committed input`
        : `${file} does not match the proof's input commitment${s !== null ? " (with this salt)" : ""}`,
    };
  }
  const match = sameInts(pub!.ints, q.tensor.data);
  return {
    what: "input",
    match,
    detail: match ? `${file} is the proof's public input` : `${file} differs from the proof's public input`,
  };
}

/** A model file against the proof: the params commitment (hashed), or the compiled model's hash (fixed). */
export async function checkParams(
  meta: ModelMeta,
  decoded: readonly DecodedTensor[],
  onnx: Uint8Array,
  file: string,
): Promise<CommitmentCheck> {
  const hashed = entry(meta, "params_hash");
  if (!hashed) {
    if (meta.options.paramVisibility === "private") {
      throw new ZkError(
        "BAD_OPTION",
        "this model's parameters are private and uncommitted: the proof says nothing about which weights were used (compile with --param-visibility hashed)",
      );
    }
    const match = (await sha256HexAsync(onnx)) === meta.model.sha256;
    return {
      what: "params",
      match,
      detail: match
        ? `${file} is the model this circuit was compiled from (its weights are fixed in the verification key)`
        : `${file} is not the model this circuit was compiled from (sha256 differs)`,
    };
  }
  const { graph } = importOnnx(onnx, file);
  const parts = bindParams(meta.params, graph, file).map(({ entry, node, tensor }) => ({
    values: quantizeTensor(tensor, entry.scale).data,
    part: entry,
    node,
  }));
  // values outside a part's slot cannot be what was committed: the circuit range-checks every parameter
  const outside = parts.find(({ values, part }) => !valuesFit(values, part));
  if (outside) {
    return {
      what: "params",
      match: false,
      detail: `${file}: node "${outside.node.name}" ${outside.part.part} has values outside the range the circuit admits ([${outside.part.lo}, ${outside.part.lo + 2 ** outside.part.bits - 1}] at scale 2^${outside.part.scale}), so these are not the committed parameters`,
    };
  }
  const match = commitValues(parts) === hashOf(decoded, "params_hash");
  return {
    what: "params",
    match,
    detail: match
      ? `${file}'s weights are the committed parameters`
      : `${file}'s weights do not match the proof's parameter commitment`,
  };
}

/**
 * The claimed output's integers: output.json's "integers" (decimal strings, exact at any size),
 * which its values must be the dequantization of; or, from files without them, the values
 * times 2^scale (exact below 2^53).
 */
function claimedIntegers(
  meta: ModelMeta,
  obj: { integers?: unknown } | null,
  raw: unknown[],
  file: string,
): bigint[][] {
  const values = meta.outputs.map((_, i) => flattenNumbers(raw[i], `${file}: output ${i}`, "BAD_INPUT"));
  const given = obj?.integers;
  if (given === undefined)
    return values.map((vs, i) => vs.map((v) => BigInt(Math.round(v * 2 ** meta.outputs[i]!.scale))));
  if (!Array.isArray(given) || given.length !== meta.outputs.length)
    throw new ZkError("BAD_INPUT", `${file}: "integers" must hold one list per output (${meta.outputs.length})`);
  return given.map((list: unknown, i) => {
    if (
      !Array.isArray(list) ||
      list.length !== values[i]!.length ||
      !list.every((s) => typeof s === "string" && /^-?[0-9]+$/.test(s))
    )
      throw new ZkError("BAD_INPUT", `${file}: "integers"[${i}] must be ${values[i]!.length} decimal integer strings`);
    const ints = (list as string[]).map((s) => BigInt(s));
    const k = 2 ** -meta.outputs[i]!.scale;
    const off = ints.findIndex((v, j) => Number(v) * k !== values[i]![j]);
    if (off >= 0)
      throw new ZkError(
        "BAD_INPUT",
        `${file}: output ${i}[${off}] is ${values[i]![off]}, but its integer ${ints[off]} means ${Number(ints[off]!) * k}`,
      );
    return ints;
  });
}

/** A claimed output against the proof: its commitment (hashed, with output.json's salt) or the public values. */
export function checkOutput(
  meta: ModelMeta,
  decoded: readonly DecodedTensor[],
  outputJson: unknown,
  file: string,
  salt?: bigint,
): CommitmentCheck {
  const obj = outputJson as { output?: unknown; outputs?: unknown; integers?: unknown } | null;
  const raw =
    obj && typeof obj === "object" ? (obj.outputs ?? (obj.output !== undefined ? [obj.output] : undefined)) : undefined;
  if (!Array.isArray(raw) || raw.length !== meta.outputs.length) {
    throw new ZkError(
      "BAD_INPUT",
      `${file}: expected {"output": [...]} (or {"outputs": [[...], ...]} for ${meta.outputs.length} outputs)`,
    );
  }
  const ints = claimedIntegers(meta, obj, raw, file);
  const hashed = entry(meta, "output_hash");
  if (hashed) {
    const s = saltOf(hashed, salt, outputJson, file, 'the "salt" field of the output.json prove wrote');
    const parts = hashed.packing!.map((part, i) => ({ values: ints[i]!, part }));
    const fits = parts.every(({ values, part }) => values.length === part.count && valuesFit(values, part));
    if (!fits)
      return {
        what: "output",
        match: false,
        detail: `${file}: the claimed output has values the circuit cannot commit to (outside their slots), so it is not the committed output`,
      };
    const match = commitValues(parts, s) === hashOf(decoded, "output_hash");
    return {
      what: "output",
      match,
      detail: match ? `${file} is the committed output` : `${file} does not match the proof's output commitment`,
    };
  }
  const pub = decoded.filter((d) => d.role === "output");
  const match = pub.every((d, i) => d.ints.length === ints[i]!.length && d.ints.every((v, k) => v === ints[i]![k]));
  return {
    what: "output",
    match,
    detail: match ? `${file} is the proof's public output` : `${file} differs from the proof's public output`,
  };
}

/** Files a verifier may hold besides the four: the openings of what the proof commits to. */
export interface Openings {
  readonly input?: { readonly json: unknown; readonly name: string };
  readonly inputSalt?: { readonly json: unknown; readonly name: string };
  readonly params?: { readonly bytes: Uint8Array; readonly name: string };
  readonly output?: { readonly json: unknown; readonly name: string };
}

/** Every check the openings ask for, in a fixed order (input, params, output). */
export async function checkOpenings(
  meta: ModelMeta,
  decoded: readonly DecodedTensor[],
  o: Openings,
): Promise<CommitmentCheck[]> {
  const checks: CommitmentCheck[] = [];
  if (o.input)
    checks.push(
      checkInput(
        meta,
        decoded,
        o.input.json,
        o.input.name,
        o.inputSalt ? parseSalt(o.inputSalt.json, o.inputSalt.name) : undefined,
      ),
    );
  if (o.params) checks.push(await checkParams(meta, decoded, o.params.bytes, o.params.name));
  if (o.output) checks.push(checkOutput(meta, decoded, o.output.json, o.output.name));
  return checks;
}
