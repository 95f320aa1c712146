/** Shape arithmetic shared by import, the evaluators and the compiler. */
import type { Shape } from "./graph.js";

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** numpy broadcasting of two shapes, or null if they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For each flat index of `outShape`, the flat index of the element of `inShape` that numpy
 * broadcasting reads. `inShape` must broadcast to `outShape`.
 */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array {
  const n = sizeOf(outShape);
  const out = new Int32Array(n);
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  // stride 0 along broadcast (size-1 or missing) axes
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const axis = rank - inShape.length + i;
    eff[axis] = inShape[i] === 1 ? 0 : inStrides[i]!;
  }
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let flat = 0; flat < n; flat++) {
    out[flat] = src;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      src += eff[ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      src -= eff[ax]! * idx[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

/** Output spatial size of a convolution or pooling window along one axis. */
export function windowOutSize(
  inSize: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  ceil = false,
): number {
  const span = dilation * (kernel - 1) + 1;
  const num = inSize + padBegin + padEnd - span;
  return (ceil ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
}

/** Elementwise binary op with numpy broadcasting of both operands. */
export function broadcastBinary(
  a: { shape: Shape; data: ArrayLike<number> },
  b: { shape: Shape; data: ArrayLike<number> },
  outShape: Shape,
  f: (x: number, y: number) => number,
): Float64Array {
  const ai = broadcastIndex(a.shape, outShape);
  const bi = broadcastIndex(b.shape, outShape);
  const out = new Float64Array(ai.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[ai[i]!]!, b.data[bi[i]!]!);
  return out;
}
