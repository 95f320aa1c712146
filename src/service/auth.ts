/**
 * API keys (`zkinfer serve --api-keys FILE`). One key a line, `#` comments:
 *
 *   sha256:<64 hex> [name]   the key's SHA-256: what to keep at rest (printf %s KEY | sha256sum)
 *   <key> [name]             a key in plain text: accepted, hashed on load, with a warning
 *
 * The service keeps only hashes. A request's key (`Authorization: Bearer KEY`, or `X-API-Key`)
 * is hashed and compared with every stored hash by crypto.timingSafeEqual, without stopping at a
 * match, so the time taken says nothing about which bytes or which entry matched. Keys are
 * random tokens, so one SHA-256 is enough (a password would need a slow hash).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileOrFail } from "../util/fsx.js";
import { ZkError } from "../errors.js";

export interface ApiKey {
  /** who submitted a job (a job's result is readable with its submitters' keys) */
  readonly id: string;
  readonly hash: Buffer;
}

export interface ApiKeys {
  readonly keys: readonly ApiKey[];
  readonly warnings: readonly string[];
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest();

export function parseApiKeys(text: string, file: string): ApiKeys {
  const keys: ApiKey[] = [];
  const plain: number[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const [token, name, ...rest] = line.split(/\s+/);
    if (rest.length)
      throw new ZkError("BAD_FILE", `${file} line ${i + 1}: expected "KEY [name]" or "sha256:HEX [name]"`);
    let hash: Buffer;
    if (token!.startsWith("sha256:")) {
      const hex = token!.slice(7);
      if (!/^[0-9a-fA-F]{64}$/.test(hex))
        throw new ZkError("BAD_FILE", `${file} line ${i + 1}: sha256: must be followed by 64 hex digits`);
      hash = Buffer.from(hex, "hex");
    } else {
      hash = sha256(token!);
      plain.push(i + 1);
    }
    const id = name ?? `key-${hash.toString("hex").slice(0, 12)}`;
    if (keys.some((k) => k.id === id || k.hash.equals(hash)))
      throw new ZkError("BAD_FILE", `${file} line ${i + 1}: the key or the name "${id}" is listed twice`);
    keys.push({ id, hash });
  });
  if (keys.length === 0) throw new ZkError("BAD_FILE", `${file} lists no API key`);
  const warnings = plain.length
    ? [
        `${file} holds ${plain.length} key(s) in plain text (line ${plain.join(", ")}); store "sha256:<hex>" instead (printf %s KEY | sha256sum)`,
      ]
    : [];
  return { keys, warnings };
}

export async function readApiKeys(file: string): Promise<ApiKeys> {
  return parseApiKeys(new TextDecoder().decode(await readFileOrFail(file, "API key file")), file);
}

/** The key's entry, or null; compares against every entry in constant time. */
export function matchKey(keys: readonly ApiKey[], presented: string): ApiKey | null {
  const h = sha256(presented);
  let found: ApiKey | null = null;
  for (const k of keys) if (timingSafeEqual(k.hash, h) && !found) found = k;
  return found;
}

/** The key a request presents, from `Authorization: Bearer KEY` or `X-API-Key: KEY`; null when none. */
export function presentedKey(headers: Readonly<Record<string, string | string[] | undefined>>): string | null {
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1]! : "";
  }
  const x = headers["x-api-key"];
  return typeof x === "string" ? x.trim() : null;
}
