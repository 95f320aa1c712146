/**
 * [s_i]·G for many scalars s_i and one fixed generator G (ptau generation's only heavy work).
 *
 * Window table: T[w][d-1] = d·2^(W·w)·G for d = 1..2^(W-1). A scalar is recoded into signed
 * W-bit digits s = Σ_w e_w·2^(W·w), |e_w| ≤ 2^(W-1), so [s]G = Σ_w sign(e_w)·T[w][|e_w|-1]:
 * one addition per window (16 at W = 16) instead of a ~250-doubling scalar multiplication.
 * Signed digits halve the table for the same number of windows.
 *
 * Batch-affine additions: a batch of B accumulators is advanced one window at a time, all in
 * affine coordinates. An affine sum needs one inversion, λ = (y₂-y₁)/(x₂-x₁); Montgomery's
 * trick shares one inversion among the batch for three multiplications each, so a sum costs
 * about 6 field multiplications instead of the 11 of a mixed Jacobian addition, and no
 * conversion to affine is left at the end (measured: 0.66 µs vs 0.96 µs a G1 sum).
 *
 * The affine formula is wrong when x₂ = x₁ (a doubling, or P + (-P) = 0): such a sum is
 * taken out of the batch and done in Jacobian coordinates, which handle both. For scalars
 * below r it can happen only in the top window (s_low ≡ e·2^(Ww) mod r), never by chance,
 * but a test hits it on purpose.
 *
 * Two implementations of the sums, giving the same bytes: the kernel (kernels/wasm/assembly/
 * bn254.ts), which runs whole window passes in wasm with Fq arithmetic in locals, and the
 * reference (fixedbase-ops.ts), which calls wasmcurves' exports (fields f1m/f2m, groups
 * g1m/g2m) once per field operation from JavaScript. The kernel is 1.2× (G1) to 1.6× (G2) faster: the calls
 * from JS, and wasmcurves' additions through int_add/int_sub/int_gte in memory, were a third
 * of the time; the Montgomery multiplications, 70 ns each in both, are now most of it. Both
 * run over a bare instance of wasmcurves (wasm-curve.ts). Points are affine, coordinates in
 * Montgomery form, as .ptau files hold them; the zero point is (0, 0), as ffjavascript writes it.
 */
import type { FixedBaseKernel, WasmCurve } from "./wasm-curve.js";
import { batchAdd, groupOps, scratch, type Group, type GroupOps } from "./fixedbase-ops.js";

export type { Group };

/** Widest window: a G1 table of 16-bit windows is 32 MiB, a G2 one of 15-bit windows 34 MiB. */
const MAX_TABLE_BYTES = 36 << 20;
const MAX_WINDOW = 16;
/** Accumulators advanced together: the shared inversion (~13 µs) is then ~1% of the batch. */
const BATCH = 2048;
/** Windows of W bits that hold any scalar below 2^254 in signed digits with no carry out of the top one. */
export function windowCount(w: number): number {
  return Math.ceil(255 / w);
}

function tableBytes(group: Group, w: number): number {
  return windowCount(w) * 2 ** (w - 1) * (group === "G1" ? 64 : 128);
}

/**
 * The window for `points` multiplications by one thread's table: the fewest additions,
 * counting the table's own (one per entry, made by the same batched sums, each of the
 * `threads` making its share of the rows), within the memory cap.
 */
export function chooseWindow(group: Group, points: number, threads = 1): number {
  let best = 2;
  let bestCost = Infinity;
  for (let w = 2; w <= MAX_WINDOW && tableBytes(group, w) <= MAX_TABLE_BYTES; w++) {
    const cost = windowCount(w) * (points + 2 ** (w - 1) / threads);
    if (cost < bestCost) [best, bestCost] = [w, cost];
  }
  return best;
}

export interface FixedBaseTable {
  readonly group: Group;
  readonly window: number;
  readonly windows: number;
  /** Pointer to T[0][0]; T[w][j] at ptr + (w·2^(W-1) + j)·sAff. */
  readonly ptr: number;
}

/** Bytes of one window's row of a table. */
export function rowBytes(group: Group, window: number): number {
  return 2 ** (window - 1) * (group === "G1" ? 64 : 128);
}

/** Room for a table in wc's memory, where it stays (its memory is never released); rows still to fill. */
export function allocTable(wc: WasmCurve, group: Group, window: number): FixedBaseTable {
  const windows = windowCount(window);
  return { group, window, windows, ptr: wc.alloc(windows * rowBytes(group, window)) };
}

/**
 * Fills rows [from, to) of the table of `generator` (Jacobian, Montgomery form, as
 * ffjavascript's `G.one`): rows are independent, so threads can share a table's making.
 * Entries double level by level, each level one batch: T[2m] = 2·T[m], then T[m+i] = T[i] +
 * T[m] for 0 < i < m, a sum whose sides never share an x (i ≠ ±m modulo the group order).
 */
