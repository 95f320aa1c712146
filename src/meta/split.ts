/**
 * manifest.json: what a split model's directory holds instead of model.json (compile
 * --max-constraints / --segments). Each segment is an ordinary circuit directory
 * (segments/<i>/, its own model.json, keys and proofs); the manifest says in which order they
 * chain, which tensor each cut carries, and at which public signal each segment's output
 * commitment and the next segment's input commitment sit (they must be equal).
 *
 * The split's identity, `splitId`, is sha256 over the ordered chain: the model, every cut and
 * every segment's circuit hash and chain offsets. A manifest reordered or edited no longer
 * hashes to its id; a proof records the id it was made for. Parsed JSON only: the browser
 * verifier shares this.
 */
import { ZkError } from "../errors.js";
import { sha256HexAsync } from "../util/digest.js";
import type { Groth16Proof } from "snarkjs";
import type { ModelMeta, PackPart } from "./model.js";
import { decodeOutputs, type DecodedTensor } from "./signals.js";

export const SPLIT_FORMAT = "zkinfer-split";
export const SPLIT_VERSION = 1;

/** A tensor where two segments meet. */
export interface SplitCut {
  readonly name: string;
  readonly shape: readonly number[];
  readonly scale: number;
  /** the slot both segments pack its values into (the producer's packing; the consumer accepts exactly it) */
  readonly slot: PackPart;
}

export interface SplitSegment {
  readonly index: number;
  /** its circuit directory, relative to the manifest */
  readonly dir: string;
  readonly constraints: number;
  readonly wires: number;
  readonly ptauPower: number;
  readonly circuitSha256: string;
  /** the public signal holding its input commitment (null: the first segment, the model input) */
  readonly chainIn: number | null;
  /** the public signal holding its output commitment (null: the last segment, the model output) */
  readonly chainOut: number | null;
  /** set by setup: the segment's verification key hash (verifiers refuse any other key) */
  readonly verificationKeySha256: string | null;
}

export interface SplitManifest {
  readonly format: typeof SPLIT_FORMAT;
  readonly version: number;
  readonly zkinfer: string;
  readonly splitId: string;
  readonly model: ModelMeta["model"];
  /** the user's compile options (the first segment's input and the last one's output keep its visibilities) */
  readonly options: ModelMeta["options"];
  readonly input: ModelMeta["input"];
  readonly outputs: ModelMeta["outputs"];
  readonly accuracy: ModelMeta["accuracy"];
  /** what was asked: a constraint limit, or a number of segments */
  readonly request: { readonly maxConstraints: number | null; readonly segments: number | null };
  /** the unsplit circuit's constraints (a dry count), against which the chain's overhead is measured */
  readonly unsplitConstraints: number;
  /** cut i is segment i's output and segment i + 1's input */
  readonly cuts: readonly SplitCut[];
  readonly segments: readonly SplitSegment[];
}

/** The text the split id hashes: the chain in order, without anything setup adds. */
function chainText(m: Omit<SplitManifest, "splitId">): string {
  return JSON.stringify({
    format: SPLIT_FORMAT,
    model: m.model.sha256,
    cuts: m.cuts.map((c) => [c.name, c.shape, c.scale, c.slot.lo, c.slot.bits]),
    segments: m.segments.map((s) => [s.index, s.dir, s.circuitSha256, s.chainIn, s.chainOut]),
  });
}

export async function splitIdOf(m: Omit<SplitManifest, "splitId">): Promise<string> {
  return sha256HexAsync(chainText(m));
}

/**
 * A set-up split model's content address (the service's model id): the split id names the chain
 * of circuits, the keys what each segment's proof is checked against, so two setups of one split
 * are two models, as two setups of one circuit are. Null keys (not set up) are refused.
 */
export async function splitModelId(m: SplitManifest): Promise<string> {
  const keys = m.segments.map((s, i) => {
    if (!s.verificationKeySha256) throw new ZkError("BAD_FILE", `the split's segment ${i} is not set up`);
    return s.verificationKeySha256;
  });
  return sha256HexAsync(JSON.stringify({ format: "zkinfer-split-model", splitId: m.splitId, keys }));
}

