/**
 * A split model's files as a verifier receives them (say, dropped on the verifier page), told
 * apart by content: manifest.json, the chain's proof.json and public.json (by their formats),
 * and each segment's model.json and verification key. Every segment's files have the same
 * names, so they are matched to the manifest's segments by the hashes it records: a model.json
 * by its circuit hash, a key by its sha256 (meta/identity.ts). A file that fits no segment of
 * this split is an error naming it, not a silent mismatch found later. Browser-safe.
 */
import { ZkError } from "../errors.js";
import { verificationKeySha256 } from "../meta/identity.js";
import { MODEL_FORMAT } from "../meta/model.js";
import {
  CHAIN_PROOF_FORMAT,
  CHAIN_PUBLIC_FORMAT,
  SPLIT_FORMAT,
  parseSplitManifest,
  type SplitManifest,
} from "../meta/split.js";
import { parseVkey } from "./core.js";

/** One received file: its name (for messages) and its parsed JSON. */
export interface NamedJson {
  readonly name: string;
  readonly json: unknown;
}

/** A file as given: its name and its text (or its JSON, already parsed). */
export interface NamedFile {
  readonly name: string;
  readonly text: unknown;
}

/** JSON from a file's text; an error naming the file when it is not JSON. */
export function parseJsonFile(content: unknown, name: string): unknown {
  if (typeof content !== "string") return content;
  try {
    return JSON.parse(content) as unknown;
  } catch (e) {
    throw new ZkError("BAD_FILE", `${name} is not valid JSON: ${(e as Error).message}`);
  }
}

/** What identifyChainFiles found, by place in the chain. */
export interface ChainFileSet {
  readonly manifest: (NamedJson & { readonly parsed: SplitManifest }) | null;
  readonly proof: NamedJson | null;
  readonly publicSignals: NamedJson | null;
  /** per manifest segment (none until the manifest is there): its model.json and key */
  readonly segments: readonly { readonly model: NamedJson | null; readonly vkey: NamedJson | null }[];
  /** segment files that wait for the manifest to say which segment they are */
  readonly waiting: number;
  /** what is still needed, named as in a split directory (segments/1/model.json) */
  readonly missing: readonly string[];
}

type Place = "manifest" | "proof" | "publicSignals";

/** Which chain-level file this JSON is; null if none (a segment's file, or not a split model's). */
function placeOf(j: unknown): Place | null {
  const format = j && typeof j === "object" ? (j as { format?: unknown }).format : undefined;
  if (format === SPLIT_FORMAT) return "manifest";
  if (format === CHAIN_PROOF_FORMAT) return "proof";
  if (format === CHAIN_PUBLIC_FORMAT) return "publicSignals";
  return null;
}

const isModel = (j: unknown) =>
  Boolean(j && typeof j === "object" && (j as { format?: unknown }).format === MODEL_FORMAT);
const isVkey = (j: unknown) => Boolean(j && typeof j === "object" && "IC" in j && "nPublic" in j);

/**
 * The segment whose manifest entry records this hash, or an error naming the file. Two
 * segments may be the same circuit (a repeated block): a model.json then goes to the one whose
 * key it records (`key`), as setup wrote it.
 */
function segmentOf(
  m: SplitManifest,
  f: NamedJson,
  field: "circuitSha256" | "verificationKeySha256",
  hash: string,
  key?: unknown,
): number {
  const matches = m.segments.flatMap((s, i) => (s[field] === hash ? [i] : []));
  const i = matches.find((i) => m.segments[i]!.verificationKeySha256 === key) ?? matches[0];
  if (i !== undefined) return i;
  const what = field === "circuitSha256" ? "circuit sha256" : "key sha256";
  throw new ZkError(
    "BAD_FILE",
    `${f.name} belongs to no segment of this split model (its ${what} ${hash.slice(0, 16)}… is not in manifest.json): a file of another model or split`,
  );
}

/**
 * Sorts a split model's files by content (see the header); null when none of them is a split
 * model's own file (a manifest, a chain's proof or public signals): they are then a single
 * circuit's, for identifyFiles. A later file for the same place replaces an earlier one, so a
 * page may pass every file it received, in order. Errors (ZkError) name the file: invalid JSON,
 * a manifest that does not check, a model.json or key of no segment of this split, a file that
 * is none of these.
 */
export async function identifyChainFiles(given: readonly NamedFile[]): Promise<ChainFileSet | null> {
  const files = given.map((f) => ({ name: f.name, json: parseJsonFile(f.text, f.name) }));
  if (!files.some((f) => placeOf(f.json) !== null)) return null;
  const top: Record<Place, NamedJson | null> = { manifest: null, proof: null, publicSignals: null };
  const rest: NamedJson[] = [];
  for (const f of files) {
    const place = placeOf(f.json);
    if (place) top[place] = f;
    else if (isModel(f.json) || isVkey(f.json)) rest.push(f);
    else
      throw new ZkError(
        "BAD_FILE",
        `${f.name} is not one of a split model's files (manifest.json, each segment's model.json and verification_key.json, the chain's proof.json and public.json); a single circuit's files and openings go without a manifest`,
      );
  }
  const manifest = top.manifest
    ? { ...top.manifest, parsed: await parseSplitManifest(top.manifest.json, top.manifest.name) }
    : null;
  const slots: { model: NamedJson | null; vkey: NamedJson | null }[] =
    manifest?.parsed.segments.map(() => ({ model: null, vkey: null })) ?? [];
  for (const f of manifest ? rest : []) {
    const m = manifest!.parsed;
    if (isModel(f.json)) {
      const id = (f.json as { identity?: { circuitSha256?: unknown; verificationKeySha256?: unknown } }).identity;
      if (typeof id?.circuitSha256 !== "string")
        throw new ZkError("BAD_FILE", `${f.name}: field "identity" is missing or malformed`);
      slots[segmentOf(m, f, "circuitSha256", id.circuitSha256, id.verificationKeySha256)]!.model = f;
    } else {
      const hash = await verificationKeySha256(parseVkey(f.json, f.name));
      slots[segmentOf(m, f, "verificationKeySha256", hash)]!.vkey = f;
    }
  }
  const dirs = manifest?.parsed.segments.map((s) => s.dir) ?? [];
  const missing = [
    ...(manifest ? [] : ["manifest.json"]),
    ...slots.flatMap((s, i) => [
      ...(s.model ? [] : [`${dirs[i]}/model.json`]),
      ...(s.vkey ? [] : [`${dirs[i]}/verification_key.json`]),
    ]),
    ...(top.proof ? [] : ["proof.json"]),
    ...(top.publicSignals ? [] : ["public.json"]),
  ];
  return {
    manifest,
    proof: top.proof,
    publicSignals: top.publicSignals,
    segments: slots,
    waiting: manifest ? 0 : rest.length,
    missing,
  };
}
