/**
 * One chunk of a development ptau file: a run of consecutive points of one section, [s_j]·G
 * for scalars s_j that a few numbers define (ptau-plan.ts computes them), so a chunk travels
 * to a worker thread as a tiny instruction and comes back as its points.
 *
 * The scalars are computed here, in the wasm module's Montgomery arithmetic (frm_*), where a
 * multiplication costs ~70 ns instead of a BigInt's microsecond:
 *   powers:   s_j = first·ratio^j                   (tau^i, alpha·tau^i, beta·tau^i)
 *   lagrange: s_j = x_j·(c/(tau - x_j) - last),  x_j = x0·w^j
 *             (c·L_i(tau) on a domain of roots w, with the dropped-term correction `last`)
 * with one shared inversion (Montgomery's trick) for the whole chunk's denominators.
 *
 * These numbers are the toxic waste: they live in this process's memory and its worker
 * threads' messages only, never in an error message, a log or a file.
 */
import { writeBigField } from "../field.js";
import { buildTable, multiply, type FixedBaseTable, type Group } from "./fixedbase.js";
import type { WasmCurve } from "./wasm-curve.js";

export type ScalarSpec =
  | { readonly kind: "powers"; readonly first: bigint; readonly ratio: bigint; readonly count: number }
  | {
      readonly kind: "lagrange";
      readonly x0: bigint;
      readonly w: bigint;
      readonly tau: bigint;
      readonly c: bigint;
      readonly last: bigint;
      readonly count: number;
    };

export interface ChunkTask {
  readonly group: Group;
  /** The table's window, the same for every chunk of a group in one file (chooseWindow). */
  readonly window: number;
  readonly scalars: ScalarSpec;
}

const FR = 32;

/** The scalars of `spec`, 32-byte little-endian in standard form, below r. */
export function computeScalars(wc: WasmCurve, spec: ScalarSpec): Uint8Array {
  const mul = wc.fn("frm_mul"),
    sub = wc.fn("frm_sub"),
    toM = wc.fn("frm_toMontgomery"),
    fromM = wc.fn("frm_fromMontgomery"),
    copy = wc.fn("frm_copy"),
    isZero = wc.fn("frm_isZero");
  const n = spec.count;
  const mark = wc.mark();
  try {
    const out = wc.alloc(n * FR);
    const constant = (v: bigint) => {
      const p = wc.alloc(FR);
      writeBigField(new DataView(wc.bytes().buffer), p, v);
      toM(p, p);
      return p;
    };
    if (spec.kind === "powers") {
      const ratio = constant(spec.ratio);
      const x = constant(spec.first);
      for (let j = 0; j < n; j++) {
        fromM(x, out + j * FR);
        mul(x, ratio, x);
      }
    } else {
      const [w, tau, c, last, x] = [spec.w, spec.tau, spec.c, spec.last, spec.x0].map(constant) as [
        number,
        number,
        number,
        number,
        number,
      ];
      const xs = wc.alloc(n * FR),
        den = wc.alloc(n * FR),
        inv = wc.alloc(n * FR);
      for (let j = 0; j < n; j++) {
        copy(x, xs + j * FR);
        sub(tau, x, den + j * FR);
        // tau on the domain would make L_i(tau) a 0/0; ptau-plan draws tau off it, this only checks
        if (isZero(den + j * FR)) throw new Error("lagrange scalars: tau lies on the domain");
        mul(x, w, x);
      }
      wc.fn("frm_batchInverse")(den, FR, n, inv, FR);
      for (let j = 0; j < n; j++) {
        const s = out + j * FR;
        mul(c, inv + j * FR, s);
        sub(s, last, s);
        mul(s, xs + j * FR, s);
        fromM(s, s);
      }
    }
    return wc.bytes().slice(out, out + n * FR);
  } finally {
    wc.release(mark);
  }
}

/**
 * Runs chunks against one wasm instance, building each group's table on first use and
 * keeping it (a table costs about as much as 2^(W-1)·windows points, so it is built once
 * per group per thread, not per chunk). Worker threads and the one-thread path share it.
 */
export class ChunkRunner {
  private readonly tables = new Map<Group, FixedBaseTable>();

  constructor(
    private readonly wc: WasmCurve,
    /** Each group's generator, Jacobian, Montgomery form (ffjavascript's `G.one`). */
    private readonly generators: Readonly<Record<Group, Uint8Array>>,
  ) {}

  run(task: ChunkTask): Uint8Array {
    return multiply(this.wc, this.table(task.group, task.window), computeScalars(this.wc, task.scalars));
  }

  private table(group: Group, window: number): FixedBaseTable {
    let t = this.tables.get(group);
    if (!t || t.window !== window) {
      // a table's memory is never handed back, so a second window per group is a bug, not a use
      if (t) throw new Error(`fixed-base table for ${group}: window ${window} after ${t.window}`);
      t = buildTable(this.wc, group, this.generators[group], window);
      this.tables.set(group, t);
    }
    return t;
  }
}
