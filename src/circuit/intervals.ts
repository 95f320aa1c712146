/**
 * What the constraints force: an integer interval for each wire, learned from the constraints
 * themselves, never from calibration or from the compile-time weights. The packing gadget
 * (gadgets/pack.ts) reads these to decide whether a value needs a range check before it enters
 * a commitment, and the soundness audit (audit.ts) re-derives them from a finished R1CS.
 *
 * Every wire this tracks holds an integer v (as v mod p); an interval [lo, hi] says that in
 * *every* satisfying assignment, lo ≤ v ≤ hi. Three rules, each sound on its own:
 *
 *   booleanity   b·(b - 1) = 0                      ⇒ b ∈ [0, 1]
 *   definition   a linear constraint with exactly one wire w of unknown range, coefficient ±1:
 *                w = ∓(the rest)                     ⇒ w ∈ ∓[rest]
 *   product      A·B = C with A, B of known range and a wire w in C (coefficient ±1):
 *                w = ±(A·B - rest of C)              ⇒ w ∈ ±([A]·[B] - [rest])
 *                and when A (or B) is an integer in [0, 1] the two cases are taken apart:
 *                A = 0 gives C = 0, A = 1 gives C = B, solved symbolically, so max(a, b) =
 *                b + s·(a - b) gets [a] ∪ [b], not the interval product's looser range.
 *
 * Wires whose value is not such an integer (Poseidon's S-boxes, salts) simply never get an
 * interval. Arithmetic is on doubles kept exact: any step past 2^53 gives "unknown" instead,
 * which only costs a range check later, never soundness.
 */
import { type LinearCombination, ONE, type Wire } from "./lc.js";
import { toSigned } from "../field.js";

export interface Range {
  readonly lo: number;
  readonly hi: number;
}

const SAFE = Number.MAX_SAFE_INTEGER;

function safe(v: number): boolean {
  return v >= -SAFE && v <= SAFE;
}

const BIG_SAFE = BigInt(SAFE);

/** A coefficient as an exact double (read as a signed field element: p - 1 is -1), or null. */
function exactCoeff(c: bigint): number | null {
  const s = c >= -BIG_SAFE && c <= BIG_SAFE ? c : toSigned(c);
  return s >= -BIG_SAFE && s <= BIG_SAFE ? Number(s) : null;
}

/** c·[lo, hi], or null if it leaves the exact range. */
function scaled(c: number, lo: number, hi: number): Range | null {
  const a = c * lo,
    b = c * hi;
  if (!safe(a) || !safe(b)) return null;
  return a <= b ? { lo: a, hi: b } : { lo: b, hi: a };
}

function productRange(x: Range, y: Range): Range | null {
  const cs = [x.lo * y.lo, x.lo * y.hi, x.hi * y.lo, x.hi * y.hi];
  if (!cs.every(safe)) return null;
  return { lo: Math.min(...cs), hi: Math.max(...cs) };
}

