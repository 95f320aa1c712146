/**
 * Loops over many points or scalars inside ffjavascript's main-thread wasm instance, one
 * exported function call per element and no copy per call: a point's on-curve test is a few
 * field multiplications, far cheaper than the Uint8Array round trip of `G.isValid`.
 *
 * This is below ffjavascript's public API (the version is pinned), and each
 * helper is synchronous and puts the memory's free pointer back, so nothing else can see or
 * disturb the scratch space it used.
 */
import type { Curve, ThreadManager } from "ffjavascript";

type Exports = Record<string, (...args: number[]) => number>;

/** Grows the main-thread memory so `bytes` past the free pointer fit. */
export function reserveMainMemory(tm: ThreadManager, bytes: number): void {
  // the same again for scratch space that functions like batchToAffine use past the free pointer
  const need = 2 * bytes + (1 << 20);
  const have = tm.memory.buffer.byteLength - tm.u32[0]!;
  if (need > have) {
    tm.memory.grow(Math.ceil((need - have) / 65536));
    tm.u8 = new Uint8Array(tm.memory.buffer);
    tm.u32 = new Uint32Array(tm.memory.buffer);
  }
}

function withScratch<T>(tm: ThreadManager, bytes: number, body: (alloc: (n: number) => number) => T): T {
  const saved = tm.u32[0]!;
  try {
    reserveMainMemory(tm, bytes);
    return body((n) => tm.alloc(n));
  } finally {
    tm.u32[0] = saved;
  }
}

/**
 * The index of the first point (affine, Montgomery form, as .ptau and .zkey files hold them)
 * that is neither the identity nor on the curve, or -1. Off-curve input would make every sum
 * over it meaningless (the addition formulas never look at the curve's b), so it is refused
 * before any sum is trusted.
 */
export function firstOffCurve(curve: Curve, group: "G1" | "G2", points: Uint8Array): number {
  const tm = curve.tm;
  const ex = tm.instance.exports as Exports;
  const pre = group === "G1" ? "g1m" : "g2m";
  const size = curve[group].F.n8 * 2;
  const n = points.length / size;
  return withScratch(tm, points.length, (alloc) => {
    const p = alloc(points.length);
    tm.setBuff(p, points);
    for (let i = 0; i < n; i++) {
      const at = p + i * size;
      if (!ex[`${pre}_isZeroAffine`]!(at) && !ex[`${pre}_inCurveAffine`]!(at)) return i;
    }
    return -1;
  });
}

/** acc[i] += add[i] mod r, elementwise over 32-byte scalars (either form: addition is the same). */
export function addScalarsInto(curve: Curve, acc: Uint8Array, add: Uint8Array): void {
  if (acc.length !== add.length) throw new Error(`addScalarsInto: ${acc.length} vs ${add.length} bytes`);
  const tm = curve.tm;
  const ex = tm.instance.exports as Exports;
  const n8 = curve.Fr.n8;
  withScratch(tm, 2 * acc.length, (alloc) => {
    const pa = alloc(acc.length);
    const pb = alloc(add.length);
    tm.setBuff(pa, acc);
    tm.setBuff(pb, add);
    for (let i = 0; i < acc.length; i += n8) ex.frm_add!(pa + i, pb + i, pa + i);
    acc.set(tm.u8.subarray(pa, pa + acc.length));
  });
}
