/**
 * The wasm backend's memory: a bump allocator over one linear memory (16-byte aligned) with the
 * constant data it queues for writing, the .wtns sink over that memory, and the number-format
 * helpers the matrix kernels need.
 */
import { FIELD_BYTES, writeBigField, writeSignedField } from "../../../field.js";
import type { WireSink } from "../../../circuit/wires.js";

export class Arena {
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

/** A WireSink over the .wtns region of the memory, for steps that run the js reference. */
export class MemorySink implements WireSink {
  private dv: DataView | null = null;
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly data: number,
  ) {}
  /** A view of the memory, made again only when the memory grew (its old buffer is detached). */
  private get view(): DataView {
    if (this.dv?.buffer !== this.memory.buffer) this.dv = new DataView(this.memory.buffer);
    return this.dv;
  }
  setInt(wire: number, v: number): void {
    writeSignedField(this.view, this.data + wire * FIELD_BYTES, v);
  }
  setField(wire: number, v: bigint): void {
    writeBigField(this.view, this.data + wire * FIELD_BYTES, v);
  }
}

export const INT16_MAX = 32767;

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/** The largest number of dot products an i32 lane can sum without overflow, given operand bounds. */
export function dotBlock(xAbs: number, wAbs: number): number {
  // each i32x4.dot_i16x8_s lane adds 2 products per step
  return Math.floor((2 ** 31 - 1) / Math.max(1, 2 * xAbs * wAbs));
}

/** W [K][N] → rows [N][K]. */
export function transpose(w: Float64Array, K: number, N: number): Float64Array {
  const out = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) out[n * K + k] = w[k * N + n]!;
  return out;
}

/** Rows [N][K] as `Int16Array` rows of stride Kp (zero-padded). */
export function padRows(rows: Float64Array, N: number, K: number, Kp: number): Int16Array {
  const out = new Int16Array(N * Kp);
  for (let r = 0; r < N; r++) for (let k = 0; k < K; k++) out[r * Kp + k] = rows[r * K + k]!;
  return out;
}
