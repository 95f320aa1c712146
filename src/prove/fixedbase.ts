/**
 * [s_i]·G for many scalars s_i and one fixed generator G, with a precomputed window table:
 * T[w][d] = d·2^(W·w)·G, so [s]G = Σ_w T[w][digit_w(s)], about 26 mixed additions per point
 * instead of a ~250-doubling scalar multiplication (measured: 32 µs vs 156 µs per G1 point).
 *
 * It drives the wasm curve that ffjavascript builds (the same module snarkjs uses) through
 * its exported functions and linear memory. That is below ffjavascript's public API, so the
 * version is pinned in package.json, and tests check outputs against `G.timesScalar`.
 */
import type { Curve } from "ffjavascript";
import { reserveMainMemory } from "./wasm-batch.js";

const WINDOW = 10;
const N_WIN = Math.ceil(256 / WINDOW);
const SIZE = 1 << WINDOW;

type Exports = Record<string, (...args: number[]) => void>;

/**
 * Builds the table for `group`'s generator, hands `body` a multiply function, and frees the
 * wasm memory it used afterwards. Nothing else may use the curve's main-thread memory
 * while `body` runs (worker-thread operations are fine).
 */
export async function withFixedBase<T>(
  curve: Curve,
  group: "G1" | "G2",
  body: (multiply: (scalars: Uint8Array) => Uint8Array) => Promise<T>,
): Promise<T> {
  const G = curve[group];
  const pre = group === "G1" ? "g1m" : "g2m";
  const tm = curve.tm;
  const ex = tm.instance.exports as Exports;
  const sAff = G.F.n8 * 2,
    sJac = G.F.n8 * 3;

  const reserve = (bytes: number) => reserveMainMemory(tm, bytes);

  const saved = tm.u32[0]!;
  try {
    reserve(N_WIN * SIZE * sJac);
    const pTab = tm.alloc(N_WIN * SIZE * sJac);
    const pBase = tm.alloc(sJac);
    tm.setBuff(pBase, G.one);
    for (let w = 0; w < N_WIN; w++) {
      const row = pTab + w * SIZE * sJac;
      ex[`${pre}_zero`]!(row);
      for (let d = 1; d < SIZE; d++) ex[`${pre}_add`]!(row + (d - 1) * sJac, pBase, row + d * sJac);
      for (let k = 0; k < WINDOW; k++) ex[`${pre}_double`]!(pBase, pBase);
    }
    ex[`${pre}_batchToAffine`]!(pTab, N_WIN * SIZE, pTab); // now packed affine, stride sAff
    const afterTable = tm.u32[0]!;

    const multiply = (scalars: Uint8Array): Uint8Array => {
      const n = scalars.length / 32;
      reserve(n * sJac);
      const pOut = tm.alloc(n * sJac);
      try {
        for (let i = 0; i < n; i++) {
          const s = i * 32;
          const acc = pOut + i * sJac;
          ex[`${pre}_zero`]!(acc);
          for (let w = 0, bit = 0; w < N_WIN; w++, bit += WINDOW) {
            const byte = s + (bit >> 3);
            let digit =
              ((scalars[byte]! | ((scalars[byte + 1] ?? 0) << 8) | ((scalars[byte + 2] ?? 0) << 16)) >>> (bit & 7)) &
              (SIZE - 1);
            // the last window runs past this scalar's 256 bits into the next one: mask those off
            if (bit + WINDOW > 256) digit &= (1 << (256 - bit)) - 1;
            if (digit) ex[`${pre}_addMixed`]!(acc, pTab + (w * SIZE + digit) * sAff, acc);
          }
        }
        ex[`${pre}_batchToAffine`]!(pOut, n, pOut);
        return tm.u8.slice(pOut, pOut + n * sAff);
      } finally {
        tm.u32[0] = afterTable;
      }
    };
    return await body(multiply);
  } finally {
    tm.u32[0] = saved;
  }
}
