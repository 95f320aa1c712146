/**
 * One thread's share of a Groth16 proof's multi-exponentiations (groth16.ts runs the proof).
 *
 * A share owns a contiguous range of wires and one of domain points, and holds, in its own
 * wasm memory, its slice of every point section of the key: A, B1, B2 and C for its wires, H
 * for its domain points. It reads them from the .zkey once, when it starts, and keeps them for
 * every proof after (a batch, the service). No point is held twice: snarkjs's prover reads
 * every section whole and copies each multi-exponentiation's bases into every thread, which is
 * what took a power-21 proof to 4.9 GB.
 *
 * The sums are wasmcurves' bucket method (g1m/g2m_multiexpAffine_chunk, the code snarkjs's
 * threads run), one window of scalar bits at a time, joined here by doublings.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { ZKEY_SECTION } from "../formats/zkey.js";
import type { SectionRef } from "../formats/binfile.js";
import type { Group } from "./fixedbase.js";
import type { WasmCurve } from "./wasm-curve.js";

const FR = 32;
/** Bits of a scalar below r. */
const SCALAR_BITS = 254;
const AFFINE = { G1: 64, G2: 128 } as const;
export const JACOBIAN = { G1: 96, G2: 192 } as const;
const PREFIX = { G1: "g1m", G2: "g2m" } as const;

/** What a share is started with: where the key is, and its ranges of it. */
export interface ShareStart {
  /** a 2n-th root of unity for the key's domain of n points (Montgomery form): the odd coset's shift */
  readonly inc: Uint8Array;
  readonly file: string;
  readonly sections: ReadonlyMap<number, SectionRef>;
  readonly nPublic: number;
  /** wires [from, to) */
  readonly wires: readonly [number, number];
  /** domain points [from, to) */
  readonly domain: readonly [number, number];
}

/**
 * The window that makes Σ s_i·P_i cheapest by buckets: ⌈254/c⌉ windows, each one addition per
 * point and about two per bucket (2^c of them) to reduce the buckets.
 */
export function msmWindow(n: number): number {
  let best = 1;
  let bestCost = Infinity;
  for (let c = 1; c <= 16; c++) {
    const cost = Math.ceil(SCALAR_BITS / c) * (n + 2 ** (c + 1));
    if (cost < bestCost) [best, bestCost] = [c, cost];
  }
  return best;
}

/**
 * Σ s_i·P_i over `n` affine points at `pBases` and 32-byte scalars (normal form) at `pScalars`,
 * written as a Jacobian point (Montgomery form) at `pOut`.
 */
export function msm(wc: WasmCurve, group: Group, pBases: number, pScalars: number, n: number, pOut: number): void {
  const g = PREFIX[group];
  const zero = wc.fn(`${g}_zero`);
  zero(pOut);
  if (n === 0) return;
  const c = msmWindow(n);
  const mark = wc.mark();
  const pPart = wc.alloc(JACOBIAN[group]);
  // the chunk function takes its 2^c buckets above the free pointer: make room, then hand it back
  const room = wc.mark();
  wc.alloc((1 << c) * JACOBIAN[group]);
  wc.release(room);
  const chunk = wc.fn(`${g}_multiexpAffine_chunk`);
  const double = wc.fn(`${g}_double`);
  const add = wc.fn(`${g}_add`);
  for (let w = Math.ceil(SCALAR_BITS / c) - 1; w >= 0; w--) {
    for (let j = 0; j < c; j++) double(pOut, pOut);
    chunk(pBases, pScalars, FR, n, w * c, Math.min(c, SCALAR_BITS - w * c), pPart);
    add(pOut, pPart, pOut);
  }
  wc.release(mark);
}

/**
 * A polynomial's n evaluations on the domain (Montgomery form, at `p`) replaced by its
 * evaluations on the odd coset inc·ω^i: interpolate, multiply coefficient i by inc^i, evaluate.
 * `one` and `inc` point at 1 and inc in Montgomery form.
 */
export function toOddCoset(wc: WasmCurve, p: number, n: number, one: number, inc: number): void {
  wc.fn("frm_ifft")(p, n);
  wc.fn("frm_batchApplyKey")(p, n, one, inc, p);
  wc.fn("frm_fft")(p, n);
}

