/** Where witness rules write wire values: the .wtns buffer in practice, an array in tests. */
export interface WireSink {
  /** sets wire `wire` to the signed integer v (|v| < 2^53) */
  setInt(wire: number, v: number): void;
}

/** Bit j (0-based) of a non-negative integer v < 2^53, without 32-bit truncation. */
export function bitOf(v: number, j: number): number {
  return j < 31 ? (v % 2 ** 31 >>> j) & 1 : Math.floor(v / 2 ** j) % 2;
}

/** Number of bits needed to write v ≥ 0 (0 → 0, 1 → 1, 255 → 8, 256 → 9). */
export function bitLength(v: number): number {
  if (v < 0) throw new Error(`bitLength of negative ${v}`);
  let n = 0;
  while (2 ** n <= v) n++;
  return n;
}
