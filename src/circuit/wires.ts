/** Where witness rules write wire values: the .wtns buffer in practice, an array in tests. */
export interface WireSink {
  /** sets wire `wire` to the signed integer v (|v| < 2^53) */
  setInt(wire: number, v: number): void;
  /** sets wire `wire` to a field element (hash internals) */
  setField(wire: number, v: bigint): void;
}

export { bitOf, bitLength } from "../util/bits.js";
