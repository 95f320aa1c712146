/** Bit arithmetic on non-negative integers below 2^53 held in doubles. */

/** Bit j (0-based) of v, without 32-bit truncation. */
export function bitOf(v: number, j: number): number {
  return j < 31 ? ((v % 2 ** 31) >>> j) & 1 : Math.floor(v / 2 ** j) % 2;
}

/** Number of bits needed to write v ≥ 0 (0 → 0, 1 → 1, 255 → 8, 256 → 9). */
export function bitLength(v: number): number {
  if (v < 0) throw new Error(`bitLength of negative ${v}`);
  let n = 0;
  while (2 ** n <= v) n++;
  return n;
}

/**
 * Bits of a signed decomposition around c holding every integer in [lo, hi]: with that many
 * bits m, t = v − c + 2^(m−1) lies in [0, 2^m) and its top bit is exactly [v ≥ c]. The one
 * width every comparison (circuit/gadgets/compare.ts) and signed requant layout uses.
 */
export function signedBits(lo: number, hi: number, c = 0): number {
  return 1 + Math.max(bitLength(Math.max(hi - c, 0)), bitLength(Math.max(c - lo - 1, 0)));
}
