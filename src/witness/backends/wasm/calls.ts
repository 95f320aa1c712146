/**
 * Each lowered kernel call (witness/lowering.ts) as wasm kernel invocations over the memory
 * layout: constants (weights, index maps) are placed once, at prepare time, and the returned
 * closure only runs kernels. Matrix products pick their number format here, from the plan's
 * bounds: int16 rows for the SIMD dot product when the operands provably fit, i64 otherwise.
 */
import { tensorAbs, type Salts, type TensorId, type WitnessPlan } from "../../../circuit/plan.js";
import type { Ints, PlanValue } from "../../../quantize/qgraph.js";
import { broadcastIndex, sameShape, sizeOf } from "../../../model/shapes.js";
import { callConstants, callTensors, type KernelCall, type KernelOp } from "../../lowering.js";
import { runReference } from "../../fallback.js";
import { windowError } from "../../../quantize/window.js";
import type { Kernels } from "./kernels.js";
import type { Executor } from "./executor.js";
import { type Arena, INT16_MAX, MemorySink, dotBlock, maxAbs, padRows, transpose } from "./layout.js";

/** One prepared call; salts reach the reference steps that hash (commitments). */
export type Run = (salts: Salts) => Promise<void> | void;
export type Bound = (k: Kernels, exec: Executor, memory: WebAssembly.Memory) => Run;

/** The calls the kernels implement (the rest of a plan runs on the js reference). */
export const WASM_OPS: ReadonlySet<KernelOp> = new Set<KernelOp>([
  "encode",
  "bits",
  "load",
  "matmul",
  "conv",
  "affine",
  "add",
  "select",
  "sum",
  "requant",
  "relu",
  "clip",
  "poly",
  "max",
]);

/**
 * The largest magnitude an i64 tensor holds here: every kernel's intermediate (x + 2^(shift−1),
 * cur − b + 2^(m−1), x + offset) then stays below 2^63, and sums and products, which wrap
 * modulo 2^64, are exact whenever their result fits. A wider tensor lives on the host, as
 * BigInt, and every call touching it runs on the js reference (`fitsI64`).
 */
export const I64_ABS = 2 ** 60;
/** The widest decomposition the kernels write (bits of an i64 below 2^62). */
const I64_BITS = 62;

/** Whether the i64 kernels compute this call exactly: its tensors, constants and decompositions fit. */
export function fitsI64(call: KernelCall, plan: WitnessPlan): boolean {
  if (!callTensors(call).every((t) => tensorAbs(plan.tensors[t]!) <= I64_ABS)) return false;
  if (!callConstants(call).every((v) => maxAbs(v) <= I64_ABS)) return false;
  switch (call.op) {
    case "bits":
      return call.nBits <= I64_BITS;
    case "requant":
      return call.bits.nBits <= I64_BITS;
    case "max":
      return call.nBits <= I64_BITS;
    case "clip":
      return !call.hiBits || call.hiBits.nBits <= I64_BITS;
    default:
      return true;
  }
}

/** What a call needs of the memory layout. */
export interface Layout {
  readonly plan: WitnessPlan;
  readonly arena: Arena;
  /** byte address of tensor t's i64 buffer */
  ptr(t: TensorId): number;
  /** byte address of wire w in the .wtns */
  wire(w: number): number;
  /** byte address of the .wtns wire data (wire 0) */
  readonly wires: number;
  /** scratch for packed rows and im2col matrices: calls grow `bytes`, `at` is set once all are placed */
  readonly scratch: { at: number; bytes: number };
  /** a tensor's values as the plan holds it (a copy; BigInt if wide), and back: the reference fallback's view */
  read(memory: WebAssembly.Memory, k: Kernels, t: TensorId): PlanValue;
  write(memory: WebAssembly.Memory, k: Kernels, t: TensorId, values: Ints): void;
}

function size(L: Layout, t: TensorId): number {
  return sizeOf(L.plan.tensors[t]!.shape);
}

