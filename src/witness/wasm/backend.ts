/**
 * The `wasm` backend: the witness plan on WebAssembly kernels (kernels/wasm/).
 *
 * `prepare` lays out one linear memory for a plan, once: an i64 buffer per tensor, the weights
 * packed the way the kernels want them (transposed int16 rows when the plan's bounds prove the
 * values fit, i64 otherwise), index maps for broadcasting and data movement, scratch space,
 * and the complete .wtns file, whose wires the kernels encode in place. Each plan step becomes
 * a closure over those pointers. `run` then only copies the input in, runs the closures and
 * copies the .wtns out. Steps the kernels do not cover (products and division of computed
 * tensors, argmax, commitments) run the js reference on copies of their inputs: the same code,
 * so the bytes are the same.
 */
import type { PlanStep, PlanTensor, Salts, WitnessPlan } from "../../circuit/plan.js";
import type { IntTensor } from "../../quantize/qgraph.js";
import { broadcastIndex, sameShape, sizeOf } from "../../model/shapes.js";
import { wtnsLayout, wtnsPrefix } from "../../formats/wtns.js";
import { FIELD_BYTES, writeBigField, writeSignedField } from "../../field.js";
import type { WireSink } from "../../circuit/wires.js";
import { runStep } from "../backends/js.js";
import type { Kernels, KernelName } from "./kernels.js";
import { assertNever } from "../../util/never.js";

/** Runs kernels: on this thread, or split across worker threads that share the memory. */
export interface Executor {
  readonly k: Kernels;
  /** kernel `name`(...args, from, to) over [0, n); `cost` ≈ work per item, to decide whether splitting pays */
  run(name: KernelName, args: readonly (number | bigint)[], n: number, cost: number): Promise<void> | void;
}

export function singleThread(k: Kernels): Executor {
  return {
    k,
    run(name, args, n) {
      (k[name] as (...a: (number | bigint)[]) => void)(...args, 0, n);
    },
  };
}

/** Where a witness's time goes: per kernel (or `js:<step>` for steps on the reference, `io`). */
export type Profile = Map<string, { calls: number; ms: number; items: number }>;

function record(profile: Profile, name: string, ms: number, items: number): void {
  const e = profile.get(name) ?? { calls: 0, ms: 0, items: 0 };
  e.calls++;
  e.ms += ms;
  e.items += items;
  profile.set(name, e);
}

/** An executor that times every kernel call into `profile` (for the benchmarks). */
export function profiled(exec: Executor, profile: Profile): Executor {
  return {
    k: exec.k,
    async run(name, args, n, cost) {
      const t = performance.now();
      await exec.run(name, args, n, cost);
      record(profile, name, performance.now() - t, n);
    },
  };
}

const INT16_MAX = 32767;

/** Bump allocator over the memory (16-byte aligned), with constant data queued for writing. */
class Arena {
  size: number;
  readonly writes: { at: number; bytes: Uint8Array }[] = [];
  constructor(base: number) {
    this.size = align(base);
  }
  alloc(bytes: number): number {
    const at = this.size;
    this.size = align(at + Math.max(bytes, 8));
    return at;
  }
  constant(data: ArrayBufferView): number {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const at = this.alloc(bytes.length);
    this.writes.push({ at, bytes });
    return at;
  }
  i64(values: ArrayLike<number>): number {
    return this.constant(BigInt64Array.from(Array.from(values), (v) => BigInt(v)));
  }
  i32(values: ArrayLike<number>): number {
    return this.constant(Int32Array.from(values));
  }
}

function align(n: number): number {
  return Math.ceil(n / 16) * 16;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

function tensorAbs(t: PlanTensor): number {
  return Math.max(Math.abs(t.lo), Math.abs(t.hi));
}

/** The largest number of dot products an i32 lane can sum without overflow, given operand bounds. */
function dotBlock(xAbs: number, wAbs: number): number {
  // each i32x4.dot_i16x8_s lane adds 2 products per step
  return Math.floor((2 ** 31 - 1) / Math.max(1, 2 * xAbs * wAbs));
}

/** One prepared step; salts reach the steps that hash (commitments). */
type Step = (salts: Salts) => Promise<void> | void;

/** A WireSink over the .wtns region of the memory, for steps that run the js reference. */
class MemorySink implements WireSink {
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly data: number,
  ) {}
  setInt(wire: number, v: number): void {
    writeSignedField(new DataView(this.memory.buffer), this.data + wire * FIELD_BYTES, v);
  }
  setField(wire: number, v: bigint): void {
    writeBigField(new DataView(this.memory.buffer), this.data + wire * FIELD_BYTES, v);
  }
}

