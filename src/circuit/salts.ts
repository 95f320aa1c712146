/**
 * Salts for salted commitments (gadgets/commit.ts): a fresh random field element per salted
 * commitment and proof, unless the prover reuses one (to show two proofs commit to the same
 * hidden input). Browser-safe: Web Crypto's getRandomValues exists in Node and in browsers.
 */
import { P } from "../field.js";
import type { Salts } from "./plan.js";
import type { ModelMeta, SaltRole } from "../meta/model.js";
import { ZkError } from "../errors.js";

/** A uniform field element: 64 random bytes reduced mod p (bias below 2^-250). */
export function randomSalt(): bigint {
  const bytes = new Uint8Array(64);
  globalThis.crypto.getRandomValues(bytes);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v % P;
}

/** The roles whose commitments this model salts. */
export function saltedRoles(meta: Pick<ModelMeta, "publicSignals">): SaltRole[] {
  return meta.publicSignals.layout.flatMap((e) => (e.salt ? [e.salt] : []));
}

/** Salts for one proof: the given ones, fresh random ones for the rest. */
export function saltsFor(meta: Pick<ModelMeta, "publicSignals">, given: Salts = {}): Salts {
  const roles = saltedRoles(meta);
  for (const role of Object.keys(given) as SaltRole[]) {
    if (!roles.includes(role))
      throw new ZkError("BAD_OPTION", `a ${role} salt was given, but this model's ${role} is not a salted commitment`);
  }
  const out: Partial<Record<SaltRole, bigint>> = {};
  for (const role of roles) out[role] = given[role] ?? randomSalt();
  return out;
}

/**
 * Salts for every segment of a split model's chain: `given` holds the model input's and the
 * model output's (the first segment's input, the last one's output), every cut a fresh salt
 * that its producer's output commitment and its consumer's input commitment share.
 */
export function chainSalts(metas: readonly Pick<ModelMeta, "publicSignals">[], given: Salts = {}): Salts[] {
  const out: Salts[] = [];
  for (const [i, meta] of metas.entries()) {
    const cut = out[i - 1]?.output;
    const input = i === 0 ? given.input : cut;
    const output = i === metas.length - 1 ? given.output : undefined;
    out.push(
      saltsFor(meta, {
        ...(input === undefined ? {} : { input }),
        ...(output === undefined ? {} : { output }),
      }),
    );
  }
  return out;
}

/**
 * A salt from a parsed file or field: `{"salt": "123..."}` or the string itself, decimal or
 * 0x-hex, below p. `source` names it in errors.
 */
export function parseSalt(j: unknown, source: string): bigint {
  const raw = j && typeof j === "object" && !Array.isArray(j) ? (j as { salt?: unknown }).salt : j;
  if (typeof raw !== "string" || !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(raw)) {
    throw new ZkError(
      "BAD_INPUT",
      `${source}: the salt must be a decimal or 0x-hex string (as in {"salt": "123..."}), got ${JSON.stringify(raw)?.slice(0, 40)}`,
    );
  }
  const v = BigInt(raw);
  if (v >= P) throw new ZkError("BAD_INPUT", `${source}: the salt is not below the field modulus`);
  return v;
}
