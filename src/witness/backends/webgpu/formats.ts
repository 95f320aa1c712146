/**
 * The webgpu backend's number formats. WGSL has 32-bit integers only, so every integer is a
 * little-endian run of u32 limbs in two's complement (kernels/webgpu/num.wgsl):
 *
 * - a tensor is stored with as many limbs per element as its bounds need (`limbs`): one (an
 *   i32) for activations and weights, two for most accumulators (bounds below 2^52 today), more
 *   when a plan's bounds are wider;
 * - each kernel call computes at one working width W (`width`), enough for everything it reads,
 *   writes and passes through (x + 2^(shift-1) in a rescale, hi - y + offset in a clip, the
 *   Horner terms of a polynomial, the bits it decomposes); loads sign-extend, stores truncate.
 *   Sums and products are modulo 2^(32·W), exact whenever the final value fits, so partial sums
 *   of a matmul may wrap: only the output's bound matters.
 *
 * A call whose width exceeds what the kernels implement (MAX_LIMBS, or a test's lower cap) is
 * not accepted: its step runs on the js reference instead (lowering.ts, fallback.ts), so a plan
 * too wide for the kernels is slower, never wrong. Values cross between the GPU and the host
 * (input, outputs, reference steps) as doubles, exact below 2^53 as the reference's are.
 */
import { tensorAbs, type TensorId, type WitnessPlan } from "../../../circuit/plan.js";
import { ZkError } from "../../../errors.js";
import { assertNever } from "../../../util/never.js";
import type { KernelCall } from "../../lowering.js";
import type { Ints } from "../../../quantize/qgraph.js";
import { aliases, callConstants } from "../../lowering.js";

/** The widest W the kernels implement: 224-bit values (|v| < 2^223, below p, so the field encoder holds). */
export const MAX_LIMBS = 7;

/** Signed bits for magnitudes up to `abs` (Infinity when it is not finite). */
export function signedBits(abs: number): number {
  if (!Number.isFinite(abs)) return Infinity;
  let b = 1;
  // an integer ≤ abs fits b signed bits iff it is < 2^(b−1); no subtraction, so exact past 2^53
  while (2 ** (b - 1) <= abs) b++;
  return b;
}

/** Limbs for a signed value of magnitude ≤ abs. */
export function limbsFor(abs: number): number {
  return Math.max(1, Math.ceil(signedBits(abs) / 32));
}

