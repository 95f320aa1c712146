/**
 * Wires and linear combinations. Wire 0 is the constant 1, so a constant term is a
 * coefficient on wire 0. Coefficients are signed BigInts, reduced mod p only when written:
 * keeping them signed makes LCs readable in debug output and exact while being composed.
 */
import { P } from "../field.js";

export type Wire = number;
export const ONE: Wire = 0;

export class LinearCombination {
  /** wire → coefficient; never holds a zero coefficient. */
  readonly terms: ReadonlyMap<Wire, bigint>;

  private constructor(terms: Map<Wire, bigint>) {
    this.terms = terms;
  }

  static zero(): LinearCombination {
    return new LinearCombination(new Map());
  }

  static constant(c: bigint | number): LinearCombination {
    const v = BigInt(c);
    return new LinearCombination(v === 0n ? new Map() : new Map([[ONE, v]]));
  }

  static wire(w: Wire, coeff: bigint = 1n): LinearCombination {
    return new LinearCombination(coeff === 0n ? new Map() : new Map([[w, coeff]]));
  }

  /** Σ coeffs[i] · lcs[i] (+ constant). */
  static sum(lcs: readonly LinearCombination[], coeffs: readonly bigint[], constant = 0n): LinearCombination {
    const acc = new LcAccumulator();
    acc.addConstant(constant);
    for (let i = 0; i < lcs.length; i++) acc.add(lcs[i]!, coeffs[i]!);
    return acc.finish();
  }

  /** Takes ownership of `terms` (zero coefficients are dropped). */
  static fromTerms(terms: Map<Wire, bigint>): LinearCombination {
    for (const [w, c] of terms) if (c === 0n) terms.delete(w);
    return new LinearCombination(terms);
  }

  add(other: LinearCombination, k = 1n): LinearCombination {
    return LinearCombination.sum([this, other], [1n, k]);
  }

  scale(k: bigint): LinearCombination {
    return LinearCombination.sum([this], [k]);
  }

  addConstant(c: bigint): LinearCombination {
    return LinearCombination.sum([this], [1n], c);
  }

  get size(): number {
    return this.terms.size;
  }

  get constantTerm(): bigint {
    return this.terms.get(ONE) ?? 0n;
  }

  isConstant(): boolean {
    return this.terms.size === 0 || (this.terms.size === 1 && this.terms.has(ONE));
  }

  /** The wire if this LC is exactly 1·wire (no constant, no other terms). */
  asWire(): Wire | undefined {
    if (this.terms.size !== 1) return undefined;
    const [w, c] = this.terms.entries().next().value as [Wire, bigint];
    return w !== ONE && c === 1n ? w : undefined;
  }
}

/**
 * Builds one LC from many scaled LCs: the workhorse of every linear layer. Coefficients that
 * grow past the field are reduced, so long compositions stay small.
 */
export class LcAccumulator {
  private terms = new Map<Wire, bigint>();

  add(lc: LinearCombination, k: bigint): void {
    if (k === 0n) return;
    for (const [w, c] of lc.terms) this.addTerm(w, c * k);
  }

  addTerm(w: Wire, c: bigint): void {
    let v = (this.terms.get(w) ?? 0n) + c;
    if (v > P || v < -P) v %= P;
    this.terms.set(w, v);
  }

  addConstant(c: bigint): void {
    if (c !== 0n) this.addTerm(ONE, c);
  }

  finish(): LinearCombination {
    const t = this.terms;
    this.terms = new Map();
    return LinearCombination.fromTerms(t);
  }
}

/** A tensor of the circuit: one linear combination per element, row-major. */
export interface LcTensor {
  readonly shape: readonly number[];
  readonly lcs: readonly LinearCombination[];
}
