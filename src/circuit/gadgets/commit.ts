/**
 * Commitments: Poseidon over tensors packed into field elements (gadgets/pack.ts, which proves
 * every packed value fits its slot, so each commitment opens to exactly one tuple of values),
 * optionally blinded by a salt.
 *
 * The hashed elements are [salt,] e_1..e_n: the salt, when there is one, is a random field
 * element the prover supplies as a private input and keeps (prove writes it beside the
 * opening). Without it a commitment to a low-entropy value (a digit image, a yes/no feature)
 * could be found by hashing every candidate; with it, the commitment reveals nothing. The salt
 * is an element of its own, so it needs no range check: whatever it is, it cannot move the
 * packed values.
 *
 * Hashing n elements (circomlib's Poseidon, gadgets/poseidon.ts): n ≤ 16 gives
 * Poseidon(e_1..e_n); more chains, h = Poseidon(e_1..e_16), then h = Poseidon(h, next 15) until
 * all are absorbed. The same function in plain JS (`commitValues`) is what verifiers recompute.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination } from "../lc.js";
import type { WireSink } from "../wires.js";
import type { Ints } from "../../quantize/qgraph.js";
import { POSEIDON_MAX_INPUTS, poseidonGadget, poseidonHash, sboxCount } from "./poseidon.js";
import { pack, packValues, type PackInput, type PackPart, type PackedPart } from "./pack.js";

/** Group sizes of the hash chain over n elements: 16, then 15 (plus the running hash) each. */
function chain(n: number): number[] {
  if (n <= POSEIDON_MAX_INPUTS) return [n];
  const sizes = [POSEIDON_MAX_INPUTS];
  for (let left = n - POSEIDON_MAX_INPUTS; left > 0; left -= POSEIDON_MAX_INPUTS - 1)
    sizes.push(Math.min(left, POSEIDON_MAX_INPUTS - 1));
  return sizes;
}

/** The hash of field elements along the chain; `onSbox` sees every S-box in wire order. */
function hashChain(elements: readonly bigint[], onSbox?: (x2: bigint, x4: bigint, x5: bigint) => void): bigint {
  let h = 0n,
    at = 0;
  chain(elements.length).forEach((k, i) => {
    const block = elements.slice(at, at + k);
    at += k;
    h = poseidonHash(i === 0 ? block : [h, ...block], onSbox);
  });
  return h;
}

/** Plain values of one part, with the slot they were packed into. */
export interface PartValues {
  readonly values: Ints;
  readonly part: PackPart;
}

function elementsOf(parts: readonly PartValues[], salt: bigint | null): bigint[] {
  const packed = parts.flatMap(({ values, part }) => packValues(values, part));
  return salt === null ? packed : [salt, ...packed];
}

/** The commitment to these values (and salt), as verifiers recompute it. */
export function commitValues(parts: readonly PartValues[], salt: bigint | null = null): bigint {
  return hashChain(elementsOf(parts, salt));
}

/** The witness twin: writes every S-box wire from `wire` on; returns the hash. */
export function commitWitness(parts: readonly PartValues[], salt: bigint | null, wire: number, sink: WireSink): bigint {
  let w = wire;
  return hashChain(elementsOf(parts, salt), (x2, x4, x5) => {
    sink.setField(w++, x2);
    sink.setField(w++, x4);
    sink.setField(w++, x5);
  });
}

export interface Commitment {
  /** the commitment, as a linear combination (bind it to a public wire) */
  readonly hash: LinearCombination;
  /** how each part was packed, and any range check the packing added */
  readonly parts: readonly PackedPart[];
  /** the first of the S-box wires this commitment allocated (three per S-box) */
  readonly sboxWire: number;
}

/**
 * The commitment as constraints: packs the parts (range-checking what must be), then hashes
 * [salt,] the elements, allocating its S-box wires here.
 */
export function commit(
  cs: ConstraintSystem,
  parts: readonly PackInput[],
  salt: LinearCombination | null,
  name: string,
): Commitment {
  const packed = pack(cs, parts);
  const elements = salt ? [salt, ...packed.elements] : packed.elements;
  const sizes = chain(elements.length);
  const nSbox = sizes.reduce((a, k, i) => a + sboxCount(i === 0 ? k : k + 1), 0);
  const sboxWire = cs.alloc(3 * nSbox, `${name}.sbox`);
  let h = LinearCombination.zero(),
    at = 0,
    next = sboxWire;
  sizes.forEach((k, i) => {
    const block = elements.slice(at, at + k);
    at += k;
    const r = poseidonGadget(cs, i === 0 ? block : [h, ...block], next);
    h = r.hash;
    next = r.next;
  });
  return { hash: h, parts: packed.parts, sboxWire };
}

/** The constraints `commit` adds for n packed elements (after packing): 3 per S-box, plus binding the hash (split.ts estimates cuts by it). */
export function commitConstraints(nElements: number): number {
  return chain(nElements).reduce((a, k, i) => a + 3 * sboxCount(i === 0 ? k : k + 1), 0) + 1;
}