/** Limbs for a non-negative value of nBits bits (it must also read as non-negative). */
export function limbsForBits(nBits: number): number {
  return Math.max(1, Math.ceil((nBits + 1) / 32));
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

export interface FormatOptions {
  /** the narrowest working width (tests force wide arithmetic on today's small plans) */
  readonly minLimbs?: number;
  /** the widest width accepted (default MAX_LIMBS; tests lower it to exercise the fallback) */
  readonly maxLimbs?: number;
}

export interface Formats {
  /** storage limbs per element of tensor t (its buffer's: reshapes share their input's) */
  limbs(t: TensorId): number;
  /** the magnitude bound of tensor t's values, including a requant output's pre-activation value */
  abs(t: TensorId): number;
  /** limbs of a constant (weights, biases, multipliers) */
  constLimbs(values: ArrayLike<number>): number;
  /** the working width of a call */
  width(call: KernelCall): number;
  /** whether the kernels take this call (its width is implemented, its constants exact) */
  accepts(call: KernelCall): boolean;
}

export function planFormats(plan: WitnessPlan, opts: FormatOptions = {}): Formats {
  const minLimbs = Math.max(1, opts.minLimbs ?? 1);
  const maxLimbs = Math.min(MAX_LIMBS, opts.maxLimbs ?? MAX_LIMBS);
  const root = aliases(plan);
  // a requant writes its rescaled value into its output before the activation rewrites it
  const own = plan.tensors.map(tensorAbs);
  // (and a parameter tensor holds the prover's values, which the range check then tests)
  for (const s of plan.steps) {
    if (s.kind === "requant") own[s.output] = Math.max(own[s.output]!, rescaledAbs(own[s.input]!, s.shift));
    if (s.kind === "param") own[s.tensor] = Math.max(own[s.tensor]!, maxAbs(s.data));
  }
  const groupAbs = own.map(() => 0);
  own.forEach((a, t) => (groupAbs[root[t]!] = Math.max(groupAbs[root[t]!]!, a)));
  const abs = (t: TensorId) => groupAbs[root[t]!]!;
  const limbs = (t: TensorId) => Math.max(minLimbs, limbsFor(abs(t)));
  const constLimbs = (v: ArrayLike<number>) => Math.max(minLimbs, limbsFor(maxAbs(v)));
  const preAbs = new Map<TensorId, number>();
  for (const s of plan.steps) if (s.kind === "requant") preAbs.set(s.output, rescaledAbs(abs(s.input), s.shift));
  const actAbs = (q: TensorId) => Math.max(abs(q), preAbs.get(q) ?? 0);

  const width = (call: KernelCall): number => {
    const w = (...ns: number[]) => Math.max(minLimbs, ...ns);
    switch (call.op) {
      case "encode":
        return w(limbs(call.src));
      case "bits":
        return w(limbs(call.src), limbsFor(abs(call.src) + Math.abs(call.offset)), limbsForBits(call.nBits));
      case "load":
        return w(limbs(call.dst), constLimbs(call.data));
      case "matmul":
      case "conv":
        return w(
          limbs(call.x),
          limbs(call.out),
          constLimbs(call.weight.data),
          call.bias ? constLimbs(call.bias.data) : 1,
        );
      case "affine":
        return w(
          limbs(call.x),
          limbs(call.out),
          call.mul ? constLimbs(call.mul.data) : 1,
          call.add ? constLimbs(call.add.data) : 1,
        );
      case "add":
        return w(limbs(call.a), limbs(call.b), limbs(call.out));
      case "select":
        return w(limbs(call.out), limbsFor(Math.abs(call.fill)), ...call.inputs.map(limbs));
      case "sum":
        return w(limbs(call.x), limbs(call.out), call.mult ? constLimbs(call.mult) : 1);
      case "requant": {
        const x = abs(call.x),
          b = call.bits;
        return w(
          limbs(call.x),
          limbs(call.out),
          limbsFor(x + 2 ** Math.max(0, call.shift - 1)),
          limbsForBits(call.shift),
          limbsFor(x + Math.abs(b.offset)),
          limbsForBits(b.nBits),
          call.window ? limbsFor(Math.max(Math.abs(call.window.lo), Math.abs(call.window.hi))) : 1,
        );
      }
      case "relu": {
        const factor = call.leaky ? Math.max(2 ** call.leaky.alphaShift, Math.abs(call.leaky.alpha)) : 1;
        return w(limbs(call.q), limbsFor(actAbs(call.q) * factor));
      }
      case "clip": {
        const q = actAbs(call.q),
          lo = Math.abs(call.lo ?? 0),
          hi = Math.abs(call.hi ?? 0);
        const hb = call.hiBits;
        return w(
          limbs(call.q),
          limbsFor(Math.max(q, lo, hi)),
          hb ? limbsFor(hi + Math.max(q, lo) + Math.abs(hb.offset)) : 1,
          hb ? limbsForBits(hb.nBits) : 1,
        );
      }
      case "poly": {
        const t = call.table;
        return w(
          limbs(call.q),
          limbsFor(actAbs(call.q) + Math.abs(t.qMin)),
          limbsFor(hornerAbs(t.coeffs, t.w, t.d)),
          limbsForBits(t.w * t.d + 1),
        );
      }
      case "max":
        return w(
          limbs(call.x),
          limbs(call.out),
          limbsFor(2 * abs(call.x) + 2 ** (call.nBits - 1)),
          limbsForBits(call.nBits),
        );
      case "reference":
        return Infinity;
      default:
        return assertNever(call, "kernel call");
    }
  };

  return {
    limbs,
    abs,
    constLimbs,
    width,
    accepts: (call) => width(call) <= maxLimbs && constantsExact(call),
  };
}

/** |floor((x + 2^(shift-1)) / 2^shift)| for |x| ≤ abs. */
function rescaledAbs(abs: number, shift: number): number {
  return shift > 0 ? Math.ceil((abs + 2 ** (shift - 1)) / 2 ** shift) + 1 : abs;
}

/**
 * A bound on every Horner value of a PolyTable (h, and each product h·u, u < 2^w): per
 * segment, h_d = |c_d|, p_j = h_{j+1}·(2^w - 1), h_j = p_j + |c_j|·2^(w·(d-j)).
 */
function hornerAbs(coeffs: Float64Array, w: number, d: number): number {
  let m = 0;
  for (let c = 0; c + d < coeffs.length; c += d + 1) {
    let h = Math.abs(coeffs[c + d]!);
    m = Math.max(m, h);
    for (let j = d - 1; j >= 0; j--) {
      const p = h * (2 ** w - 1);
      h = p + Math.abs(coeffs[c + j]!) * 2 ** (w * (d - j));
      m = Math.max(m, p, h);
    }
  }
  return m * 2; // rounding slack of the doubles above
}

/** Constants the host converts to limbs must be integers (any double past 2^53 is one, and converts exactly). */
function constantsExact(call: KernelCall): boolean {
  return callConstants(call).every((v) => Array.prototype.every.call(v, Number.isInteger));
}

/** Integer values (doubles, or BigInt for wide ones) as `limbs` u32 each, two's complement. */
export function toLimbs(values: Ints, limbs: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(values.length * limbs);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const o = i * limbs;
    if (typeof v === "bigint" || !Number.isSafeInteger(v)) {
      wideToLimbs(v, out, o, limbs);
      continue;
    }
    out[o] = v >>> 0; // ToUint32 is v mod 2^32, exactly
    if (limbs > 1) out[o + 1] = Math.floor(v / 4294967296) >>> 0;
    const ext = v < 0 ? 0xffffffff : 0;
    for (let k = 2; k < limbs; k++) out[o + k] = ext;
  }
  return out;
}

