/**
 * Each lowered kernel call (witness/lowering.ts) as WGSL kernel uses over the GPU buffers:
 * constants (weights, index maps, group tables) are uploaded once, when the plan is opened, so
 * a witness only dispatches. A use names its kernel, its working width (formats.ts), its item
 * count, and what each binding is; generator.ts turns it into dispatches (split where its wires
 * would overflow one binding).
 */
import type { TensorId, WitnessPlan } from "../../../circuit/plan.js";
import { broadcastIndex, sameShape, sizeOf } from "../../../model/shapes.js";
import type { KernelCall, KernelOp } from "../../lowering.js";
import type { Formats } from "./formats.js";
import type { BindingOf, KernelName, ParamOf, WideOf } from "./shaders.js";

/** The calls the kernels implement (the rest of a plan runs on the js reference). */
export const WEBGPU_OPS: ReadonlySet<KernelOp> = new Set<KernelOp>([
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

/** A tensor as a kernel binds it: its buffer and limbs per element. */
export interface TensorRef {
  readonly buffer: GPUBuffer;
  readonly limbs: number;
}

/** The wires that items [from, to) of a use write: [lo, hi). */
export type Span = (from: number, to: number) => readonly [number, number];

/** One kernel over `items` items; null bindings are ones its flags leave unread. */
export interface KernelUse<K extends KernelName> {
  readonly kernel: K;
  readonly width: number;
  readonly items: number;
  readonly tensors: Readonly<Record<BindingOf<K, "in" | "out">, TensorRef | null>>;
  readonly maps: Readonly<Record<BindingOf<K, "map">, GPUBuffer | null>>;
  readonly wires: Readonly<Record<BindingOf<K, "wires">, Span | null>>;
  readonly params: Readonly<Record<ParamOf<K>, number>>;
  readonly wide: Readonly<Record<WideOf<K>, number>>;
}

/** A use of any kernel (a union discriminated by `kernel`). */
export type Use = { [K in KernelName]: KernelUse<K> }[KernelName];

/** What the binders need of the generator: buffers for tensors and for constants. */
export interface Context {
  readonly plan: WitnessPlan;
  readonly formats: Formats;
  tensor(t: TensorId): TensorRef;
  /** integer constants as a tensor of their own limbs (formats.constLimbs) */
  constant(values: ArrayLike<number>): TensorRef;
  /** i32 data (index maps, group tables) */
  map(values: ArrayLike<number>): GPUBuffer;
  /** writes a tensor once, now (a parameter the prover supplies is the same for every witness) */
  fill(t: TensorId, values: ArrayLike<number>): void;
  /** the next of the witness's flags (one u32 each, cleared before every witness): a windowed rescale's */
  flag(): { readonly ref: TensorRef; readonly index: number };
}

const span =
  (base: number, per: number): Span =>
  (a, b) => [base + a * per, base + b * per];

const size = (C: Context, t: TensorId) => sizeOf(C.plan.tensors[t]!.shape);

/**
 * The i32 block of a narrow product (x and w in one limb): the most products an i32 can sum
 * without wrapping, given their bounds; 0 for the wide path.
 */
function narrowBlock(x: TensorRef, w: TensorRef, xAbs: number, wAbs: number): number {
  if (x.limbs !== 1 || w.limbs !== 1) return 0;
  return Math.floor((2 ** 31 - 1) / Math.max(1, xAbs * wAbs));
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

type Binder<K extends KernelOp> = (call: Extract<KernelCall, { op: K }>, C: Context, width: number) => Use[];

/** One binder per lowered call but `reference` (the table's type lists every op, so none can be missing). */
const BINDERS: { readonly [K in Exclude<KernelOp, "reference">]: Binder<K> } = {
  encode: (call, C, width) => [
    use("encode", {
      width,
      items: size(C, call.src),
      tensors: { x: C.tensor(call.src) },
      maps: {},
      wires: { wires: span(call.wire, 1) },
      params: { wire: call.wire },
      wide: {},
    }),
  ],
  bits: (call, C, width) => [bitsUse(C, width, call.src, call.offset, call.nBits, call.wire)],
  load: (call, C) => {
    C.fill(call.dst, call.data);
    return [];
  },
  matmul: (call, C, width) => {
    const [K, N] = call.weight.shape as [number, number];
    const x = C.tensor(call.x),
      w = C.constant(call.weight.data);
    const xAbs = C.formats.abs(call.x);
    return [
      use("matmul", {
        width,
        items: (size(C, call.x) / K) * N,
        tensors: { x, w, b: call.bias ? C.constant(call.bias.data) : null, y: C.tensor(call.out) },
        maps: {},
        wires: {},
        params: { k: K, n: N, bias: call.bias ? 1 : 0, block: narrowBlock(x, w, xAbs, maxAbs(call.weight.data)) },
        wide: {},
      }),
    ];
  },
  conv: (call, C, width) => {
    const [, Cin, H, W] = C.plan.tensors[call.x]!.shape as [number, number, number, number];
    const [M, Cg, KH, KW] = call.weight.shape as [number, number, number, number];
    const [, , OH, OW] = C.plan.tensors[call.out]!.shape as [number, number, number, number];
    const { pads, strides, dilations, group } = call.params;
    const x = C.tensor(call.x),
      w = C.constant(call.weight.data);
    const block = narrowBlock(x, w, C.formats.abs(call.x), maxAbs(call.weight.data));
    return [
      use("conv", {
        width,
        items: size(C, call.out),
        tensors: { x, w, b: call.bias ? C.constant(call.bias.data) : null, y: C.tensor(call.out) },
        maps: {},
        wires: {},
        params: {
          c: Cin,
          h: H,
          w: W,
          m: M,
          cg: Cg,
          kh: KH,
          kw: KW,
          sh: strides[0],
          sw: strides[1],
          pt: pads[0],
          pl: pads[1],
          dh: dilations[0],
          dw: dilations[1],
          oh: OH,
          ow: OW,
          group,
          bias: call.bias ? 1 : 0,
          block,
        },
        wide: {},
      }),
    ];
  },
  affine: (call, C, width) => {
    const out = C.plan.tensors[call.out]!.shape;
    const maps = new MapTable(out);
    const xmap = maps.add(C.plan.tensors[call.x]!.shape);
    const mmap = call.mul ? maps.add(call.mul.shape) : 0;
    const amap = call.add ? maps.add(call.add.shape) : 0;
    return [
      use("affine", {
        width,
        items: sizeOf(out),
        tensors: {
          x: C.tensor(call.x),
          mul: call.mul ? C.constant(call.mul.data) : null,
          add: call.add ? C.constant(call.add.data) : null,
          y: C.tensor(call.out),
        },
        maps: { idx: maps.buffer(C) },
        wires: {},
        params: { xmap, mul: call.mul ? 1 : 0, mmap, add: call.add ? 1 : 0, amap },
        wide: {},
      }),
    ];
  },
  add: (call, C, width) => {
    const out = C.plan.tensors[call.out]!.shape;
    const maps = new MapTable(out);
    const amap = maps.add(C.plan.tensors[call.a]!.shape);
    const bmap = maps.add(C.plan.tensors[call.b]!.shape);
    return [
      use("add", {
        width,
        items: sizeOf(out),
        tensors: { a: C.tensor(call.a), b: C.tensor(call.b), y: C.tensor(call.out) },
        maps: { idx: maps.buffer(C) },
        wires: {},
        params: { amap, bmap, ashift: call.aShift, bshift: call.bShift, neg: call.sign < 0 ? 1 : 0 },
        wide: {},
      }),
    ];
  },
  select: (call, C, width) => {
    // (out, src) pairs per input, laid end to end; the fill positions go with the first input
    const starts: number[] = [];
    let total = 0;
    for (const t of call.inputs) {
      starts.push(total);
      total += size(C, t);
    }
    const per: number[][] = call.inputs.map(() => []);
    for (let i = 0; i < call.map.length; i++) {
      const m = call.map[i]!;
      if (m < 0) {
        per[0]!.push(i, -1);
        continue;
      }
      let k = starts.length - 1;
      while (starts[k]! > m) k--;
      per[k]!.push(i, m - starts[k]!);
    }
    const pairs = C.map(per.flat());
    const uses: Use[] = [];
    let at = 0;
    call.inputs.forEach((t, k) => {
      const n = per[k]!.length / 2;
      if (n > 0)
        uses.push(
          use("gather", {
            width,
            items: n,
            tensors: { x: C.tensor(t), y: C.tensor(call.out) },
            maps: { pairs },
            wires: {},
            params: { at, shift: call.shifts[k]! },
            wide: { fill: call.fill },
          }),
        );
      at += 2 * n;
    });
    return uses;
  },
  sum: (call, C, width) => {
    const nGroups = size(C, call.out);
    return [
      use("sum", {
        width,
        items: nGroups,
        tensors: { x: C.tensor(call.x), mult: call.mult ? C.constant(call.mult) : null, y: C.tensor(call.out) },
        maps: { groups: C.map([...call.groups.start, ...call.groups.indices]) },
        wires: {},
        params: { ngroups: nGroups, mult: call.mult ? 1 : 0 },
        wide: {},
      }),
    ];
  },
  requant: (call, C, width) => {
    // a windowed rescale flags an input outside its window (the host then refuses it)
    const w = call.window;
    const f = w ? C.flag() : null;
    return [
      use("rescale", {
        width,
        items: size(C, call.x),
        tensors: { x: C.tensor(call.x), y: C.tensor(call.out), flags: f?.ref ?? null },
        maps: {},
        wires: {},
        params: { shift: call.shift, win: w ? 1 : 0, flag: f?.index ?? 0 },
        wide: { wlo: w?.lo ?? 0, whi: w?.hi ?? 0 },
      }),
      bitsUse(C, width, call.x, call.bits.offset, call.bits.nBits, call.bits.wire),
    ];
  },
  relu: (call, C, width) => [
    use("relu", {
      width,
      items: size(C, call.q),
      tensors: { q: C.tensor(call.q) },
      maps: {},
      wires: { wires: span(call.wire, 1) },
      params: { wire: call.wire, leaky: call.leaky ? 1 : 0, ashift: call.leaky?.alphaShift ?? 0 },
      wide: { alpha: call.leaky?.alpha ?? 0 },
    }),
  ],
  clip: (call, C, width) => {
    // one dispatch per wire output (they lie far apart: one window each), the last stores q
    const hb = call.hiBits;
    const parts: { part: number; wire: number; per: number }[] = [];
    if (call.lo !== null && call.loWire >= 0) parts.push({ part: 0, wire: call.loWire, per: 1 });
    if (call.hi !== null && hb) parts.push({ part: 1, wire: hb.wire, per: hb.nBits });
    if (call.hi !== null && call.hiWire >= 0) parts.push({ part: 2, wire: call.hiWire, per: 1 });
    if (parts.length === 0) parts.push({ part: 3, wire: 0, per: 0 });
    return parts.map((p, k) =>
      use("clip", {
        width,
        items: size(C, call.q),
        tensors: { q: C.tensor(call.q) },
        maps: {},
        wires: { wires: p.per ? span(p.wire, p.per) : null },
        params: {
          haslo: call.lo !== null ? 1 : 0,
          hashi: call.hi !== null ? 1 : 0,
          part: p.part,
          wire: p.wire,
          nbits: hb?.nBits ?? 0,
          store: k === parts.length - 1 ? 1 : 0,
        },
        wide: { lo: call.lo ?? 0, hi: call.hi ?? 0, hioff: hb?.offset ?? 0 },
      }),
    );
  },
  poly: (call, C, width) => {
    const t = call.table;
    return [
      use("poly", {
        width,
        items: size(C, call.q),
        tensors: { q: C.tensor(call.q), coef: C.constant(t.coeffs) },
        maps: {},
        wires: { wires: span(call.wire, call.perElement) },
        params: { wire: call.wire, per: call.perElement, w: t.w, t: t.t, d: t.d },
        wide: { qmin: t.qMin },
      }),
    ];
  },
  max: (call, C, width) => {
    const nGroups = size(C, call.out);
    const start = call.groups.start,
      m = call.nBits;
    // group g's comparisons are start[g] - g onwards, m + 1 wires each
    const wires: Span = (a, b) => [call.wire + (start[a]! - a) * (m + 1), call.wire + (start[b]! - b) * (m + 1)];
    return [
      use("max", {
        width,
        items: nGroups,
        tensors: { x: C.tensor(call.x), y: C.tensor(call.out) },
        maps: { groups: C.map([...start, ...call.groups.indices]) },
        wires: { wires },
        params: { ngroups: nGroups, m, wire: call.wire },
        wide: {},
      }),
    ];
  },
};

/** The kernel uses of a call the formats accept (`reference` never reaches here). */
export function bindCall(call: Exclude<KernelCall, { op: "reference" }>, C: Context): Use[] {
  // the table is exhaustive over ops; TypeScript cannot correlate the key with the call's type here
  const bind = BINDERS[call.op] as Binder<Exclude<KernelOp, "reference">>;
  return bind(call as Extract<KernelCall, { op: Exclude<KernelOp, "reference"> }>, C, C.formats.width(call));
}

function use<K extends KernelName>(kernel: K, u: Omit<KernelUse<K>, "kernel">): KernelUse<K> {
  return { kernel, ...u };
}

function bitsUse(C: Context, width: number, src: TensorId, offset: number, nBits: number, wire: number): Use {
  return use("bits", {
    width,
    items: size(C, src) * nBits,
    tensors: { x: C.tensor(src) },
    maps: {},
    wires: { wires: span(wire, 1) },
    params: { wire, nbits: nBits },
    wide: { offset },
  });
}

/** Broadcast index maps for one output shape, laid end to end; a map's parameter is its offset + 1, 0 for none. */
class MapTable {
  private readonly data: number[] = [];
  constructor(private readonly out: readonly number[]) {}
  add(shape: readonly number[]): number {
    if (sameShape(shape, this.out)) return 0;
    const at = this.data.length;
    for (const v of broadcastIndex(shape, this.out)) this.data.push(v);
    return at + 1;
  }
  buffer(C: Context): GPUBuffer | null {
    return this.data.length ? C.map(this.data) : null;
  }
}
