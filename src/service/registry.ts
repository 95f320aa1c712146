/**
 * The models a service serves, like a model hub: a directory of compiled, set-up model
 * directories, each addressed by its content hash and, optionally, by name and version.
 *
 *   MODELS/digits_mlp/          name "digits_mlp", no version
 *   MODELS/digits_mlp@2/        name "digits_mlp", version "2"
 *   MODELS/any/hub.json         optional {"name": "...", "version": "...", "description": "..."}
 *
 * A model's id is its verification key's sha256 (model.json's identity.verificationKeySha256,
 * recorded by setup): with fixed weights the key *is* the model, so an id names exactly what a
 * proof is checked against. A name without a version resolves to the highest version. Model ids
 * from requests are matched against this table, never joined into a path.
 *
 * A split model's directory (compile --segments / --max-constraints: manifest.json and one
 * circuit directory per segment) is served as one model: its id hashes the split id with every
 * segment's key hash (splitModelId), so it too names exactly what a chain is checked against.
 * Every circuit a proof runs on (the model itself, or each segment of a split model) is listed
 * by its own key hash, so workers fetch artifacts per circuit.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { artifact, readModelMeta, readSplitManifest, segmentPath, type ModelMeta } from "../artifacts.js";
import { splitModelId, type SplitManifest } from "../meta/split.js";
import { readSetupInfo, type SetupInfo } from "../prove/setup.js";
import { parseVkey } from "../verify/core.js";
import { checkModelKey } from "../meta/identity.js";
import { exists, readJsonFile } from "../util/fsx.js";
import { describeError, ZkError } from "../errors.js";
import { RequestError } from "./request-error.js";

/** One set-up circuit directory: what a worker proves with and the service verifies against. */
export interface CircuitEntry {
  /** the verification key's sha256 */
  readonly id: string;
  readonly dir: string;
  readonly meta: ModelMeta;
  readonly setup: SetupInfo;
}

export interface ServedModel {
  /** the content hash: the verification key's sha256 (for a split model, splitModelId: the split id and every segment's key) */
  readonly id: string;
  readonly name: string;
  readonly version: string | null;
  readonly description: string | null;
  readonly kind: "single" | "split";
  readonly dir: string;
  /** manifest.json of a split model; null for a single circuit */
  readonly manifest: SplitManifest | null;
  /** the circuits of one proof, in chain order: one for a single model, one per segment of a split one */
  readonly circuits: readonly CircuitEntry[];
}

/** model.json of the circuit that takes the model's input (the first segment's, for a split model). */
export function inputMeta(m: ServedModel): ModelMeta {
  return m.circuits[0]!.meta;
}

/** model.json of the circuit that gives the model's outputs (the last segment's). */
export function outputMeta(m: ServedModel): ModelMeta {
  return m.circuits[m.circuits.length - 1]!.meta;
}

export interface ModelStore {
  readonly dir: string;
  readonly models: readonly ServedModel[];
  /** directories that were not served, and why */
  readonly skipped: readonly { readonly dir: string; readonly reason: string }[];
  /** a model by id, name or name@version; throws BAD_REF (400) or NOT_FOUND (404) */
  resolve(ref: string): ServedModel;
  /** a circuit by its key hash, or undefined */
  circuit(id: string): CircuitEntry | undefined;
}

