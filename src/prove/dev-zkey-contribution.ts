/**
 * Section 10 of a development zkey whose delta is not 1: csHash and the one contribution
 * snarkjs's `zkey contribute` would have recorded for that delta (zkey_contribute.js,
 * zkey_utils.js writeContribution), so that `snarkjs zkey verify` of the key against a ptau of
 * the same secrets accepts it, and tools that list contributions see one. The record proves
 * knowledge of delta as snarkjs's do: g1_s drawn at random, g1_sx = delta·g1_s, the
 * transcript blake2b-512(csHash, g1_s, g1_sx), g2_sp derived from the transcript
 * (keypair.js hashToG2: ChaCha seeded by its first eight big-endian words), g2_spx =
 * delta·g2_sp, deltaAfter = delta·G1.
 */
import { createHash, randomBytes } from "node:crypto";
import { ChaCha, type Curve, type WasmGroup } from "ffjavascript";
import { P as R } from "../field.js";

/** The name a direct key's contribution carries (snarkjs keeps at most 64 bytes of it). */
export const CONTRIBUTION_NAME = "zkinfer development key (direct)";

const lem = (G: WasmGroup, p: Uint8Array) => {
  const b = new Uint8Array(G.F.n8 * 2);
  G.toRprLEM(b, 0, p);
  return b;
};
const uncompressed = (G: WasmGroup, p: Uint8Array) => {
  const b = new Uint8Array(G.F.n8 * 2);
  G.toRprUncompressed(b, 0, p);
  return b;
};

/** snarkjs's hashToG2: a G2 point from the transcript's first 32 bytes. */
function hashToG2(curve: Curve, hash: Uint8Array): Uint8Array {
  const v = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
  return curve.G2.fromRng(new ChaCha(Array.from({ length: 8 }, (_, i) => v.getUint32(i * 4))));
}

/** The section's bytes: csHash, one contribution, or none when delta is 1 (a key as `zkey new` leaves it). */
export function contributionsSection(curve: Curve, csHash: Uint8Array, delta: bigint): Uint8Array {
  const d = ((delta % R) + R) % R;
  const count = new Uint8Array(4);
  if (d === 1n) return concat([csHash, count]);
  new DataView(count.buffer).setUint32(0, 1, true);
  const { G1, G2 } = curve;
  const k = curve.Fr.e(d);
  const seed = randomBytes(32);
  const rng = new ChaCha(Array.from({ length: 8 }, (_, i) => seed.readUInt32BE(i * 4)));
  const g1s = G1.toAffine(G1.fromRng(rng));
  const g1sx = G1.toAffine(G1.timesFr(g1s, k));
  const transcript = createHash("blake2b512")
    .update(csHash)
    .update(uncompressed(G1, g1s))
    .update(uncompressed(G1, g1sx))
    .digest();
  const g2spx = G2.toAffine(G2.timesFr(hashToG2(curve, transcript), k));
  const deltaAfter = G1.toAffine(G1.timesFr(G1.g, k));
  const name = new TextEncoder().encode(CONTRIBUTION_NAME);
  const params = new Uint8Array([1, name.length, ...name]); // parameter 1: the name
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, 0, true); // type 0: a contribution, not a beacon
  new DataView(tail.buffer).setUint32(4, params.length, true);
  return concat([
    csHash,
    count,
    lem(G1, deltaAfter),
    lem(G1, g1s),
    lem(G1, g1sx),
    lem(G2, g2spx),
    transcript,
    tail,
    params,
  ]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((t, p) => t + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