export function hull(a: Range, b: Range): Range {
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

export class WireIntervals {
  private lo: Float64Array;
  private hi: Float64Array;
  /** counts the narrowings that changed something (the audit iterates to a fixpoint) */
  changes = 0;

  constructor(nWires = 1024) {
    this.lo = new Float64Array(Math.max(nWires, 1)).fill(NaN);
    this.hi = new Float64Array(Math.max(nWires, 1)).fill(NaN);
    this.lo[ONE] = 1;
    this.hi[ONE] = 1;
  }

  private grow(w: Wire): void {
    if (w < this.lo.length) return;
    const n = Math.max(w + 1, this.lo.length * 2);
    const lo = new Float64Array(n).fill(NaN),
      hi = new Float64Array(n).fill(NaN);
    lo.set(this.lo);
    hi.set(this.hi);
    this.lo = lo;
    this.hi = hi;
  }

  /** The range the constraints so far force on wire w, or null if none is known. */
  get(w: Wire): Range | null {
    if (w >= this.lo.length || Number.isNaN(this.lo[w]!)) return null;
    return { lo: this.lo[w]!, hi: this.hi[w]! };
  }

  /** Records that w ∈ r (intersected with what was known). */
  private narrow(w: Wire, r: Range): void {
    if (w === ONE) return;
    this.grow(w);
    const known = this.get(w);
    const lo = known ? Math.max(known.lo, r.lo) : r.lo;
    const hi = known ? Math.min(known.hi, r.hi) : r.hi;
    if (known && lo === known.lo && hi === known.hi) return;
    this.lo[w] = lo;
    this.hi[w] = hi;
    this.changes++;
  }

  /** The range of a linear combination: exact interval arithmetic, null if a wire is unknown. */
  ofLc(lc: LinearCombination, skip: Wire = -1): Range | null {
    let lo = 0,
      hi = 0;
    for (const [w, c] of lc.terms) {
      if (w === skip) continue;
      const k = exactCoeff(c);
      if (k === null) return null;
      let t: Range | null;
      if (w === ONE) {
        t = { lo: k, hi: k };
      } else {
        const r = this.get(w);
        if (!r) return null;
        t = scaled(k, r.lo, r.hi);
        if (!t) return null;
      }
      lo += t.lo;
      hi += t.hi;
      if (!safe(lo) || !safe(hi)) return null;
    }
    return { lo, hi };
  }

  /** Learns what the constraint a·b = c forces (see the rules above). */
  learn(a: LinearCombination, b: LinearCombination, c: LinearCombination): void {
    const ka = constantOf(a),
      kb = constantOf(b);
    if (ka !== null || kb !== null) {
      // k·X = C is the linear constraint k·X - C = 0
      this.learnLinear(ka !== null ? b.scale(ka).add(c, -1n) : a.scale(kb!).add(c, -1n));
      return;
    }
    const bit = booleanityOf(a, b, c);
    if (bit !== null) {
      this.narrow(bit, { lo: 0, hi: 1 });
      return;
    }
    this.learnProduct(a, b, c);
  }

  private learnLinear(l: LinearCombination): void {
    let target: Wire = -1;
    for (const w of l.terms.keys()) {
      if (w === ONE || this.get(w)) continue;
      if (target >= 0) return; // two unknowns: nothing forced
      target = w;
    }
    if (target < 0) return;
    const r = solveFor(this, l, target);
    if (r) this.narrow(target, r);
  }

  private learnProduct(a: LinearCombination, b: LinearCombination, c: LinearCombination): void {
    // small C only: products define one wire (max: y - b); a wide C is never a definition
    if (c.size > 4) return;
    const ra = this.ofLc(a),
      rb = this.ofLc(b);
    if (!ra || !rb) return;
    for (const [w, cw] of c.terms) {
      const u = unitOf(cw);
      if (w === ONE || u === 0 || a.terms.has(w) || b.terms.has(w)) continue;
      let r: Range | null;
      if (isBit(ra) || isBit(rb)) {
        // s ∈ {0, 1}: s = 0 forces C = 0, s = 1 forces C = (the other factor)
        const other = isBit(ra) ? b : a;
        const r0 = solveFor(this, c, w);
        const r1 = solveFor(this, c.add(other, -1n), w);
        r = r0 && r1 ? hull(r0, r1) : null;
      } else {
        const p = productRange(ra, rb);
        const rest = p && this.ofLc(c, w);
        // cw·w + rest = A·B
        r =
          p && rest
            ? u === 1
              ? { lo: p.lo - rest.hi, hi: p.hi - rest.lo }
              : { lo: rest.lo - p.hi, hi: rest.hi - p.lo }
            : null;
        if (r && (!safe(r.lo) || !safe(r.hi))) r = null;
      }
      if (r) this.narrow(w, r);
    }
  }
}

function isBit(r: Range): boolean {
  return r.lo === 0 && r.hi === 1;
}

/** w's range from the linear constraint l = 0 (w's coefficient ±1), or null. */
function solveFor(iv: WireIntervals, l: LinearCombination, w: Wire): Range | null {
  const u = unitOf(l.terms.get(w) ?? 0n);
  if (u === 0) return null;
  const rest = iv.ofLc(l, w);
  if (!rest) return null;
  // u·w + rest = 0
  return u === 1 ? { lo: -rest.hi, hi: -rest.lo } : rest;
}

/** 1 or -1 for a coefficient ±1 (signed or as a field element), else 0. */
function unitOf(c: bigint): 1 | -1 | 0 {
  const s = toSigned(c);
  return s === 1n ? 1 : s === -1n ? -1 : 0;
}

/** The constant k if lc is exactly k·1 (k ≠ 0), else null. */
function constantOf(lc: LinearCombination): bigint | null {
  if (lc.size !== 1) return null;
  const k = lc.terms.get(ONE);
  return k === undefined ? null : k;
}

/** The wire b if the constraint is b·(b - 1) = 0 (either order), else null. */
function booleanityOf(a: LinearCombination, b: LinearCombination, c: LinearCombination): Wire | null {
  if (c.size !== 0) return null;
  const w = a.asWire();
  if (w !== undefined && b.size === 2 && unitOf(b.terms.get(w) ?? 0n) === 1 && unitOf(b.terms.get(ONE) ?? 0n) === -1)
    return w;
  const v = b.asWire();
  if (v !== undefined && a.size === 2 && unitOf(a.terms.get(v) ?? 0n) === 1 && unitOf(a.terms.get(ONE) ?? 0n) === -1)
    return v;
  return null;
}