export interface Prepared {
  /** bytes of memory the plan needs */
  readonly size: number;
  /**
   * Writes the constants, then returns the runner; `memory` must be at least `size` bytes. The
   * runner's `wtns` is a view into the memory, valid until its next run (no copy per witness).
   */
  bind(
    memory: WebAssembly.Memory,
    exec: Executor,
    opts?: BindOptions,
  ): (input: IntTensor, salts?: Salts) => Promise<{ wtns: Uint8Array; outputs: IntTensor[] }>;
}

export interface BindOptions {
  readonly profile?: Profile;
  /** called as each plan step starts, with its index (so a failure can name the step it happened in) */
  readonly onStep?: (i: number) => void;
}

export function prepare(plan: WitnessPlan, heapBase: number): Prepared {
  const arena = new Arena(heapBase);
  // the .wtns file lives in the memory: its header, then the wires, which every run rewrites
  // in full (a fresh memory is zeroed, so nothing else needs writing)
  const wtnsSize = wtnsLayout(plan.nWires).size;
  const wtns = arena.alloc(wtnsSize);
  arena.writes.push({ at: wtns, bytes: wtnsPrefix(plan.nWires) });
  const data = wtns + wtnsLayout(plan.nWires).dataOffset;
  // wire 0 is the constant 1, never rewritten
  arena.writes.push({ at: data, bytes: Uint8Array.of(1) });
  const wire = (w: number) => data + w * FIELD_BYTES;

  // tensors: an i64 buffer each, reshapes share their input's
  const ptr = new Array<number>(plan.tensors.length).fill(-1);
  for (const step of plan.steps)
    if (step.kind === "linear" && step.op.kind === "reshape") ptr[step.output] = -2 - step.inputs[0]!;
  const resolve = (t: number): number => (ptr[t]! <= -2 ? resolve(-2 - ptr[t]!) : ptr[t]!);
  plan.tensors.forEach((t, i) => {
    if (ptr[i] === -1) ptr[i] = arena.alloc(8 * sizeOf(t.shape));
  });
  for (let i = 0; i < ptr.length; i++) ptr[i] = resolve(i);
  const size = (t: number) => sizeOf(plan.tensors[t]!.shape);
  const maxTensor = Math.max(...plan.tensors.map((t) => sizeOf(t.shape)));
  const f64Scratch = arena.alloc(8 * maxTensor);

  // scratch for packed int16 rows and im2col matrices, sized by the largest step
  let scratchBytes = 0;
  const scratch = { at: -1 };
  const steps: ((k: Kernels, exec: Executor, memory: WebAssembly.Memory) => Step)[] = [];
  const readF64 = (memory: WebAssembly.Memory, k: Kernels, t: number): IntTensor => {
    k.i64_to_f64(ptr[t]!, f64Scratch, 0, size(t));
    return { shape: plan.tensors[t]!.shape, data: new Float64Array(memory.buffer, f64Scratch, size(t)).slice() };
  };
  const writeF64 = (memory: WebAssembly.Memory, k: Kernels, t: number, values: ArrayLike<number>): void => {
    new Float64Array(memory.buffer, f64Scratch, values.length).set(values);
    k.f64_to_i64(f64Scratch, ptr[t]!, 0, values.length);
  };

  /** A matrix product stage: x rows [rows][K] (from an i64 tensor, or from im2col), weights [N][K]. */
  const gemmStage = (wRows: Float64Array, N: number, K: number, xAbs: number, bias: Float64Array | null) => {
    const wAbs = maxAbs(wRows);
    const block = dotBlock(xAbs, wAbs);
    const narrow = xAbs <= INT16_MAX && wAbs <= INT16_MAX && block >= 1;
    const Kp = Math.ceil(K / 8) * 8;
    const w = narrow ? arena.constant(padRows(Int16Array, wRows, N, K, Kp)) : arena.i64(wRows);
    const b = bias ? arena.i64(bias) : 0;
    return { narrow, Kp, K, N, w, b, block };
  };

  for (const step of plan.steps) {
    steps.push(compile(step));
  }
  scratch.at = arena.alloc(scratchBytes);

  function compile(step: PlanStep): (k: Kernels, exec: Executor, memory: WebAssembly.Memory) => Step {
    switch (step.kind) {
      case "input": {
        const n = size(step.tensor),
          t = ptr[step.tensor]!,
          r = step.range;
        return (_k, exec) => async () => {
          await exec.run("encode", [t, wire(step.wire)], n, 4);
          await exec.run("bits", [t, BigInt(r.offset), r.nBits, wire(r.wire)], n, 4 * r.nBits);
        };
      }
      case "emit": {
        const n = size(step.tensor),
          t = ptr[step.tensor]!;
        return (_k, exec) => () => exec.run("encode", [t, wire(step.wire)], n, 4);
      }
      case "param": {
        const t = ptr[step.tensor]!,
          n = step.data.length,
          r = step.range;
        const values = arena.i64(step.data);
        return (_k, exec, memory) => async () => {
          new Uint8Array(memory.buffer).copyWithin(t, values, values + 8 * n);
          await exec.run("encode", [t, wire(step.wire)], n, 4);
          await exec.run("bits", [t, BigInt(r.offset), r.nBits, wire(r.wire)], n, 4 * r.nBits);
        };
      }
      case "linear":
        return compileLinear(step);
      case "requant": {
        const n = size(step.input),
          x = ptr[step.input]!,
          out = ptr[step.output]!;
        const { act, actWires: aw, bits } = step;
        const coeffs = act.kind === "poly" ? arena.i64(act.table.coeffs) : 0;
        return (_k, exec) => async () => {
          await exec.run(
            "requant",
            [x, step.shift, out, wire(bits.wire), BigInt(bits.offset), bits.nBits],
            n,
            4 * bits.nBits + 8,
          );
          if (aw.kind === "relu") {
            const leaky = act.kind === "leaky";
            await exec.run(
              "act_relu",
              [out, wire(aw.wire), leaky ? 1 : 0, BigInt(leaky ? act.alpha : 0), leaky ? act.alphaShift : 0],
              n,
              8,
            );
          } else if (aw.kind === "clip" && act.kind === "clip") {
            const hb = aw.hiBits;
            await exec.run(
              "act_clip",
              [
                out,
                act.lo === null ? 0 : 1,
                BigInt(act.lo ?? 0),
                aw.loWire >= 0 ? wire(aw.loWire) : 0,
                act.hi === null ? 0 : 1,
                BigInt(act.hi ?? 0),
                hb ? wire(hb.wire) : 0,
                BigInt(hb?.offset ?? 0),
                hb?.nBits ?? 0,
                aw.hiWire >= 0 ? wire(aw.hiWire) : 0,
              ],
              n,
              4 * (hb?.nBits ?? 0) + 12,
            );
          } else if (aw.kind === "poly" && act.kind === "poly") {
            const tb = act.table;
            await exec.run(
              "act_poly",
              [out, coeffs, BigInt(tb.qMin), tb.t, tb.w, tb.d, wire(aw.wire), aw.perElement],
              n,
              4 * aw.perElement + 8,
            );
          }
        };
      }
      case "max": {
        const nGroups = size(step.output);
        const start = arena.i32(step.groups.start),
          idx = arena.i32(step.groups.indices);
        const per = (step.groups.indices.length / nGroups) * (step.nBits + 2);
        return (_k, exec) => () =>
          exec.run(
            "max_groups",
            [ptr[step.input]!, start, idx, ptr[step.output]!, wire(step.wire), step.nBits],
            nGroups,
            4 * per,
          );
      }
      default:
        return fallback(step);
    }
  }

  function compileLinear(
    step: Extract<PlanStep, { kind: "linear" }>,
  ): (k: Kernels, exec: Executor, memory: WebAssembly.Memory) => Step {
    const op = step.op;
    const out = ptr[step.output]!;
    const outShape = plan.tensors[step.output]!.shape;
    const n = sizeOf(outShape);
    const [xId] = step.inputs as [number];
    const x = ptr[xId]!;
    const xT = plan.tensors[xId]!;
    switch (op.kind) {
      case "reshape":
        return () => () => undefined;
      case "gemm": {
        const [K, N] = op.weight.shape as [number, number];
        const rows = size(xId) / K;
        const g = gemmStage(transpose(op.weight.data, K, N), N, K, tensorAbs(xT), op.bias?.data ?? null);
        scratchBytes = Math.max(scratchBytes, rows * g.Kp * (g.narrow ? 2 : 8));
        return (_k, exec) => async () => {
          if (g.narrow) {
            await exec.run("pack_i16", [x, K, g.Kp, scratch.at], rows, K);
            await exec.run("gemm_i16", [scratch.at, g.w, g.b, out, g.Kp / 8, N, N, 1, g.block], rows, N * K);
          } else {
            await exec.run("gemm_i64", [x, g.w, g.b, out, K, N, N, 1], rows, 4 * N * K);
          }
        };
      }
      case "conv": {
        const [B, C, H, W] = xT.shape as [number, number, number, number];
        const [M, Cg, KH, KW] = op.weight.shape as [number, number, number, number];
        const [, , OH, OW] = outShape as [number, number, number, number];
        const { pads, strides, dilations, group } = op.params;
        const Mg = M / group,
          K = Cg * KH * KW,
          rows = OH * OW;
        const wAll = op.weight.data;
        const stages = Array.from({ length: group }, (_, gi) =>
          gemmStage(
            wAll.subarray(gi * Mg * K, (gi + 1) * Mg * K),
            Mg,
            K,
            tensorAbs(xT),
            op.bias ? op.bias.data.subarray(gi * Mg, (gi + 1) * Mg) : null,
          ),
        );
        scratchBytes = Math.max(scratchBytes, rows * Math.max(...stages.map((g) => (g.narrow ? g.Kp * 2 : K * 8))));
        return (_k, exec) => async () => {
          for (let b = 0; b < B; b++) {
            for (let gi = 0; gi < group; gi++) {
              const g = stages[gi]!;
              const img = x + 8 * b * C * H * W;
              const o = out + 8 * (b * M + gi * Mg) * rows;
              await exec.run(
                "im2col",
                [
                  img,
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
                  g.Kp,
                  g.narrow ? 0 : 1,
                  scratch.at,
                ],
                rows,
                K,
              );
              if (g.narrow)
                await exec.run("gemm_i16", [scratch.at, g.w, g.b, o, g.Kp / 8, Mg, 1, rows, g.block], rows, Mg * K);
              else await exec.run("gemm_i64", [scratch.at, g.w, g.b, o, K, Mg, 1, rows], rows, 4 * Mg * K);
            }
          }
        };
      }
      case "affine": {
        const idx = (shape: readonly number[]) =>
          sameShape(shape, outShape) ? 0 : arena.i32(broadcastIndex(shape, outShape));
        const xIdx = idx(xT.shape);
        const mul = op.mul ? arena.i64(op.mul.data) : 0,
          mulIdx = op.mul ? idx(op.mul.shape) : 0;
        const add = op.add ? arena.i64(op.add.data) : 0,
          addIdx = op.add ? idx(op.add.shape) : 0;
        return (_k, exec) => () => exec.run("affine", [x, xIdx, mul, mulIdx, add, addIdx, out], n, 4);
      }
      case "add": {
        const [, yId] = step.inputs as [number, number];
        const idx = (t: number) =>
          sameShape(plan.tensors[t]!.shape, outShape) ? 0 : arena.i32(broadcastIndex(plan.tensors[t]!.shape, outShape));
        const ai = idx(xId),
          bi = idx(yId);
        const ka = 2n ** BigInt(op.shifts[0]),
          kb = BigInt(op.sign) * 2n ** BigInt(op.shifts[1]);
        return (_k, exec) => () => exec.run("add2", [x, ai, ka, ptr[yId]!, bi, kb, out], n, 4);
      }
      case "select": {
        // absolute source addresses and shifts per output element (tensor pointers are fixed)
        const offsets: number[] = [];
        let total = 0;
        for (const t of step.inputs) {
          offsets.push(total);
          total += size(t);
        }
        const addr = new Int32Array(n),
          shift = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const m = op.map[i]!;
          if (m < 0) {
            addr[i] = -1;
            continue;
          }
          let k = offsets.length - 1;
          while (offsets[k]! > m) k--;
          addr[i] = ptr[step.inputs[k]!]! + 8 * (m - offsets[k]!);
          shift[i] = op.shifts[k]!;
        }
        const a = arena.constant(addr),
          s = arena.constant(shift);
        return (_k, exec) => () => exec.run("gather", [a, s, BigInt(op.fill), out], n, 4);
      }
      case "sum": {
        const start = arena.i32(op.groups.start),
          idx = arena.i32(op.groups.indices);
        const mult = op.mult ? arena.i64(op.mult) : 0;
        return (_k, exec) => () =>
          exec.run("sum_groups", [x, start, idx, mult, out], n, 4 * (op.groups.indices.length / n));
      }
      default:
        return assertNever(op, "linear op");
    }
  }

  /** Steps without kernels: the js reference on copies of the inputs, wires through a MemorySink. */
  function fallback(step: PlanStep): (k: Kernels, exec: Executor, memory: WebAssembly.Memory) => Step {
    const ins = stepInputs(step);
    const outT = "output" in step ? step.output : -1;
    return (k, _exec, memory) => (salts) => {
      const values: IntTensor[] = [];
      for (const t of ins) values[t] = readF64(memory, k, t);
      runStep(plan, step, values, new MemorySink(memory, data), salts);
      if (outT >= 0) writeF64(memory, k, outT, values[outT]!.data);
    };
  }

  return {
    size: arena.size,
    bind(memory, exec, { profile, onStep } = {}) {
      const k = exec.k;
      const u8 = new Uint8Array(memory.buffer);
      for (const w of arena.writes) u8.set(w.bytes, w.at);
      const kexec = profile ? profiled(exec, profile) : exec;
      const runners = steps.map((s, i) => {
        const r = s(k, kexec, memory);
        const step = plan.steps[i]!;
        if (!profile || !usesFallback(step)) return r;
        return async (salts: Salts) => {
          const t = performance.now();
          await r(salts);
          record(profile, `js:${step.kind}`, performance.now() - t, 1);
        };
      });
      const inT = plan.input;
      return async (input, salts = {}) => {
        const t0 = performance.now();
        writeF64(memory, k, inT, input.data);
        const t1 = performance.now();
        for (let i = 0; i < runners.length; i++) {
          onStep?.(i);
          await runners[i]!(salts);
        }
        const t2 = performance.now();
        const outputs = plan.outputs.map((t) => readF64(memory, k, t));
        if (profile) record(profile, "io", t1 - t0 + performance.now() - t2, 1);
        return { wtns: new Uint8Array(memory.buffer, wtns, wtnsSize), outputs };
      };
    },
  };
}

/** Steps `compile` leaves to the js reference. */
function usesFallback(step: PlanStep): boolean {
  return !["input", "emit", "param", "requant", "max", "linear"].includes(step.kind);
}

function stepInputs(step: PlanStep): number[] {
  switch (step.kind) {
    case "product":
    case "div":
    case "linear":
      return [...step.inputs];
    case "argmax":
    case "requant":
    case "max":
      return [step.input];
    case "commit":
      return step.parts.map((p) => p.tensor);
    case "emit":
    case "input":
    case "param":
      return [step.tensor];
    default:
      return assertNever(step, "plan step");
  }
}

/** W [K][N] → rows [N][K]. */
function transpose(w: Float64Array, K: number, N: number): Float64Array {
  const out = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) out[n * K + k] = w[k * N + n]!;
  return out;
}

/** Rows [N][K] as `Int16Array` rows of stride Kp (zero-padded). */
function padRows(T: Int16ArrayConstructor, rows: Float64Array, N: number, K: number, Kp: number): Int16Array {
  const out = new T(N * Kp);
  for (let r = 0; r < N; r++) for (let k = 0; k < K; k++) out[r * Kp + k] = rows[r * K + k]!;
  return out;
}
