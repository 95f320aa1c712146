/**
 * Poseidon over BN254, exactly circomlib's (the same constants, rounds and state layout as
 * circomlib's poseidon.circom and circomlibjs's `poseidon`), so a commitment made here can be
 * checked by circom circuits, circomlibjs, or snarkjs users with no zkinfer code.
 *
 * Permutation of t = n + 1 elements, state [0, x_1..x_n]: 8 full rounds and 56..68 partial
 * rounds (by t); each round adds constants, applies x^5 (to every element in full rounds, to
 * element 0 in partial ones) and multiplies by the MDS matrix; the hash is element 0.
 * In R1CS the constants and the matrix are linear (free); each x^5 is 3 constraints
 * (x² = x·x, x⁴ = x²·x², x⁵ = x⁴·x). Cost: 3·(8t + partial rounds) per hash.
 */
import type { ConstraintSystem } from "../builder.js";
// circomlib's constants (scripts/poseidon-constants.mjs copies them here at build time)
import raw from "./poseidon-constants.json" with { type: "json" };
import { LinearCombination } from "../lc.js";
import { P } from "../../field.js";

export const POSEIDON_MAX_INPUTS = 16;
const FULL_ROUNDS = 8;
const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

interface Constants {
  C: bigint[][];
  M: bigint[][][];
}

let constants: Constants | null = null;

/** circomlib's round constants and MDS matrices, as field elements (converted once, on first use). */
function load(): Constants {
  if (constants) return constants;
  const r = raw as { C: string[][]; M: string[][][] };
  constants = {
    C: r.C.map((row) => row.map((v) => BigInt(v))),
    M: r.M.map((m) => m.map((row) => row.map((v) => BigInt(v)))),
  };
  return constants;
}

export function sboxCount(nInputs: number): number {
  const t = nInputs + 1;
  return FULL_ROUNDS * t + PARTIAL_ROUNDS[t - 2]!;
}

function checkArity(n: number): void {
  if (n < 1 || n > POSEIDON_MAX_INPUTS) throw new Error(`Poseidon takes 1..${POSEIDON_MAX_INPUTS} inputs, got ${n}`);
}

/**
 * The permutation on field elements. `onSbox` sees each S-box's x², x⁴, x⁵ in order (the
 * witness writer records them as wires); returns the hash (state element 0).
 */
export function poseidonHash(inputs: readonly bigint[], onSbox?: (x2: bigint, x4: bigint, x5: bigint) => void): bigint {
  checkArity(inputs.length);
  const { C, M } = load();
  const t = inputs.length + 1;
  const nP = PARTIAL_ROUNDS[t - 2]!;
  const c = C[t - 2]!,
    m = M[t - 2]!;
  let state = [0n, ...inputs.map((v) => ((v % P) + P) % P)];
  const pow5 = (x: bigint) => {
    const x2 = (x * x) % P,
      x4 = (x2 * x2) % P,
      x5 = (x4 * x) % P;
    onSbox?.(x2, x4, x5);
    return x5;
  };
  for (let r = 0; r < FULL_ROUNDS + nP; r++) {
    state = state.map((a, i) => (a + c[r * t + i]!) % P);
    const full = r < FULL_ROUNDS / 2 || r >= FULL_ROUNDS / 2 + nP;
    state = state.map((a, i) => (full || i === 0 ? pow5(a) : a));
    state = state.map((_, i) => state.reduce((acc, a, j) => (acc + m[i]![j]! * a) % P, 0n));
  }
  return state[0]!;
}

/**
 * The same permutation as constraints over linear combinations of `inputs`. Allocates three
 * wires per S-box at `wire` (x², x⁴, x⁵, in `poseidonHash`'s order) and returns the hash as a
 * linear combination.
 */
export function poseidonGadget(
  cs: Pick<ConstraintSystem, "enforce">,
  inputs: readonly LinearCombination[],
  wire: number,
): { hash: LinearCombination; next: number } {
  checkArity(inputs.length);
  const { C, M } = load();
  const t = inputs.length + 1;
  const nP = PARTIAL_ROUNDS[t - 2]!;
  const c = C[t - 2]!,
    m = M[t - 2]!;
  let next = wire;
  const pow5 = (x: LinearCombination) => {
    const x2 = LinearCombination.wire(next++),
      x4 = LinearCombination.wire(next++),
      x5 = LinearCombination.wire(next++);
    cs.enforce(x, x, x2);
    cs.enforce(x2, x2, x4);
    cs.enforce(x4, x, x5);
    return x5;
  };
  let state = [LinearCombination.zero(), ...inputs];
  for (let r = 0; r < FULL_ROUNDS + nP; r++) {
    state = state.map((a, i) => a.addConstant(c[r * t + i]!));
    const full = r < FULL_ROUNDS / 2 || r >= FULL_ROUNDS / 2 + nP;
    state = state.map((a, i) => (full || i === 0 ? pow5(a) : a));
    const s = state;
    state = s.map((_, i) => LinearCombination.sum(s, m[i]!));
  }
  return { hash: state[0]!, next };
}
