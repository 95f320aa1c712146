/**
 * The R1CS checker: evaluates A·w, B·w, C·w for every constraint and reports the first one
 * that fails. Used by tests (every tamper test ends here) and by `prove --check`.
 */
import type { ParsedR1cs, R1cs, SparseLc } from "../formats/r1cs.js";
import { P, mod } from "../field.js";

export interface CheckResult {
  readonly ok: boolean;
  /** index of the first unsatisfied constraint, -1 if none */
  readonly failed: number;
  readonly nConstraints: number;
}

function evalLc(lc: SparseLc, w: readonly bigint[]): bigint {
  let acc = 0n;
  for (let i = 0; i < lc.wires.length; i++) acc += lc.coeffs[i]! * w[lc.wires[i]!]!;
  return acc % P;
}

export function checkR1cs(r1cs: Pick<ParsedR1cs, "constraints" | "nWires">, witness: readonly bigint[]): CheckResult {
  if (witness.length !== r1cs.nWires)
    throw new Error(`witness has ${witness.length} values, circuit has ${r1cs.nWires} wires`);
  if (witness[0] !== 1n) return { ok: false, failed: -1, nConstraints: r1cs.constraints.length };
  const cs = r1cs.constraints;
  for (let i = 0; i < cs.length; i++) {
    const [a, b, c] = cs[i]!;
    if ((evalLc(a, witness) * evalLc(b, witness) - evalLc(c, witness)) % P !== 0n) {
      return { ok: false, failed: i, nConstraints: cs.length };
    }
  }
  return { ok: true, failed: -1, nConstraints: cs.length };
}

/** The in-memory R1CS in the checker's sparse form (coefficients reduced mod p). */
export function toSparse(r1cs: R1cs): Pick<ParsedR1cs, "constraints" | "nWires"> {
  const sparse = (lc: { terms: ReadonlyMap<number, bigint> }): SparseLc => ({
    wires: Uint32Array.from(lc.terms.keys()),
    coeffs: [...lc.terms.values()].map(mod),
  });
  return {
    nWires: r1cs.nWires,
    constraints: r1cs.constraints.map((c) => [sparse(c.a), sparse(c.b), sparse(c.c)] as const),
  };
}
