/** Bit arithmetic on non-negative integers below 2^53 held in doubles. */

/** Bit j (0-based) of v, without 32-bit truncation. */
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
