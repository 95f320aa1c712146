/** Where witness rules write wire values: the .wtns buffer in practice, an array in tests. */
export interface WireSink {
  /** sets wire `wire` to the signed integer v (|v| < 2^53) */
  setInt(wire: number, v: number): void;
  /** sets wire `wire` to a field element, reduced mod p (hash internals, and wide values: a negative one is p − |v|) */
  setField(wire: number, v: bigint): void;
}

/** Sets a wire to an integer held either way: a double (|v| < 2^53, the fast path) or a BigInt (a wide value). */
export function writeInt(sink: WireSink, wire: number, v: number | bigint): void {
  if (typeof v === "number") sink.setInt(wire, v);
  else sink.setField(wire, v); // setField reduces mod p: a negative value is p − |v|, as setInt writes it
}

export { bitOf, bitLength } from "../util/bits.js";
