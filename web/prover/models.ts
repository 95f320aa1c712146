/**
 * The models bundled with the proving page (models/index.json, written by
 * scripts/prover-models.mjs next to each model's compiled files) and their proving keys: a key
 * streams in with its progress reported, is checked against the index's size and SHA-256, and
 * is kept in the Cache API, so the next visit proves without downloading it again.
 */
import { ZkError } from "../../src/errors.js";

export interface BundledModel {
  readonly id: string;
  readonly title: string;
  readonly about: string;
  /** how an input is made: drawn on an 8×8 grid, or picked from the samples only */
  readonly input: "digits8x8" | "samples";
  /** files, relative to the index */
  readonly files: {
    readonly model: string;
    readonly plan: string;
    readonly vkey: string;
    readonly zkey: string;
    readonly samples: string;
  };
  readonly zkeyBytes: number;
  readonly zkeySha256: string;
  /** the key comes from a development-only setup (known toxic waste) */
  readonly development: boolean;
  readonly constraints: number;
}

export interface Samples {
  readonly inputs: number[][];
  readonly labels: number[];
}

async function fetchOk(url: URL): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(url);
  } catch (e) {
    throw new ZkError(
      "BAD_FILE",
      `${url.pathname}: could not be fetched (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (!r.ok) throw new ZkError("BAD_FILE", `${url.pathname}: the server answered ${r.status}`);
  return r;
}

export async function fetchText(url: URL): Promise<string> {
  return (await fetchOk(url)).text();
}

export async function fetchJson<T>(url: URL): Promise<T> {
  const text = await fetchText(url);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ZkError("BAD_FILE", `${url.pathname} is not valid JSON`);
  }
}

export async function loadCatalogue(index: URL): Promise<BundledModel[]> {
  const j = await fetchJson<{ format?: string; models?: BundledModel[] }>(index);
  if (j.format !== "zkinfer-prover-models" || !Array.isArray(j.models))
    throw new ZkError(
      "BAD_FILE",
      `${index.pathname} is not a zkinfer model index (rebuild the page: npm run build:prover)`,
    );
  return j.models;
}

const CACHE = "zkinfer-proving-keys-v1";

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The proving key at `url`: from the cache when it holds this exact key, else streamed from
 * the server (`progress(received, total)` as it comes) and cached. `fromCache` says which.
 */
export async function provingKey(
  url: URL,
  m: Pick<BundledModel, "zkeyBytes" | "zkeySha256">,
  progress: (received: number, total: number) => void,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; fromCache: boolean }> {
  const cache = typeof caches === "undefined" ? null : await caches.open(CACHE).catch(() => null);
  const hit = await cache?.match(url.href);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (bytes.length === m.zkeyBytes && (await sha256Hex(bytes)) === m.zkeySha256) {
      progress(bytes.length, bytes.length);
      return { bytes, fromCache: true };
    }
    await cache!.delete(url.href); // another key under the same name: the model was rebuilt
  }
  const r = await fetchOk(url);
  const total = Number(r.headers.get("content-length")) || m.zkeyBytes;
  const bytes = new Uint8Array(m.zkeyBytes);
  let received = 0;
  const reader = r.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.length > bytes.length)
      throw new ZkError("BAD_FILE", `${url.pathname} is longer than the ${m.zkeyBytes} bytes the index says`);
    bytes.set(value, received);
    received += value.length;
    progress(received, total);
  }
  if (received !== m.zkeyBytes)
    throw new ZkError("BAD_FILE", `${url.pathname}: received ${received} bytes, the index says ${m.zkeyBytes}`);
  if ((await sha256Hex(bytes)) !== m.zkeySha256)
    throw new ZkError(
      "BAD_FILE",
      `${url.pathname} does not match the SHA-256 in the model index (a stale or corrupted download)`,
    );
  await cache?.put(url.href, new Response(bytes, { headers: { "content-type": "application/octet-stream" } }));
  return { bytes, fromCache: false };
}