/** Checks the manifest's shape, order and id; `file` names it in errors. */
export async function parseSplitManifest(j: unknown, file: string): Promise<SplitManifest> {
  const m = j as Partial<SplitManifest> | null;
  if (!m || typeof m !== "object" || m.format !== SPLIT_FORMAT)
    throw new ZkError("BAD_FILE", `${file}: not a zkinfer split manifest (no "format": "${SPLIT_FORMAT}")`);
  if (m.version !== SPLIT_VERSION)
    throw new ZkError(
      "BAD_FILE",
      `${file}: version ${m.version}, this zkinfer reads version ${SPLIT_VERSION}; recompile`,
    );
  const need = (cond: unknown, field: string) => {
    if (!cond) throw new ZkError("BAD_FILE", `${file}: field "${field}" is missing or malformed`);
  };
  need(typeof m.splitId === "string", "splitId");
  need(m.model && typeof m.model.sha256 === "string", "model");
  need(m.input && Array.isArray(m.input.shape), "input");
  need(Array.isArray(m.outputs), "outputs");
  need(Array.isArray(m.cuts) && Array.isArray(m.segments) && m.segments.length === m.cuts.length + 1, "segments");
  const segs = m.segments!;
  segs.forEach((s, i) => {
    need(s && typeof s.dir === "string" && typeof s.circuitSha256 === "string", `segments[${i}]`);
    if (s.index !== i)
      throw new ZkError(
        "BAD_FILE",
        `${file}: the segments are out of order: entry ${i} is segment ${s.index} (a reordered manifest does not chain)`,
      );
    for (const k of ["chainIn", "chainOut"] as const)
      need(s[k] === null || (Number.isInteger(s[k]) && s[k] >= 0), `segments[${i}].${k}`);
    if ((i === 0) !== (s.chainIn === null) || (i === segs.length - 1) !== (s.chainOut === null))
      throw new ZkError(
        "BAD_FILE",
        `${file}: segment ${i} ${i === 0 ? "is first but takes a chained input" : s.chainIn === null ? "takes no chained input" : "has no chained output"}`,
      );
    if (/(^|[\\/])\.\.([\\/]|$)/.test(s.dir) || s.dir.startsWith("/"))
      throw new ZkError("BAD_FILE", `${file}: segment ${i}'s directory "${s.dir}" leaves the split model's directory`);
  });
  const manifest = m as SplitManifest;
  const id = await splitIdOf(manifest);
  if (id !== manifest.splitId)
    throw new ZkError(
      "BAD_FILE",
      `${file}: its chain (segments, cuts, circuits) does not hash to its split id ${manifest.splitId.slice(0, 16)}…: edited or reordered; recompile the model`,
    );
  return manifest;
}

export const CHAIN_PROOF_FORMAT = "zkinfer-chain-proof";
export const CHAIN_PUBLIC_FORMAT = "zkinfer-chain-public";

/** P/proof.json of a split model: each segment's proof, with the key it was made with. */
export interface ChainProofFile {
  readonly format: typeof CHAIN_PROOF_FORMAT;
  readonly version: 1;
  readonly splitId: string;
  readonly segments: readonly {
    readonly index: number;
    readonly verificationKeySha256: string;
    readonly proof: Groth16Proof;
  }[];
}

/** P/public.json of a split model: the public signals of the whole chain. */
export interface ChainPublicFile {
  readonly format: typeof CHAIN_PUBLIC_FORMAT;
  readonly version: 1;
  readonly splitId: string;
  /**
   * every segment's public signals laid end to end, in chain order (segment i's count is its
   * model.json's publicSignals.count): one flat list, as a contract verifying the whole chain
   * takes it
   */
  readonly signals: readonly string[];
}

/**
 * The first cut whose two commitments differ (segment i's output commitment is not segment
 * i + 1's input commitment), or -1: the one link rule, for every side that checks it.
 */
export function brokenLink(m: SplitManifest, signals: readonly (readonly string[])[]): number {
  for (let i = 0; i + 1 < m.segments.length; i++) {
    const out = signals[i]?.[m.segments[i]!.chainOut!];
    if (out === undefined || out !== signals[i + 1]?.[m.segments[i + 1]!.chainIn!]) return i;
  }
  return -1;
}

/** P/proof.json and P/public.json of a chain: each segment's proof with the key the manifest records, and all signals end to end. */
export function chainFiles(
  m: SplitManifest,
  segments: readonly { readonly proof: Groth16Proof; readonly public: readonly string[] }[],
): { readonly proof: ChainProofFile; readonly public: ChainPublicFile } {
  return {
    proof: {
      format: CHAIN_PROOF_FORMAT,
      version: 1,
      splitId: m.splitId,
      segments: segments.map((s, i) => ({
        index: i,
        verificationKeySha256: m.segments[i]!.verificationKeySha256!,
        proof: s.proof,
      })),
    },
    public: { format: CHAIN_PUBLIC_FORMAT, version: 1, splitId: m.splitId, signals: segments.flatMap((s) => s.public) },
  };
}

/** What a chain publishes: the first segment's input side (a public input or its commitment), the last one's outputs. */
export function chainOutputs(metas: readonly ModelMeta[], pub: readonly (readonly string[])[]): DecodedTensor[] {
  const first = decodeOutputs(metas[0]!, pub[0]!).filter((t) => t.role === "input" || t.role === "input_hash");
  const last = decodeOutputs(metas[metas.length - 1]!, pub[pub.length - 1]!).filter(
    (t) => t.role === "output" || t.role === "output_hash",
  );
  return [...last, ...first];
}
