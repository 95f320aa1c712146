/**
 * The per-wire scalars of a development zkey (dev-zkey-plan.ts says which), summed term by
 * term over a streamed .r1cs in the wasm module's Montgomery arithmetic (~100 ns a term, where
 * a BigInt multiply-and-reduce costs a microsecond): three accumulators per wire and the
 * domain's L_j(tau), 32 bytes each, O(wires + domain) memory in all, whatever the file's size.
 * These are the toxic waste's images: they stay in this process's memory.
 */
import { P as R, writeBigField } from "../field.js";
import { ZkError } from "../errors.js";
import type { LcKind } from "../formats/r1cs-stream.js";
import { computeScalars, type ScalarSpec } from "./ptau-chunk.js";
import type { WasmCurve } from "./wasm-curve.js";

const FR = 32;
type Fn = ReturnType<WasmCurve["fn"]>;

export class WireSums {
  private readonly pL: number;
  /** accumulators A, B, C in that order, each nWires × 32 bytes */
  private readonly acc: readonly [number, number, number];
  private readonly pT: number;
  private readonly pP: number;
  private readonly toM: Fn;
  private readonly fromM: Fn;
  private readonly mul: Fn;
  private readonly add: Fn;

  constructor(
    private readonly wc: WasmCurve,
    private readonly nWires: number,
    lagrange: readonly ScalarSpec[],
  ) {
    this.toM = wc.fn("frm_toMontgomery");
    this.fromM = wc.fn("frm_fromMontgomery");
    this.mul = wc.fn("frm_mul");
    this.add = wc.fn("frm_add");
    const n = lagrange.reduce((t, s) => t + s.count, 0);
    this.pL = wc.alloc(n * FR);
    this.acc = [wc.alloc(nWires * FR), wc.alloc(nWires * FR), wc.alloc(nWires * FR)];
    this.pT = wc.alloc(FR);
    this.pP = wc.alloc(FR);
    wc.bytes().fill(0, this.acc[0], this.acc[2] + nWires * FR); // Montgomery zero is all zeros
    let at = this.pL;
    for (const spec of lagrange) {
      const s = computeScalars(wc, spec); // its scratch lies above everything allocated here
      wc.bytes().set(s, at);
      for (let j = 0; j < spec.count; j++) this.toM(at + j * FR, at + j * FR);
      at += s.length;
    }
  }

  /**
   * acc[lc][wire] += coeff·L_constraint; for A and B the section-4 entry goes to `entry` at
   * `to` (and true is returned), for C nothing is written (false).
   */
  addTerm(
    constraint: number,
    lc: LcKind,
    wire: number,
    coeff: Uint8Array,
    at: number,
    entry: Uint8Array,
    to: number,
  ): boolean {
    // Montgomery multiplication wants inputs below r; a well-formed file's coefficients are
    if (coeff[at + 31]! >= 0x30 && !belowR(coeff, at))
      throw new ZkError("BAD_FILE", `constraint ${constraint}: a coefficient of wire ${wire} is not below r`);
    const mem = this.wc.bytes();
    mem.set(coeff.subarray(at, at + FR), this.pT);
    this.toM(this.pT, this.pT);
    this.mul(this.pT, this.pL + constraint * FR, this.pP);
    const a = this.acc[lc] + wire * FR;
    this.add(a, this.pP, a);
    if (lc === 2) return false;
    // snarkjs stores coeff·R² (zkey_new.js writeCoef): the Montgomery form of the Montgomery form
    this.toM(this.pT, this.pT);
    const v = new DataView(entry.buffer, entry.byteOffset);
    v.setUint32(to, lc, true);
    v.setUint32(to + 4, constraint, true);
    v.setUint32(to + 8, wire, true);
    entry.set(this.wc.bytes().subarray(this.pT, this.pT + FR), to + 12);
    return true;
  }

  /**
   * Folds C into K_s = beta·A_s + alpha·B_s + C_s, divided by delta for the private wires
   * (s > nPublic); A and B stay as they are.
   */
  finish(alpha: bigint, beta: bigint, deltaInv: bigint, nPublic: number): void {
    const mark = this.wc.mark();
    const [pa, pb, pd] = [alpha, beta, deltaInv].map((x) => this.constant(x)) as [number, number, number];
    const [A, B, C] = this.acc;
    for (let s = 0; s < this.nWires; s++) {
      const o = s * FR;
      this.mul(B + o, pa, this.pT);
      this.add(C + o, this.pT, C + o);
      this.mul(A + o, pb, this.pT);
      this.add(C + o, this.pT, C + o);
      if (s > nPublic) this.mul(C + o, pd, C + o);
    }
    this.wc.release(mark);
  }

  /** Scalars [from, from + count) of accumulator `which` (0 A, 1 B, 2 K), standard form, each times `times` if given. */
  scalars(which: 0 | 1 | 2, from: number, count: number, times?: bigint): Uint8Array {
    const mark = this.wc.mark();
    try {
      const out = this.wc.alloc(count * FR);
      const src = this.acc[which] + from * FR;
      const pt = times === undefined ? 0 : this.constant(times);
      for (let j = 0; j < count; j++) {
        if (times === undefined) this.fromM(src + j * FR, out + j * FR);
        else {
          this.mul(src + j * FR, pt, out + j * FR);
          this.fromM(out + j * FR, out + j * FR);
        }
      }
      return this.wc.bytes().slice(out, out + count * FR);
    } finally {
      this.wc.release(mark);
    }
  }

  private constant(v: bigint): number {
    const p = this.wc.alloc(FR);
    writeBigField(new DataView(this.wc.bytes().buffer), p, v);
    this.toM(p, p);
    return p;
  }
}

const R_BYTES = (() => {
  const b = new Uint8Array(FR);
  let r = R;
  for (let j = 0; j < FR; j++, r >>= 8n) b[j] = Number(r & 0xffn);
  return b;
})();

/** Whether the 32-byte LE number at `at` is below r, compared from the top byte down. */
function belowR(b: Uint8Array, at: number): boolean {
  for (let j = FR - 1; j >= 0; j--) {
    if (b[at + j]! !== R_BYTES[j]!) return b[at + j]! < R_BYTES[j]!;
  }
  return false;
}