/** A matrix product stage: x rows [rows][K] (from an i64 tensor, or from im2col), weights [N][K]. */
function gemmStage(L: Layout, wRows: Float64Array, N: number, K: number, xAbs: number, bias: Float64Array | null) {
  const wAbs = maxAbs(wRows);
  const block = dotBlock(xAbs, wAbs);
  const narrow = xAbs <= INT16_MAX && wAbs <= INT16_MAX && block >= 1;
  const Kp = Math.ceil(K / 8) * 8;
  const w = narrow ? L.arena.constant(padRows(wRows, N, K, Kp)) : L.arena.i64(wRows);
  const b = bias ? L.arena.i64(bias) : 0;
  return { narrow, Kp, K, N, w, b, block };
}

/** An index map for broadcasting `shape` to `out` (0: the same shape, no map). */
function broadcastMap(L: Layout, shape: readonly number[], out: readonly number[]): number {
  return sameShape(shape, out) ? 0 : L.arena.i32(broadcastIndex(shape, out));
}

type Binder<K extends KernelOp> = (call: Extract<KernelCall, { op: K }>, L: Layout) => Bound;

/** One binder per lowered call (the table's type lists every op, so none can be missing). */
const BINDERS: { readonly [K in KernelOp]: Binder<K> } = {
  encode: (call, L) => {
    const n = size(L, call.src),
      t = L.ptr(call.src),
      w = L.wire(call.wire);
    return (_k, exec) => () => exec.run("encode", [t, w], n, 4);
  },
  bits: (call, L) => {
    const n = size(L, call.src),
      t = L.ptr(call.src),
      w = L.wire(call.wire);
    return (_k, exec) => () => exec.run("bits", [t, BigInt(call.offset), call.nBits, w], n, 4 * call.nBits);
  },
  load: (call, L) => {
    const { arena } = L;
    const t = L.ptr(call.dst),
      values = arena.i64(call.data),
      bytes = 8 * call.data.length;
    return (_k, _exec, memory) => () => void new Uint8Array(memory.buffer).copyWithin(t, values, values + bytes);
  },
  matmul: (call, L) => {
    const [K, N] = call.weight.shape as [number, number];
    const x = L.ptr(call.x),
      out = L.ptr(call.out);
    const rows = size(L, call.x) / K;
    const g = gemmStage(
      L,
      transpose(call.weight.data, K, N),
      N,
      K,
      tensorAbs(L.plan.tensors[call.x]!),
      call.bias?.data ?? null,
    );
    L.scratch.bytes = Math.max(L.scratch.bytes, rows * g.Kp * (g.narrow ? 2 : 8));
    return (_k, exec) => async () => {
      if (g.narrow) {
        await exec.run("pack_i16", [x, K, g.Kp, L.scratch.at], rows, K);
        await exec.run("gemm_i16", [L.scratch.at, g.w, g.b, out, g.Kp / 8, N, N, 1, g.block], rows, N * K);
      } else {
        await exec.run("gemm_i64", [x, g.w, g.b, out, K, N, N, 1], rows, 4 * N * K);
      }
    };
  },
  conv: bindConv,
  affine: (call, L) => {
    const { arena } = L;
    const outShape = L.plan.tensors[call.out]!.shape,
      n = sizeOf(outShape);
    const x = L.ptr(call.x),
      out = L.ptr(call.out);
    const xIdx = broadcastMap(L, L.plan.tensors[call.x]!.shape, outShape);
    const mul = call.mul ? arena.i64(call.mul.data) : 0,
      mulIdx = call.mul ? broadcastMap(L, call.mul.shape, outShape) : 0;
    const add = call.add ? arena.i64(call.add.data) : 0,
      addIdx = call.add ? broadcastMap(L, call.add.shape, outShape) : 0;
    return (_k, exec) => () => exec.run("affine", [x, xIdx, mul, mulIdx, add, addIdx, out], n, 4);
  },
  add: (call, L) => {
    const outShape = L.plan.tensors[call.out]!.shape,
      n = sizeOf(outShape);
    const ai = broadcastMap(L, L.plan.tensors[call.a]!.shape, outShape),
      bi = broadcastMap(L, L.plan.tensors[call.b]!.shape, outShape);
    const ka = 2n ** BigInt(call.aShift),
      kb = BigInt(call.sign) * 2n ** BigInt(call.bShift);
    const a = L.ptr(call.a),
      b = L.ptr(call.b),
      out = L.ptr(call.out);
    return (_k, exec) => () => exec.run("add2", [a, ai, ka, b, bi, kb, out], n, 4);
  },
  select: (call, L) => {
    const { arena } = L;
    // absolute source addresses and shifts per output element (tensor pointers are fixed)
    const n = size(L, call.out);
    const offsets: number[] = [];
    let total = 0;
    for (const t of call.inputs) {
      offsets.push(total);
      total += size(L, t);
    }
    const addr = new Int32Array(n),
      shift = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const m = call.map[i]!;
      if (m < 0) {
        addr[i] = -1;
        continue;
      }
      let k = offsets.length - 1;
      while (offsets[k]! > m) k--;
      addr[i] = L.ptr(call.inputs[k]!) + 8 * (m - offsets[k]!);
      shift[i] = call.shifts[k]!;
    }
    const a = arena.constant(addr),
      s = arena.constant(shift),
      out = L.ptr(call.out);
    return (_k, exec) => () => exec.run("gather", [a, s, BigInt(call.fill), out], n, 4);
  },
  sum: (call, L) => {
    const { arena } = L;
    const n = size(L, call.out),
      x = L.ptr(call.x),
      out = L.ptr(call.out);
    const start = arena.i32(call.groups.start),
      idx = arena.i32(call.groups.indices);
    const mult = call.mult ? arena.i64(call.mult) : 0;
    return (_k, exec) => () =>
      exec.run("sum_groups", [x, start, idx, mult, out], n, 4 * (call.groups.indices.length / n));
  },
  requant: (call, L) => {
    const w = call.window;
    const n = size(L, call.x),
      x = L.ptr(call.x),
      out = L.ptr(call.out),
      b = call.bits;
    const run = (exec: Executor) =>
      exec.run("requant", [x, call.shift, out, L.wire(b.wire), BigInt(b.offset), b.nBits], n, 4 * b.nBits + 8);
    if (!w) return (_k, exec) => () => run(exec);
    // an input outside the window has no witness: refuse it as the reference does
    return (k, exec, memory) => () => {
      const bad = k.first_outside(x, BigInt(w.lo), BigInt(w.hi), 0, n);
      if (bad >= 0) throw windowError(w, w.at, bad, L.read(memory, k, call.x).data[bad]!);
      return run(exec);
    };
  },
  relu: (call, L) => {
    const n = size(L, call.q),
      q = L.ptr(call.q),
      lk = call.leaky;
    return (_k, exec) => () =>
      exec.run("act_relu", [q, L.wire(call.wire), lk ? 1 : 0, BigInt(lk?.alpha ?? 0), lk?.alphaShift ?? 0], n, 8);
  },
  clip: (call, L) => {
    const n = size(L, call.q),
      q = L.ptr(call.q),
      hb = call.hiBits;
    const args = [
      q,
      call.lo === null ? 0 : 1,
      BigInt(call.lo ?? 0),
      call.loWire >= 0 ? L.wire(call.loWire) : 0,
      call.hi === null ? 0 : 1,
      BigInt(call.hi ?? 0),
      hb ? L.wire(hb.wire) : 0,
      BigInt(hb?.offset ?? 0),
      hb?.nBits ?? 0,
      call.hiWire >= 0 ? L.wire(call.hiWire) : 0,
    ] as const;
    return (_k, exec) => () => exec.run("act_clip", [...args], n, 4 * (hb?.nBits ?? 0) + 12);
  },
  poly: (call, L) => {
    const { arena } = L;
    const n = size(L, call.q),
      q = L.ptr(call.q),
      tb = call.table,
      coeffs = arena.i64(tb.coeffs);
    return (_k, exec) => () =>
      exec.run(
        "act_poly",
        [q, coeffs, BigInt(tb.qMin), tb.t, tb.w, tb.d, L.wire(call.wire), call.perElement],
        n,
        4 * call.perElement + 8,
      );
  },
  max: (call, L) => {
    const { arena } = L;
    const nGroups = size(L, call.out);
    const start = arena.i32(call.groups.start),
      idx = arena.i32(call.groups.indices);
    const per = (call.groups.indices.length / nGroups) * (call.nBits + 2);
    const x = L.ptr(call.x),
      out = L.ptr(call.out),
      w = L.wire(call.wire);
    return (_k, exec) => () => exec.run("max_groups", [x, start, idx, out, w, call.nBits], nGroups, 4 * per);
  },
  reference: (call, L) => {
    // the shared fallback: the js reference on copies of the inputs, its wires through a MemorySink
    const { plan } = L,
      step = call.step;
    return (k, _exec, memory) => (salts) =>
      runReference(
        plan,
        step,
        { read: (t) => L.read(memory, k, t), write: (t, v) => L.write(memory, k, t, v) },
        new MemorySink(memory, L.wires),
        salts,
      );
  },
};

