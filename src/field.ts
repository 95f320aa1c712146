/**
 * The BN254 scalar field (snarkjs's `bn128`), in which every wire and coefficient lives.
 * A signed integer v is encoded as v mod p; values above p/2 decode as negative.
 */
export const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
export const FIELD_BYTES = 32;
/** BN254's base field: the coordinates of curve points (proofs, keys, ptau files). */
export const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const HALF = P >> 1n;

export function mod(v: bigint): bigint {
  const r = v % P;
  return r < 0n ? r + P : r;
}

export function toSigned(v: bigint): bigint {
  const r = mod(v);
  return r > HALF ? r - P : r;
}

// p as eight 32-bit little-endian limbs, for encoding negative numbers without BigInt.
const P_LIMBS = (() => {
  const limbs = new Uint32Array(8);
  let v = P;
  for (let i = 0; i < 8; i++) {
    limbs[i] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
  return limbs;
})();

/**
 * Writes the signed integer v (|v| < 2^53) as a 32-byte little-endian field element at
 * `offset` of `view`. This is the hot loop of witness writing, so it avoids BigInt: a
 * negative v is p - |v|, computed limb by limb.
 */
export function writeSignedField(view: DataView, offset: number, v: number): void {
  // past 2^53 a double is no longer the integer meant, and past 2^64 this would drop its top bits
  if (!Number.isSafeInteger(v))
    throw new RangeError(`${v} is not an integer below 2^53: write it as a BigInt field element`);
  const neg = v < 0;
  const a = neg ? -v : v;
  const lo = a >>> 0;
  const hi = Math.floor(a / 4294967296);
  if (!neg) {
    view.setUint32(offset, lo, true);
    view.setUint32(offset + 4, hi, true);
    for (let i = 8; i < 32; i += 4) view.setUint32(offset + i, 0, true);
    return;
  }
  let borrow = 0;
  for (let i = 0; i < 8; i++) {
    const sub = i === 0 ? lo : i === 1 ? hi : 0;
    let d = P_LIMBS[i]! - sub - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 4294967296;
    view.setUint32(offset + 4 * i, d, true);
  }
}

/** Writes any field element (already reduced or not) as 32 little-endian bytes. */
export function writeBigField(view: DataView, offset: number, v: bigint): void {
  let x = mod(v);
  for (let i = 0; i < 32; i += 8) {
    view.setBigUint64(offset + i, BigInt.asUintN(64, x), true);
    x >>= 64n;
  }
}

export function readBigField(view: DataView, offset: number): bigint {
  let v = 0n;
  for (let i = 24; i >= 0; i -= 8) v = (v << 64n) | view.getBigUint64(offset + i, true);
  return v;
}
