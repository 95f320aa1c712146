/**
 * Where a worker finds a circuit's files. In-process workers read the service's own model
 * directories; a worker on another machine fetches them from the service by content hash
 * (GET /v1/circuits/{id}/{file}), checks every hash, and caches them under
 * $ZKINFER_CACHE/circuits/<id>/ (nothing assumes a shared disk):
 *
 *   model.json             its identity.verificationKeySha256 is the id asked for
 *   verification_key.json  hashes to the id (verify/identity.ts)
 *   setup.json             made for model.json's circuit; names the zkey's sha256
 *   plan.json              model.json's planSha256
 *   circuit.zkey           streamed to disk while hashed; setup.json's zkeySha256
 *
 * Files land in a temporary directory renamed into place once all are checked, so a cache
 * entry is complete or absent, also when several workers share the cache.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, promises as fs } from "node:fs";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { FILES } from "../artifacts.js";
import { parseModelMeta } from "../meta/model.js";
import { parseVkey } from "../verify/core.js";
import { checkModelKey } from "../meta/identity.js";
import { describeError, ZkError } from "../errors.js";
import { exists } from "../util/fsx.js";
import type { SetupInfo } from "../prove/setup.js";
import type { ModelStore } from "./registry.js";

/** The files of a circuit a worker needs, as served under /v1/circuits/{id}/. */
export const CIRCUIT_FILES = [FILES.model, FILES.setup, FILES.vkey, FILES.plan, FILES.zkey] as const;
export type CircuitFile = (typeof CIRCUIT_FILES)[number];

export interface CircuitSource {
  /** a local directory with the circuit's files, checked */
  dir(id: string): Promise<string>;
  /** forget a cached copy that turned out damaged (the next dir() fetches it again) */
  evict(id: string): Promise<void>;
}

/** The service's own directories (in-process workers). */
export function localSource(store: ModelStore): CircuitSource {
  return {
    async dir(id) {
      const c = store.circuit(id);
      if (!c) throw new ZkError("BAD_FILE", `circuit ${id} is not served here`);
      return c.dir;
    },
    evict: async () => undefined,
  };
}

export interface RemoteOptions {
  /** the service's base URL, e.g. http://10.0.0.5:8080 */
  readonly service: string;
  readonly cacheDir: string;
  /** keep retrying an unreachable service this long (it may be restarting) */
  readonly retryMs?: number;
  readonly log?: (line: string) => void;
}

async function fetchRetrying(url: string, retryMs: number): Promise<Response> {
  const deadline = Date.now() + retryMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      const res = await fetch(url);
      if (res.status < 500 || Date.now() > deadline) return res;
      await res.body?.cancel();
    } catch (e) {
      if (Date.now() > deadline)
        throw new ZkError("RESOURCE", `cannot reach the service at ${url}: ${describeError(e)}`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function download(url: string, file: string, retryMs: number): Promise<string> {
  const res = await fetchRetrying(url, retryMs);
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    throw new ZkError("BAD_FILE", `GET ${url}: ${res.status} ${text.slice(0, 200)}`);
  }
  const hash = createHash("sha256");
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), tap, createWriteStream(file));
  return hash.digest("hex");
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, "utf8")) as unknown;
}

/** Fetches one circuit into `into` and checks every file against the id. */
async function fetchCircuit(base: string, id: string, into: string, retryMs: number): Promise<void> {
  const url = (f: CircuitFile) => `${base}/v1/circuits/${id}/${f}`;
  const sha: Partial<Record<CircuitFile, string>> = {};
  for (const f of CIRCUIT_FILES) sha[f] = await download(url(f), path.join(into, f), retryMs);
  const where = `${base} circuit ${id.slice(0, 12)}…`;
  const meta = parseModelMeta(await readJson(path.join(into, FILES.model)), `${where} model.json`);
  if (meta.identity.verificationKeySha256 !== id)
    throw new ZkError(
      "BAD_FILE",
      `${where}: model.json is for another key (${meta.identity.verificationKeySha256?.slice(0, 12) ?? "none"}…)`,
    );
  await checkModelKey(parseVkey(await readJson(path.join(into, FILES.vkey)), `${where} verification_key.json`), meta);
  const setup = (await readJson(path.join(into, FILES.setup))) as Partial<SetupInfo>;
  if (setup?.r1csSha256 !== meta.circuit.r1csSha256)
    throw new ZkError("BAD_FILE", `${where}: setup.json was made for another circuit`);
  if (sha[FILES.plan] !== meta.circuit.planSha256)
    throw new ZkError(
      "BAD_FILE",
      `${where}: plan.json's sha256 is ${sha[FILES.plan]}, model.json records ${meta.circuit.planSha256}`,
    );
  if (sha[FILES.zkey] !== setup.zkeySha256)
    throw new ZkError(
      "BAD_FILE",
      `${where}: circuit.zkey's sha256 is ${sha[FILES.zkey]}, setup.json records ${setup.zkeySha256}`,
    );
}

export function remoteSource(opts: RemoteOptions): CircuitSource {
  const base = opts.service.replace(/\/+$/, "");
  const root = path.resolve(opts.cacheDir);
  const pending = new Map<string, Promise<string>>();
  const get = async (id: string): Promise<string> => {
    if (!/^[0-9a-f]{64}$/.test(id))
      throw new ZkError("BAD_FILE", `a task names circuit ${JSON.stringify(id).slice(0, 80)}, not a content hash`);
    const dir = path.join(root, id);
    if (await exists(path.join(dir, FILES.zkey))) return dir;
    await fs.mkdir(root, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    await fs.mkdir(tmp);
    try {
      const t0 = performance.now();
      await fetchCircuit(base, id, tmp, opts.retryMs ?? 60_000);
      try {
        await fs.rename(tmp, dir);
      } catch (e) {
        // another worker sharing this cache got there first: its copy is as good as ours
        if (!(await exists(path.join(dir, FILES.zkey)))) throw e;
      }
      opts.log?.(
        `fetched circuit ${id.slice(0, 12)}… from ${base} in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
      );
      return dir;
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  };
  return {
    dir(id) {
      let p = pending.get(id);
      if (!p) {
        p = get(id);
        pending.set(id, p);
        p.catch(() => pending.delete(id));
      }
      return p;
    },
    async evict(id) {
      pending.delete(id);
      await fs.rm(path.join(root, id), { recursive: true, force: true });
    },
  };
}
