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
 *   list:     s_j given (a zkey's sums over a circuit's terms: dev-zkey-plan.ts)
 * with one shared inversion (Montgomery's trick) for the whole chunk's denominators.
 *
 * These numbers are the toxic waste: they live in this process's memory and its worker
 * threads' messages only, never in an error message, a log or a file.
 */
import { writeBigField } from "../field.js";
import {
  allocTable,
  fillRows,
  multiply,
  readRows,
  rowBytes,
  writeRows,
  type FixedBaseTable,
  type Group,
} from "./fixedbase.js";
import { assertNever } from "../util/never.js";
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
    }
  /** Scalars given one by one (a development zkey's, ptau-plan cannot give them in closed form): 32-byte LE, below r. */
  | { readonly kind: "list"; readonly scalars: Uint8Array; readonly count: number };

export interface ChunkTask {
  readonly group: Group;
  /** The table's window, the same for every chunk of a group in one file (chooseWindow). */
  readonly window: number;
  readonly scalars: ScalarSpec;
}

const FR = 32;

/** The scalars of `spec`, 32-byte little-endian in standard form, below r. */
export function computeScalars(wc: WasmCurve, spec: ScalarSpec): Uint8Array {
  if (spec.kind === "list") return spec.scalars;
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
 * What a thread is asked (ptau-pool.ts), answered with bytes or nothing. A table is made in
 * shared memory, `table` (a view of a SharedArrayBuffer, the whole table's size):
 *   rows:    make rows [from, to) of this thread's table for `group` and copy them into `table`
 *   install: take the other threads' rows from `table`, now complete
 *   chunk:   a chunk's points, with the table installed
 */
export type PtauRequest =
  | {
      readonly type: "rows";
      readonly group: Group;
      readonly window: number;
      readonly from: number;
      readonly to: number;
      readonly table: Uint8Array;
    }
  | { readonly type: "install"; readonly group: Group; readonly window: number; readonly table: Uint8Array }
  | { readonly type: "chunk"; readonly task: ChunkTask };

/**
 * Runs requests against one wasm instance, keeping each group's table (a table costs about
 * as much as 2^(W-1)·windows points: it is made once per file, its rows shared out among the
 * threads, not per chunk). Worker threads and the one-thread path share it.
 */
export class ChunkRunner {
  private readonly tables = new Map<Group, { readonly table: FixedBaseTable; complete: boolean }>();

  constructor(
    private readonly wc: WasmCurve,
    /** Each group's generator, Jacobian, Montgomery form (ffjavascript's `G.one`). */
    private readonly generators: Readonly<Record<Group, Uint8Array>>,
  ) {}

  serve(req: PtauRequest): Uint8Array | null {
    switch (req.type) {
      case "rows":
        this.rows(req.group, req.window, req.from, req.to, req.table);
        return null;
      case "install":
        this.install(req.group, req.window, req.table);
        return null;
      case "chunk":
        return this.run(req.task);
      default:
        return assertNever(req);
    }
  }

  rows(group: Group, window: number, from: number, to: number, shared: Uint8Array): void {
    const t = this.slot(group, window).table;
    fillRows(this.wc, t, this.generators[group], from, to);
    shared.set(readRows(this.wc, t, from, to), from * rowBytes(group, window));
  }

  install(group: Group, window: number, table: Uint8Array): void {
    const slot = this.slot(group, window);
    writeRows(this.wc, slot.table, 0, table);
    slot.complete = true;
  }

  /** A chunk's points; without an installed table (the one-thread path) this thread makes it all. */
  run(task: ChunkTask): Uint8Array {
    const slot = this.slot(task.group, task.window);
    if (!slot.complete) {
      fillRows(this.wc, slot.table, this.generators[task.group], 0, slot.table.windows);
      slot.complete = true;
    }
    return multiply(this.wc, slot.table, computeScalars(this.wc, task.scalars));
  }

  private slot(group: Group, window: number): { readonly table: FixedBaseTable; complete: boolean } {
    let slot = this.tables.get(group);
    if (!slot) {
      slot = { table: allocTable(this.wc, group, window), complete: false };
      this.tables.set(group, slot);
    }
    // a table's memory is never handed back, so a second window per group is a bug, not a use
    if (slot.table.window !== window)
      throw new Error(`fixed-base table for ${group}: window ${window} after ${slot.table.window}`);
    return slot;
  }
}