/** One value past 2^53 (a BigInt, or an integer double) into limbs at out[o..], refusing what does not fit. */
function wideToLimbs(v: number | bigint, out: Uint32Array, o: number, limbs: number): void {
  if (typeof v === "number" && !Number.isInteger(v))
    throw new ZkError("UNSATISFIED", `the webgpu backend was given ${v}, which is not an integer`);
  const b = BigInt(v),
    bits = BigInt(32 * limbs);
  if (BigInt.asIntN(32 * limbs, b) !== b)
    throw new ZkError(
      "UNSATISFIED",
      `the webgpu backend was given ${b}, which does not fit ${limbs} limbs (${bits} bits)`,
    );
  const u = BigInt.asUintN(32 * limbs, b);
  for (let k = 0; k < limbs; k++) out[o + k] = Number((u >> BigInt(32 * k)) & 0xffffffffn);
}

/** The inverse of toLimbs for a wide tensor: every value exactly, as BigInt. */
export function fromLimbsWide(u: Uint32Array, limbs: number): bigint[] {
  const out = new Array<bigint>(u.length / limbs);
  for (let i = 0; i < out.length; i++) {
    let v = 0n;
    for (let k = limbs - 1; k >= 0; k--) v = (v << 32n) | BigInt(u[i * limbs + k]!);
    out[i] = BigInt.asIntN(32 * limbs, v);
  }
  return out;
}

/** The inverse of toLimbs for a narrow tensor; a value beyond 2^53 (no double holds it exactly) is an error naming the tensor. */
export function fromLimbs(u: Uint32Array, limbs: number, what: string): Float64Array {
  const n = u.length / limbs;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * limbs;
    if (limbs === 1) {
      out[i] = u[o]! | 0;
      continue;
    }
    const hi = u[o + 1]! | 0;
    const ext = hi < 0 ? 0xffffffff : 0;
    for (let k = 2; k < limbs; k++) {
      if (u[o + k] !== ext)
        throw new ZkError(
          "UNSATISFIED",
          `${what}: element ${i} does not fit 64 bits (the webgpu backend reads back below 2^53)`,
        );
    }
    const v = hi * 4294967296 + u[o]!;
    if (!Number.isSafeInteger(v))
      throw new ZkError(
        "UNSATISFIED",
        `${what}: element ${i} is beyond 2^53 (the webgpu backend reads back below 2^53)`,
      );
    out[i] = v;
  }
  return out;
}