export function fillRows(wc: WasmCurve, table: FixedBaseTable, generator: Uint8Array, from: number, to: number): void {
  const { window, ptr } = table;
  const G = groupOps(wc, table.group);
  const half = 2 ** (window - 1);
  const entry = (w: number, value: number) => ptr + (w * half + value - 1) * G.sAff;
  const mark = wc.mark();
  const base = wc.alloc(G.sJac);
  wc.bytes().set(generator, base);
  for (let k = 0; k < from * window; k++) G.double(base, base);
  for (let w = from; w < to; w++) {
    G.toAffine(base, entry(w, 1));
    for (let k = 0; k < window; k++) G.double(base, base);
  }
  const sums = wc.kernel ? kernelSums(wc, wc.kernel, table.group) : callSums(wc, G);
  for (let level = 1; level < half; level *= 2) {
    for (let w = from; w < to; w++) {
      G.toJacobian(entry(w, level), base);
      G.double(base, base);
      G.toAffine(base, entry(w, 2 * level));
      for (let i = 1; i < level; i++) {
        G.copyAffine(entry(w, i), entry(w, level + i));
        sums.push(entry(w, level + i), entry(w, level));
      }
    }
    sums.flush(); // the next level reads this one
  }
  wc.release(mark);
}

/** Sums acc += add (pointers to affine points), queued and done a batch at a time. */
interface Sums {
  push(acc: number, add: number): void;
  flush(): void;
}

/** The reference: fixedbase-ops.ts's batchAdd, a wasmcurves call per field operation. */
function callSums(wc: WasmCurve, G: GroupOps): Sums {
  const s = scratch(wc, G, BATCH);
  const acc = new Int32Array(BATCH),
    add = new Int32Array(BATCH),
    neg = new Uint8Array(BATCH);
  let m = 0;
  const flush = () => {
    if (m) batchAdd(G, s, acc, add, neg, m);
    m = 0;
  };
  return {
    push(a, p) {
      acc[m] = a;
      add[m++] = p;
      if (m === BATCH) flush();
    },
    flush,
  };
}

/** The same sums in the kernel (kernels/wasm/assembly/bn254.ts): pointer arrays in wasm memory. */
function kernelSums(wc: WasmCurve, k: FixedBaseKernel, group: Group): Sums {
  const work = wc.alloc(group === "G1" ? k.g1WorkBytes(BATCH) : k.g2WorkBytes(BATCH));
  const accs = wc.alloc(4 * BATCH),
    adds = wc.alloc(4 * BATCH),
    negs = wc.alloc(4 * BATCH);
  wc.bytes().fill(0, negs, negs + 4 * BATCH);
  const addBatch = group === "G1" ? k.g1AddBatch : k.g2AddBatch;
  let m = 0;
  const flush = () => {
    if (m) addBatch(accs, adds, negs, m, work);
    m = 0;
  };
  return {
    push(a, p) {
      // a fresh view each time: nothing allocates meanwhile, but a view of grown memory would be empty
      const view = new DataView(wc.bytes().buffer);
      view.setUint32(accs + 4 * m, a, true);
      view.setUint32(adds + 4 * m++, p, true);
      if (m === BATCH) flush();
    },
    flush,
  };
}

/** Rows [from, to) as they lie in wc's memory (a view: copy it before the next alloc), for other threads' tables. */
export function readRows(wc: WasmCurve, table: FixedBaseTable, from: number, to: number): Uint8Array {
  const row = rowBytes(table.group, table.window);
  return wc.bytes().subarray(table.ptr + from * row, table.ptr + to * row);
}

/** Rows made elsewhere (readRows' bytes), from row `from` on. */
export function writeRows(wc: WasmCurve, table: FixedBaseTable, from: number, rows: Uint8Array): void {
  wc.bytes().set(rows, table.ptr + from * rowBytes(table.group, table.window));
}

/** A whole table in one thread. */
export function buildTable(wc: WasmCurve, group: Group, generator: Uint8Array, window: number): FixedBaseTable {
  const table = allocTable(wc, group, window);
  fillRows(wc, table, generator, 0, table.windows);
  return table;
}

/**
 * Signed digits of `count` scalars (32 bytes each, little-endian, each below 2^254), digit w of
 * scalar i at out[i·windows + w], each in (-2^(W-1), 2^(W-1)].
 */
