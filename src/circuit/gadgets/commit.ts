/**
 * Commitments: Poseidon over integer tensors packed into field elements.
 *
 * Packing: a part's values v ∈ [lo, lo + 2^bits) go k = floor(252 / bits) to a field
 * element, e = Σ_j (v_j - lo)·2^(bits·j), in order. Every v is already range-checked (inputs,
 * weights) or pinned by the circuit (outputs), and k·bits ≤ 252 < log2(p), so packing is
 * injective: one commitment, one tensor. Packing is linear: no constraints.
 *
 * Hashing the elements e_1..e_n (circomlib's Poseidon, gadgets/poseidon.ts): n ≤ 16 gives
 * Poseidon(e_1..e_n); more chains, h = Poseidon(e_1..e_16), then h = Poseidon(h, next 15) until
 * all are absorbed. The same function in plain JS (`commitValues`) is what verifiers recompute.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination } from "../lc.js";
import type { WireSink } from "../wires.js";
import { POSEIDON_MAX_INPUTS, poseidonGadget, poseidonHash, sboxCount } from "./poseidon.js";
import type { PackPart } from "../../model-meta.js";

export type { PackPart };

export const PACK_BITS = 252;

function perElement(bits: number): number {
  return Math.max(1, Math.floor(PACK_BITS / Math.max(bits, 1)));
}

/** Group sizes of the hash chain over n elements: 16, then 15 (plus the running hash) each. */
function chain(n: number): number[] {
  if (n <= POSEIDON_MAX_INPUTS) return [n];
  const sizes = [POSEIDON_MAX_INPUTS];
  for (let left = n - POSEIDON_MAX_INPUTS; left > 0; left -= POSEIDON_MAX_INPUTS - 1) sizes.push(Math.min(left, POSEIDON_MAX_INPUTS - 1));
  return sizes;
}

/** Wires (3 per S-box) a commitment to `counts[i]` values of each part needs. */
export function commitWires(parts: readonly PackPart[], counts: readonly number[]): number {
  const n = parts.reduce((a, p, i) => a + Math.ceil(counts[i]! / perElement(p.bits)), 0);
  return chain(n).reduce((a, k, i) => a + 3 * sboxCount(i === 0 ? k : k + 1), 0);
}

/** Values in packing groups: k = floor(252 / bits) per field element, in order. */
function groupsOf<T>(values: readonly T[], part: PackPart): T[][] {
  const k = perElement(part.bits);
  const groups: T[][] = [];
  for (let i = 0; i < values.length; i += k) groups.push(values.slice(i, i + k));
  return groups;
}

/** The hash of packed field elements along the chain; `onSbox` sees every S-box in wire order. */
function hashChain(elements: readonly bigint[], onSbox?: (x2: bigint, x4: bigint, x5: bigint) => void): bigint {
  let h = 0n, at = 0;
  chain(elements.length).forEach((k, i) => {
    const block = elements.slice(at, at + k);
    at += k;
    h = poseidonHash(i === 0 ? block : [h, ...block], onSbox);
  });
  return h;
}

export function packValues(values: ArrayLike<number>, part: PackPart): bigint[] {
  const arr = Array.from(values);
  return groupsOf(arr, part).map((g) =>
    g.reduce((acc, v, j) => acc + (BigInt(v - part.lo) << BigInt(part.bits * j)), 0n));
}

/** The commitment to these values, as verifiers recompute it. */
export function commitValues(parts: readonly { values: ArrayLike<number>; part: PackPart }[]): bigint {
  return hashChain(parts.flatMap(({ values, part }) => packValues(values, part)));
}

/** The witness twin: writes every S-box wire from `wire` on; returns the hash. */
export function commitWitness(parts: readonly { values: ArrayLike<number>; part: PackPart }[], wire: number, sink: WireSink): bigint {
  let w = wire;
  return hashChain(parts.flatMap(({ values, part }) => packValues(values, part)), (x2, x4, x5) => {
    sink.setField(w++, x2);
    sink.setField(w++, x4);
    sink.setField(w++, x5);
  });
}

/** The commitment as constraints over the values' linear combinations; S-box wires start at `wire`. */
export function commit(cs: Pick<ConstraintSystem, "enforce">, parts: readonly { lcs: readonly LinearCombination[]; part: PackPart }[], wire: number): LinearCombination {
  const elements = parts.flatMap(({ lcs, part }) =>
    groupsOf([...lcs], part).map((g) =>
      LinearCombination.sum(g, g.map((_, j) => 1n << BigInt(part.bits * j)), -g.reduce((acc, _, j) => acc + (BigInt(part.lo) << BigInt(part.bits * j)), 0n))));
  let h = LinearCombination.zero(), at = 0, next = wire;
  chain(elements.length).forEach((k, i) => {
    const block = elements.slice(at, at + k);
    at += k;
    const r = poseidonGadget(cs, i === 0 ? block : [h, ...block], next);
    h = r.hash;
    next = r.next;
  });
  return h;
}