/** Reads `length` bytes of `file` at `position` into the wasm memory at `p`. */
export function readInto(fd: number, wc: WasmCurve, p: number, length: number, position: number, file: string): void {
  for (let done = 0; done < length;) {
    const n = readSync(fd, wc.bytes(), p + done, length - done, position + done);
    if (n === 0) throw new Error(`${file}: ended early, at byte ${position + done}`);
    done += n;
  }
}

interface Slice {
  readonly p: number;
  readonly n: number;
}

export class MsmShare {
  private readonly a: Slice;
  private readonly b1: Slice;
  private readonly b2: Slice;
  private readonly c: Slice;
  /** the first wire C's slice covers (C has a point for each private wire only) */
  private readonly cFrom: number;
  private readonly h: Slice;
  private readonly pScalars: number;
  private readonly pOut: number;
  private readonly pOne: number;
  private readonly pInc: number;
  /** room for one polynomial's evaluations, taken at the first `coset` */
  private pCoset = { p: 0, n: 0 };

  constructor(
    private readonly wc: WasmCurve,
    private readonly start: ShareStart,
  ) {
    const [w0, w1] = start.wires;
    const [d0, d1] = start.domain;
    const firstPrivate = start.nPublic + 1;
    this.cFrom = Math.max(w0, firstPrivate);
    const fd = openSync(start.file, "r");
    try {
      const load = (type: number, group: Group, from: number, to: number): Slice => {
        const n = Math.max(0, to - from);
        const p = wc.alloc(n * AFFINE[group]);
        const span = start.sections.get(type)!;
        readInto(fd, wc, p, n * AFFINE[group], span.start + from * AFFINE[group], start.file);
        return { p, n };
      };
      this.a = load(ZKEY_SECTION.A, "G1", w0, w1);
      this.b1 = load(ZKEY_SECTION.B1, "G1", w0, w1);
      this.b2 = load(ZKEY_SECTION.B2, "G2", w0, w1);
      this.c = load(ZKEY_SECTION.C, "G1", this.cFrom - firstPrivate, w1 - firstPrivate);
      this.h = load(ZKEY_SECTION.H, "G1", d0, d1);
    } finally {
      closeSync(fd);
    }
    this.pScalars = wc.alloc(Math.max(w1 - w0, d1 - d0) * FR);
    this.pOut = wc.alloc(3 * JACOBIAN.G1 + JACOBIAN.G2);
    this.pOne = wc.alloc(FR);
    wc.fn("frm_one")(this.pOne);
    this.pInc = wc.alloc(FR);
    wc.bytes().set(start.inc, this.pInc);
  }

  /** One of the proof's polynomials (A, B or C), its domain evaluations to its odd coset's (toOddCoset). */
  coset(values: Uint8Array): Uint8Array {
    const n = values.length / FR;
    if (this.pCoset.n !== n) this.pCoset = { p: this.wc.alloc(n * FR), n };
    const { p } = this.pCoset;
    this.wc.bytes().set(values, p);
    toOddCoset(this.wc, p, n, this.pOne, this.pInc);
    return this.wc.bytes().slice(p, p + n * FR);
  }

  private scalars(values: Uint8Array, n: number, what: string): void {
    if (values.length !== n * FR) throw new Error(`a share of ${n} ${what} was handed ${values.length / FR} scalars`);
    this.wc.bytes().set(values, this.pScalars);
  }

  /** This share's part of A, B1, B2 and C for its wires' values: four Jacobian points, in that order. */
  wires(witness: Uint8Array): Uint8Array {
    const { wc, pScalars: s, pOut: o } = this;
    this.scalars(witness, this.a.n, "wires");
    msm(wc, "G1", this.a.p, s, this.a.n, o);
    msm(wc, "G1", this.b1.p, s, this.b1.n, o + JACOBIAN.G1);
    msm(wc, "G2", this.b2.p, s, this.b2.n, o + 2 * JACOBIAN.G1);
    msm(wc, "G1", this.c.p, s + (this.cFrom - this.start.wires[0]) * FR, this.c.n, o + 2 * JACOBIAN.G1 + JACOBIAN.G2);
    return wc.bytes().slice(o, o + 3 * JACOBIAN.G1 + JACOBIAN.G2);
  }

  /** This share's part of H for its domain points' values of (A·B − C)/Z: one Jacobian point. */
  quotient(values: Uint8Array): Uint8Array {
    const { wc, pScalars: s, pOut: o } = this;
    this.scalars(values, this.h.n, "domain points");
    msm(wc, "G1", this.h.p, s, this.h.n, o);
    return wc.bytes().slice(o, o + JACOBIAN.G1);
  }
}
