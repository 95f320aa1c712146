/**
 * Soundness audits of a compiled circuit, from its R1CS (what the verifier's key encodes),
 * not from the compiler's intentions.
 *
 * Determinacy: every wire is fixed by the prover's free choices (the input, the salts, and
 * prover-supplied parameters): if some wire could take two values, a prover could pick the
 * one that suits them. Derived by propagation to a fixpoint:
 *   - a constraint that, once the determined wires are substituted, is linear in one
 *     undetermined wire (coefficient ≠ 0) determines it: A·B = C with A, B known and one
 *     unknown in C, or a linear constraint with one unknown;
 *   - a linear constraint whose unknowns are all boolean wires (b·(b - 1) = 0) with
 *     coefficients c·2^e for distinct e < 253 determines them all: binary representations
 *     below p are unique;
 *   - the hint groups gadgets declare (ConstraintSystem.hint: a division's quotient, an
 *     argmax's one-hot) are determined once their inputs are; each gadget's header gives the
 *     uniqueness argument and its tamper tests try the alternatives.
 *
 * Opening uniqueness: every value packed into a commitment lies in its slot in every
 * satisfying assignment, so the commitment opens to one tuple of values (gadgets/pack.ts).
 * The ranges are re-derived here from the constraints alone (circuit/intervals.ts, iterated
 * to a fixpoint over the whole R1CS).
 */
import type { R1cs } from "./compile.js";
import { type LinearCombination, ONE, type Wire } from "./lc.js";
import { toSigned } from "../field.js";
import { WireIntervals, type Range } from "./intervals.js";
import type { CircuitAuditInfo } from "./compile.js";
import { fitsSlot, type PackPart } from "./gadgets/pack.js";

export interface DeterminacyReport {
  readonly wires: number;
  /** wires no rule determines (wire 0 and the free wires never count) */
  readonly undetermined: readonly Wire[];
}

export interface OpeningFailure {
  readonly role: string;
  readonly part: number;
  readonly index: number;
  /** the range the constraints force on the value (null: none) */
  readonly range: Range | null;
  readonly slot: PackPart;
}

export interface OpeningsReport {
  readonly values: number;
  readonly failures: readonly OpeningFailure[];
}

/** The signal inputs (public and private: the model input and salts) and parameter wires. */
function freeWires(r1cs: R1cs, info: CircuitAuditInfo): Set<Wire> {
  const free = new Set<Wire>([ONE]);
  const first = 1 + r1cs.nPubOut;
  for (let w = first; w < first + r1cs.nPubIn + r1cs.nPrvIn; w++) free.add(w);
  for (const p of info.paramWires) for (let w = p.first; w < p.first + p.count; w++) free.add(w);
  return free;
}

function constantOf(lc: LinearCombination): bigint | null {
  return lc.size === 1 && lc.terms.has(ONE) ? lc.terms.get(ONE)! : null;
}

/** The wire b of a booleanity constraint b·(b - 1) = 0, else null. */
function booleanOf(a: LinearCombination, b: LinearCombination, c: LinearCombination): Wire | null {
  if (c.size !== 0) return null;
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const w = x.asWire();
    if (
      w !== undefined &&
      y.size === 2 &&
      toSigned(y.terms.get(w) ?? 0n) === 1n &&
      toSigned(y.terms.get(ONE) ?? 0n) === -1n
    )
      return w;
  }
  return null;
}

/** Whether coefficients are c·2^e for one c and distinct e < 253 (so the boolean sum is a unique binary number). */
function binaryCoefficients(coeffs: readonly bigint[]): boolean {
  const abs = coeffs.map((c) => (toSigned(c) < 0n ? -toSigned(c) : toSigned(c)));
  const base = abs.reduce((m, c) => (c < m ? c : m));
  const seen = new Set<number>();
  for (const c of abs) {
    if (c % base !== 0n) return false;
    const r = c / base;
    if ((r & (r - 1n)) !== 0n) return false;
    const e = r.toString(2).length - 1;
    if (e >= 253 || seen.has(e)) return false;
    seen.add(e);
  }
  return true;
}

export function auditDeterminacy(r1cs: R1cs, info: CircuitAuditInfo): DeterminacyReport {
  const det = new Uint8Array(r1cs.nWires);
  for (const w of freeWires(r1cs, info)) det[w] = 1;
  const boolean = new Uint8Array(r1cs.nWires);
  for (const k of r1cs.constraints) {
    const b = booleanOf(k.a, k.b, k.c);
    if (b !== null) boolean[b] = 1;
  }
  const unknownsOf = (lc: LinearCombination) => [...lc.terms.keys()].filter((w) => !det[w]);
  const done = new Uint8Array(r1cs.constraints.length);
  const pending = info.hints.map(() => true);
  for (let changed = true; changed;) {
    changed = false;
    r1cs.constraints.forEach((k, i) => {
      if (done[i]) return;
      const ka = constantOf(k.a),
        kb = constantOf(k.b);
      if (ka !== null || kb !== null) {
        const l = ka !== null ? k.b.scale(ka).add(k.c, -1n) : k.a.scale(kb!).add(k.c, -1n);
        const u = unknownsOf(l).filter((w) => toSigned(l.terms.get(w)!) !== 0n);
        if (u.length === 0) {
          done[i] = 1;
          return;
        }
        if (u.length === 1 || (u.every((w) => boolean[w]) && binaryCoefficients(u.map((w) => l.terms.get(w)!)))) {
          for (const w of u) det[w] = 1;
          done[i] = 1;
          changed = true;
        }
        return;
      }
      if (unknownsOf(k.a).length > 0 || unknownsOf(k.b).length > 0) return;
      const u = unknownsOf(k.c).filter((w) => toSigned(k.c.terms.get(w)!) !== 0n);
      if (u.length <= 1) {
        for (const w of u) det[w] = 1;
        done[i] = 1;
        changed ||= u.length === 1;
      }
    });
    info.hints.forEach((h, i) => {
      if (!pending[i] || h.inputs.some((lc) => unknownsOf(lc).length > 0)) return;
      for (const g of h.wires) det.fill(1, g.first, g.first + g.count);
      pending[i] = false;
      changed = true;
    });
  }
  const undetermined: Wire[] = [];
  for (let w = 0; w < r1cs.nWires; w++) if (!det[w]) undetermined.push(w);
  return { wires: r1cs.nWires, undetermined };
}

/** The ranges every wire is forced into, from the constraints alone (iterated to a fixpoint). */
export function forcedRanges(r1cs: R1cs): WireIntervals {
  const iv = new WireIntervals(r1cs.nWires);
  for (let pass = 0; pass < 8; pass++) {
    const before = iv.changes;
    for (const k of r1cs.constraints) iv.learn(k.a, k.b, k.c);
    if (iv.changes === before) break;
  }
  return iv;
}

export function auditOpenings(
  r1cs: R1cs,
  info: CircuitAuditInfo,
  ranges: WireIntervals = forcedRanges(r1cs),
): OpeningsReport {
  const failures: OpeningFailure[] = [];
  let values = 0;
  for (const c of info.commitments) {
    c.parts.forEach((p, part) => {
      p.lcs.forEach((lc, index) => {
        values++;
        const range = ranges.ofLc(lc);
        if (!range || !fitsSlot(range, p.slot)) failures.push({ role: c.role, part, index, range, slot: p.slot });
      });
    });
  }
  return { values, failures };
}