export function signedDigits(scalars: Uint8Array, count: number, window: number, out: Int32Array): void {
  const windows = windowCount(window);
  const half = 2 ** (window - 1);
  const mask = 2 ** window - 1;
  for (let i = 0; i < count; i++) {
    const s = i * 32;
    if (scalars[s + 31]! >= 0x40) throw new Error(`fixed-base scalar ${i} is not below 2^254`);
    let carry = 0;
    for (let w = 0, bit = 0; w < windows; w++, bit += window) {
      let raw = 0;
      if (bit < 256) {
        const byte = s + (bit >> 3);
        // three bytes hold any window of up to 17 bits; past byte 31 lies the next scalar, masked off
        const b1 = (bit >> 3) + 1 < 32 ? scalars[byte + 1]! : 0;
        const b2 = (bit >> 3) + 2 < 32 ? scalars[byte + 2]! : 0;
        raw = ((scalars[byte]! | (b1 << 8) | (b2 << 16)) >>> (bit & 7)) & mask;
      }
      let d = raw + carry;
      carry = d > half ? 1 : 0;
      if (carry) d -= 2 * half;
      out[i * windows + w] = d;
    }
  }
}

/**
 * [s_i]·G for each 32-byte little-endian scalar (below 2^254; ptau's are below r): affine
 * points, Montgomery form, packed (64 bytes each in G1, 128 in G2). In the kernel when wc has
 * one, else through wasmcurves' calls: the same points, byte for byte.
 */
export function multiply(wc: WasmCurve, table: FixedBaseTable, scalars: Uint8Array): Uint8Array {
  return wc.kernel ? multiplyInKernel(wc, wc.kernel, table, scalars) : multiplyByCalls(wc, table, scalars);
}

function multiplyInKernel(wc: WasmCurve, k: FixedBaseKernel, table: FixedBaseTable, scalars: Uint8Array): Uint8Array {
  const { windows, window } = table;
  const g1 = table.group === "G1";
  const sAff = g1 ? 64 : 128;
  const n = scalars.length / 32;
  const out = new Uint8Array(n * sAff);
  const digits = new Int32Array(BATCH * windows);
  const mark = wc.mark();
  try {
    const work = wc.alloc(g1 ? k.g1WorkBytes(BATCH) : k.g2WorkBytes(BATCH));
    const pDigits = wc.alloc(4 * BATCH * windows),
      accs = wc.alloc(BATCH * sAff),
      zero = wc.alloc(BATCH);
    const pass = g1 ? k.g1MultiplyBatch : k.g2MultiplyBatch;
    for (let first = 0; first < n; first += BATCH) {
      const b = Math.min(BATCH, n - first);
      signedDigits(scalars.subarray(first * 32, (first + b) * 32), b, window, digits);
      const mem = wc.bytes();
      new Int32Array(mem.buffer, pDigits, b * windows).set(digits.subarray(0, b * windows));
      pass(b, pDigits, windows, 2 ** (window - 1), table.ptr, accs, zero, BATCH, work);
      out.set(wc.bytes().subarray(accs, accs + b * sAff), first * sAff);
    }
  } finally {
    wc.release(mark);
  }
  return out;
}

function multiplyByCalls(wc: WasmCurve, table: FixedBaseTable, scalars: Uint8Array): Uint8Array {
  const G = groupOps(wc, table.group);
  const { windows, window } = table;
  const half = 2 ** (window - 1);
  const n = scalars.length / 32;
  const out = new Uint8Array(n * G.sAff);
  const mark = wc.mark();
  try {
    const accs = wc.alloc(BATCH * G.sAff);
    const s = scratch(wc, G, BATCH);
    const digits = new Int32Array(BATCH * windows);
    const zero = new Uint8Array(BATCH);
    const acc = new Int32Array(BATCH),
      add = new Int32Array(BATCH),
      neg = new Uint8Array(BATCH),
      who = new Int32Array(BATCH);
    for (let first = 0; first < n; first += BATCH) {
      const b = Math.min(BATCH, n - first);
      signedDigits(scalars.subarray(first * 32, (first + b) * 32), b, window, digits);
      zero.fill(1, 0, b);
      for (let w = 0; w < windows; w++) {
        let m = 0;
        for (let i = 0; i < b; i++) {
          const d = digits[i * windows + w]!;
          if (d === 0) continue;
          const p = table.ptr + (w * half + Math.abs(d) - 1) * G.sAff;
          const a = accs + i * G.sAff;
          if (zero[i]) {
            G.copyAffine(p, a);
            if (d < 0) G.fneg(a + G.n8, a + G.n8);
            zero[i] = 0;
            continue;
          }
          acc[m] = a;
          add[m] = p;
          neg[m] = d < 0 ? 1 : 0;
          who[m++] = i;
        }
        const specials = m ? batchAdd(G, s, acc, add, neg, m) : 0;
        for (let k = 0; k < specials; k++) {
          const j = s.special[k]!;
          if (G.isZeroAffine(acc[j]!)) zero[who[j]!] = 1;
        }
      }
      for (let i = 0; i < b; i++) if (zero[i]) G.zeroAffine(accs + i * G.sAff);
      out.set(wc.bytes().subarray(accs, accs + b * G.sAff), first * G.sAff);
    }
  } finally {
    wc.release(mark);
  }
  return out;
}
