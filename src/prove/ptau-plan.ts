/**
 * What a development ptau file of power P holds, point by point, as chunks (ptau-chunk.ts) in
 * file order: every point is [s]·G of a scalar known in closed form from tau, alpha, beta.
 *
 *   2  tau^i·G1, i < 2n-1        3  tau^i·G2, i < n        4, 5  alpha·tau^i, beta·tau^i (G1)
 *   6  beta·G2                   12 L_i(tau)·G1 for every level p ≤ P+1 (2^p points each)
 *   13 L_i(tau)·G2, p ≤ P        14, 15  alpha·L_i(tau), beta·L_i(tau) (G1), p ≤ P
 *
 * L_i on the domain of size m = 2^p, roots w^i (ffjavascript's, so the same points snarkjs's
 * inverse FFT gives): L_i(tau) = (tau^m - 1)/m · w^i/(tau - w^i). Level P+1 of section 12 is
 * built by snarkjs from 2^(P+1) - 1 powers only (section 2 lacks tau^(2n-1)), so its values
 * lack the tau^(m-1) term of each L_i: subtract w^i·tau^(m-1)/m.
 *
 * Each chunk needs a few powers of tau and w, computed here in BigInt once per chunk: the
 * per-point work is in the chunk's wasm.
 */
import { P as R } from "../field.js";
import { PTAU_SECTION } from "../formats/ptau.js";
import { chooseWindow, type Group } from "./fixedbase.js";
import type { ChunkTask, ScalarSpec } from "./ptau-chunk.js";

export interface Secrets {
  readonly tau: bigint;
  readonly alpha: bigint;
  readonly beta: bigint;
}

export interface PlannedChunk {
  readonly task: ChunkTask;
  /** Its cost in G1-point units (a G2 point costs about four), for progress. */
  readonly cost: number;
}

export interface PlannedSection {
  readonly type: number;
  readonly chunks: readonly PlannedChunk[];
}

export interface DevPtauPlan {
  /** Each group's table window, one per file (every thread makes and uses the same table). */
  readonly windows: Readonly<Record<Group, number>>;
  readonly sections: readonly PlannedSection[];
}

export interface PlanOptions {
  /** Threads the chunks and the tables' rows are shared among: the best window depends on it. */
  readonly threads: number;
  /** Points per chunk, per group (smaller for G2, whose points cost four times more). */
  readonly chunkPoints: Readonly<Record<Group, number>>;
}

/** A G2 point costs about four G1 points here (measured: 2.8 µs vs 0.66 µs a batched sum). */
export const G2_COST = 4;

export function powMod(b: bigint, e: bigint, p: bigint): bigint {
  let r = 1n;
  b %= p;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % p;
    b = (b * b) % p;
    e >>= 1n;
  }
  return r;
}

const inverse = (x: bigint) => powMod(x, R - 2n, R);

/** Whether tau lies on the largest domain (a root of unity of order 2^(power+1)): then L_i(tau) is 0/0. */
export function onDomain(tau: bigint, power: number): boolean {
  return powMod(tau, 2n ** BigInt(power + 1), R) === 1n;
}

/** Points of one group and its sections, for the window choice. */
function groupPoints(power: number): Record<Group, number> {
  const n = 2 ** power;
  return { G1: 2 * n - 1 + 2 * n + (4 * n - 1) + 2 * (2 * n - 1), G2: n + 1 + (2 * n - 1) };
}

/**
 * The chunks of a file of `power`, section by section in file order (1 and 7, which hold no
 * points, are the writer's). `roots[p]` is the domain's generator of order 2^p.
 */
export function planDevPtau(power: number, secrets: Secrets, roots: readonly bigint[], opts: PlanOptions): DevPtauPlan {
  const { tau, alpha, beta } = secrets;
  const n = 2 ** power;
  const pts = groupPoints(power);
  const windows = {
    G1: chooseWindow("G1", Math.ceil(pts.G1 / opts.threads), opts.threads),
    G2: chooseWindow("G2", Math.ceil(pts.G2 / opts.threads), opts.threads),
  };
  const chunk = (group: Group, scalars: ScalarSpec): PlannedChunk => ({
    task: { group, window: windows[group], scalars },
    cost: scalars.count * (group === "G2" ? G2_COST : 1),
  });
  const ranges = (group: Group, count: number) => {
    const size = opts.chunkPoints[group];
    const out: [number, number][] = [];
    for (let start = 0; start < count; start += size) out.push([start, Math.min(size, count - start)]);
    return out;
  };
  const powers = (type: number, group: Group, count: number, times: bigint): PlannedSection => ({
    type,
    chunks: ranges(group, count).map(([start, k]) =>
      chunk(group, { kind: "powers", first: (times * powMod(tau, BigInt(start), R)) % R, ratio: tau, count: k }),
    ),
  });
  const lagrange = (type: number, group: Group, levels: number, times: bigint): PlannedSection => {
    const chunks: PlannedChunk[] = [];
    for (let p = 0; p <= levels; p++) {
      const m = 2 ** p;
      const w = roots[p]!;
      const mInv = inverse(BigInt(m));
      const tauM = powMod(tau, BigInt(m), R);
      const c = (((times * (tauM - 1n + R)) % R) * mInv) % R;
      const last = p === power + 1 ? (((times * powMod(tau, BigInt(m - 1), R)) % R) * mInv) % R : 0n;
      for (const [start, k] of ranges(group, m)) {
        const x0 = powMod(w, BigInt(start), R);
        chunks.push(chunk(group, { kind: "lagrange", x0, w, tau, c, last, count: k }));
      }
    }
    return { type, chunks };
  };
  const sections = [
    powers(PTAU_SECTION.TAU_G1, "G1", 2 * n - 1, 1n),
    powers(PTAU_SECTION.TAU_G2, "G2", n, 1n),
    powers(PTAU_SECTION.ALPHA_TAU_G1, "G1", n, alpha),
    powers(PTAU_SECTION.BETA_TAU_G1, "G1", n, beta),
    powers(PTAU_SECTION.BETA_G2, "G2", 1, beta),
    lagrange(PTAU_SECTION.LAGRANGE_TAU_G1, "G1", power + 1, 1n),
    lagrange(PTAU_SECTION.LAGRANGE_TAU_G2, "G2", power, 1n),
    lagrange(PTAU_SECTION.LAGRANGE_ALPHA_TAU_G1, "G1", power, alpha),
    lagrange(PTAU_SECTION.LAGRANGE_BETA_TAU_G1, "G1", power, beta),
  ];
  return { windows, sections };
}