const ID = /^[0-9a-f]{64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** Checks a model reference's form: a 64-hex id, or name[@version]. */
export function parseModelRef(
  ref: string,
): { readonly id: string } | { readonly name: string; readonly version: string | null } {
  if (ID.test(ref)) return { id: ref };
  const at = ref.indexOf("@");
  const name = at < 0 ? ref : ref.slice(0, at);
  const version = at < 0 ? null : ref.slice(at + 1);
  if (!NAME.test(name) || (version !== null && !VERSION.test(version))) {
    throw new RequestError(
      400,
      "BAD_REF",
      `model id ${JSON.stringify(ref.slice(0, 80))} is malformed: expected a 64-hex-digit content hash, a name, or name@version (letters, digits, ".", "_", "-")`,
    );
  }
  return { name, version };
}

/** Orders versions the way people number them: "2" < "10", "1.2" < "1.10". */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

interface HubCard {
  readonly name?: string;
  readonly version?: string;
  readonly description?: string;
}

async function readHubCard(dir: string): Promise<HubCard> {
  const file = path.join(dir, "hub.json");
  if (!(await exists(file))) return {};
  const j = (await readJsonFile(file, "model card")) as Record<string, unknown> | null;
  if (!j || typeof j !== "object" || Array.isArray(j))
    throw new ZkError("BAD_FILE", `${file}: expected {"name": ..., "version": ..., "description": ...}`);
  for (const k of ["name", "version", "description"] as const) {
    if (j[k] !== undefined && typeof j[k] !== "string")
      throw new ZkError("BAD_FILE", `${file}: "${k}" must be a string`);
  }
  return j as HubCard;
}

/** Opens one set-up circuit directory, checking its keys are the ones model.json names. */
export async function openCircuitEntry(dir: string): Promise<CircuitEntry> {
  const meta = await readModelMeta(dir);
  const id = meta.identity.verificationKeySha256;
  if (!id)
    throw new ZkError(
      "BAD_FILE",
      `${dir} is not set up (model.json records no verification key): run \`zkinfer setup ${dir}\``,
    );
  const setup = await readSetupInfo(dir);
  if (setup.r1csSha256 !== meta.circuit.r1csSha256)
    throw new ZkError("BAD_FILE", `${dir}: the keys were made for another circuit; run \`zkinfer setup ${dir}\` again`);
  if (!(await exists(artifact(dir, "zkey"))))
    throw new ZkError("BAD_FILE", `${dir}: ${artifact(dir, "zkey")} is missing; run \`zkinfer setup ${dir}\``);
  const vkFile = artifact(dir, "vkey");
  await checkModelKey(parseVkey(await readJsonFile(vkFile, "verification key"), vkFile), meta);
  return { id, dir, meta, setup };
}

/**
 * A split model's segments, each checked as one circuit directory and against the manifest:
 * the circuit and the key it records (a segment directory of another model or split, or one
 * set up again without the manifest, is refused).
 */
async function openSegments(dir: string, m: SplitManifest): Promise<CircuitEntry[]> {
  const out: CircuitEntry[] = [];
  for (const [i, s] of m.segments.entries()) {
    if (!s.verificationKeySha256)
      throw new ZkError(
        "BAD_FILE",
        `${dir} is not set up (the manifest records no key for segment ${i}): run \`zkinfer setup ${dir}\``,
      );
    const c = await openCircuitEntry(segmentPath(dir, m, i));
    if (c.meta.identity.circuitSha256 !== s.circuitSha256)
      throw new ZkError(
        "BAD_FILE",
        `${c.dir} holds another circuit than the manifest's segment ${i} (a segment of another model or split); recompile`,
      );
    if (c.id !== s.verificationKeySha256)
      throw new ZkError(
        "BAD_FILE",
        `${c.dir}: its key is not the one the manifest records for segment ${i}; run \`zkinfer setup ${dir}\` again`,
      );
    out.push(c);
  }
  return out;
}

async function openModel(dir: string, dirName: string): Promise<ServedModel> {
  const manifest = (await exists(artifact(dir, "manifest"))) ? await readSplitManifest(dir) : null;
  const card = await readHubCard(dir);
  const at = dirName.indexOf("@");
  const name = card.name ?? (at < 0 ? dirName : dirName.slice(0, at));
  const version = card.version ?? (at < 0 ? null : dirName.slice(at + 1));
  if (!NAME.test(name))
    throw new ZkError(
      "BAD_FILE",
      `${dir}: model name ${JSON.stringify(name)} must be letters, digits, ".", "_" or "-" (set "name" in hub.json)`,
    );
  if (version !== null && !VERSION.test(version))
    throw new ZkError(
      "BAD_FILE",
      `${dir}: version ${JSON.stringify(version)} must be letters, digits, ".", "_", "+" or "-"`,
    );
  const circuits = manifest ? await openSegments(dir, manifest) : [await openCircuitEntry(dir)];
  return {
    id: manifest ? await splitModelId(manifest) : circuits[0]!.id,
    name,
    version,
    description: card.description ?? null,
    kind: manifest ? "split" : "single",
    dir,
    manifest,
    circuits,
  };
}

/** Reads every model directory under `dir`; a directory that cannot be served is skipped with its reason. */
export async function loadModelStore(dir: string): Promise<ModelStore> {
  let names: string[];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (e) {
    throw new ZkError("BAD_OPTION", `cannot read the models directory ${dir}: ${describeError(e)}`);
  }
  const models: ServedModel[] = [];
  const skipped: { dir: string; reason: string }[] = [];
  for (const n of names) {
    const sub = path.join(dir, n);
    if (!(await exists(artifact(sub, "model"))) && !(await exists(artifact(sub, "manifest")))) continue;
    try {
      const m = await openModel(sub, n);
      const twin = models.find((o) => o.id === m.id || (o.name === m.name && o.version === m.version));
      if (twin)
        throw new ZkError(
          "BAD_FILE",
          twin.id === m.id
            ? `the same model (key ${m.id.slice(0, 12)}…) as ${twin.dir}`
            : `the same name and version as ${twin.dir}`,
        );
      models.push(m);
    } catch (e) {
      skipped.push({ dir: sub, reason: describeError(e) });
    }
  }
  if (models.length === 0) {
    const why = skipped.map((s) => `\n  ${s.dir}: ${s.reason}`).join("");
    throw new ZkError(
      "BAD_OPTION",
      `no servable model in ${dir} (each model is a compiled and set-up directory)${why}`,
    );
  }
  const circuits = new Map(models.flatMap((m) => m.circuits.map((c) => [c.id, c] as const)));
  return {
    dir,
    models,
    skipped,
    circuit: (id) => circuits.get(id),
    resolve(ref) {
      const r = parseModelRef(ref);
      if ("id" in r) {
        const m = models.find((x) => x.id === r.id);
        if (!m)
          throw new RequestError(
            404,
            "NOT_FOUND",
            `no model with id ${r.id} is served here (GET /v1/models lists them)`,
          );
        return m;
      }
      const named = models.filter((x) => x.name === r.name && (r.version === null || x.version === r.version));
      if (named.length === 0) {
        throw new RequestError(
          404,
          "NOT_FOUND",
          `no model named ${JSON.stringify(r.name)}${r.version === null ? "" : ` at version ${JSON.stringify(r.version)}`} is served here (GET /v1/models lists them)`,
        );
      }
      return named.sort((a, b) => compareVersions(b.version ?? "", a.version ?? ""))[0]!;
    },
  };
}