export function bindCall(call: KernelCall, L: Layout): Bound {
  // the table is exhaustive over ops; TypeScript cannot correlate the key with the call's type here
  return (BINDERS[call.op] as Binder<KernelOp>)(call as Extract<KernelCall, { op: KernelOp }>, L);
}

/** A convolution as im2col + a matrix product per (image, group). */
function bindConv(call: Extract<KernelCall, { op: "conv" }>, L: Layout): Bound {
  const xShape = L.plan.tensors[call.x]!.shape,
    outShape = L.plan.tensors[call.out]!.shape;
  const [B, C, H, W] = xShape as [number, number, number, number];
  const [M, Cg, KH, KW] = call.weight.shape as [number, number, number, number];
  const [, , OH, OW] = outShape as [number, number, number, number];
  const { pads, strides, dilations, group } = call.params;
  const Mg = M / group,
    K = Cg * KH * KW,
    rows = OH * OW;
  const wAll = call.weight.data;
  const xAbs = tensorAbs(L.plan.tensors[call.x]!);
  const stages = Array.from({ length: group }, (_, gi) =>
    gemmStage(
      L,
      wAll.subarray(gi * Mg * K, (gi + 1) * Mg * K),
      Mg,
      K,
      xAbs,
      call.bias ? call.bias.data.subarray(gi * Mg, (gi + 1) * Mg) : null,
    ),
  );
  L.scratch.bytes = Math.max(L.scratch.bytes, rows * Math.max(...stages.map((g) => (g.narrow ? g.Kp * 2 : K * 8))));
  const x = L.ptr(call.x),
    out = L.ptr(call.out);
  return (_k, exec) => async () => {
    for (let b = 0; b < B; b++) {
      for (let gi = 0; gi < group; gi++) {
        const g = stages[gi]!;
        const img = x + 8 * b * C * H * W;
        const o = out + 8 * (b * M + gi * Mg) * rows;
        const geometry = [
          H,
          W,
          gi * Cg,
          Cg,
          KH,
          KW,
          strides[0],
          strides[1],
          pads[0],
          pads[1],
          dilations[0],
          dilations[1],
          OW,
        ] as const;
        await exec.run("im2col", [img, ...geometry, g.Kp, g.narrow ? 0 : 1, L.scratch.at], rows, K);
        if (g.narrow)
          await exec.run("gemm_i16", [L.scratch.at, g.w, g.b, o, g.Kp / 8, Mg, 1, rows, g.block], rows, Mg * K);
        else await exec.run("gemm_i64", [L.scratch.at, g.w, g.b, o, K, Mg, 1, rows], rows, 4 * Mg * K);
      }
    }
  };
}
